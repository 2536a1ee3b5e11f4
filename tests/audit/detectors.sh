#!/bin/bash
# teebuild audit finds what each vulnerable contract of contracts/ has (contracts/expected.txt),
# nothing at high in the clean one; --fail-on, --detectors, the one-shot form, --json, and a
# Slither failure reported with Slither's own words.
. "$TB_SOURCE_DIR/tests/lib.sh"
. "$TB_SOURCE_DIR/tests/audit/common.sh"
cd "$T"

build_contracts build
expect_exit 1 "the audit of the vulnerable contracts fails at --fail-on high" tb --json audit --build build -o audit
expect_err '^teebuild: audit: [0-9]+ findings? at or above high$' "the first line says how many findings failed it"
check "slither.json and slither.sarif are artifacts" test -s audit/artifacts/slither.json -a -s audit/artifacts/slither.sarif

# file_has CHECK FILE: Slither reported CHECK with an element in FILE.
file_has() {
  python3 - "$1" "$2" audit/artifacts/slither.json <<'PY'
import json, sys
check, name, path = sys.argv[1:]
found = [d for d in json.load(open(path))["results"]["detectors"] if d["check"] == check
         and any(e["source_mapping"]["filename_relative"] == name for e in d["elements"])]
sys.exit(0 if found else 1)
PY
}
while read -r file detector; do
  case $file in '#'* | '') continue ;; esac
  check "$file: $detector" file_has "$detector" "$file"
done <"$CONTRACTS/expected.txt"
check "Clean.sol: nothing at high" python3 -c '
import json, sys
high = [d["check"] for d in json.load(open(sys.argv[1]))["results"]["detectors"] if d["impact"] == "High"
        and any(e["source_mapping"]["filename_relative"] == "Clean.sol" for e in d["elements"])]
sys.exit(1 if high else 0)' audit/artifacts/slither.json

check "--json: counts by impact agree with slither.json, and the result names what it attests" python3 -c '
import collections, hashlib, json, sys
r = json.load(open(sys.argv[1]))
found = collections.Counter(d["impact"].lower() for d in json.load(open("audit/artifacts/slither.json"))["results"]["detectors"])
assert r["counts"] == {k: found.get(k, 0) for k in ("high", "medium", "low", "informational", "optimization")}, r["counts"]
assert r["findingsCount"] == sum(found.values()) and r["passed"] is False and r["exitCode"] == 1
assert r["auditHash"] == hashlib.sha256(open("audit/artifacts/slither.json", "rb").read()).hexdigest()
assert r["contractHash"] == hashlib.sha256(open("build/artifacts/solc-output.json", "rb").read()).hexdigest()
assert r["teeProvider"] == "simulated" and r["attestationQuote"] and r["executedAt"].endswith("Z")
assert r["tee"] == "simulated" and r["subjects"] >= 2, r  # the names every job result uses' "$T/last.out"

expect_exit 0 "--fail-on none passes whatever is found" tb audit --build build --fail-on none -o none
expect_exit 0 "--detectors tx-origin: only a medium finding, which passes at high" \
  tb audit --build build --detectors tx-origin -o only-txo
check "... and Slither ran only that detector" python3 -c '
import json, sys
checks = {d["check"] for d in json.load(open("only-txo/artifacts/slither.json"))["results"]["detectors"]}
sys.exit(0 if checks == {"tx-origin"} else 1)'
expect_exit 1 "... which fails at --fail-on medium" tb audit --build build --detectors tx-origin --fail-on medium -o txo-m
expect_exit 0 "--exclude every detector that fires at high or medium" \
  tb audit --build build --fail-on medium -o excl \
  --exclude reentrancy-eth,tx-origin,unchecked-lowlevel,arbitrary-send-eth,controlled-delegatecall,shadowing-state
expect_exit 2 "--fail-on takes only the design's levels" tb audit --build build --fail-on pedantic -o bad

expect_exit 1 "a detector Slither does not know: the job fails" tb audit --build build --detectors no-such-detector -o nosuch
expect_err '^teebuild: audit: slither exited with status 1: .*no-such-detector is not a detector' \
  "... with Slither's own message on the first line"
check "... and the failed audit is still attested" test -s nosuch/teebuild.bundle.json

expect_exit 0 "one-shot: --source Clean.sol --solc 0.8.24 builds and audits, passing at high" \
  tb audit --source "$CONTRACTS/Clean.sol" --solc 0.8.24 -o clean
check "... the build is kept beside the audit, as clean.build" test -s clean.build/teebuild.bundle.json
done_testing
