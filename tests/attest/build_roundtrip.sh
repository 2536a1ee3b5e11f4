#!/bin/bash
# teebuild build (solc-js pack, simulated TEE) -> verify: the seed's --json fields, the verdicts,
# and the same build twice giving the same signed statement apart from runDetails.metadata.
. "$TB_SOURCE_DIR/tests/lib.sh"

STORE="${TB_TEST_STORE:-$TB_BUILD_DIR/test-store}"
EXAMPLE="$TB_SOURCE_DIR/examples/erc20"
tb() { "$TEEBUILD" --store "$STORE" "$@"; }
if [ ! -d "$EXAMPLE/node_modules/@openzeppelin/contracts" ]; then
  fail "examples/erc20/node_modules is installed (scripts/deps.sh runs npm ci there)"
  done_testing
fi
cd "$T"
cp -r "$EXAMPLE" erc20

expect_exit 0 "build with --tee simulated --json" tb --tee simulated --json build erc20 --solc 0.8.24 -o "$T/b1"
check "--json carries design.md's fields and the seed's" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] and r["tee"] == "simulated" and r["exitCode"] == 0 and r["subjects"] > 3, r
assert r["teeProvider"] == "simulated" and r["solcVersion"].startswith("0.8.24"), r
a = r["artifacts"]["contracts/ExampleToken.sol:ExampleToken"]
assert a["bytecode"].startswith("0x60") and len(a["hash"]) == 64, a
import hashlib
assert r["buildHash"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert len(r["attestationQuote"]) > 2000 and r["attestationQuote"][:8] == "04000200"' "$T/last.out" b1/provenance.json
check "the statement says solc-build" grep -q '"buildType":"https://teebuild.dev/solc-build/v1"' b1/provenance.json

expect_exit 6 "verify without --allow-simulated" tb verify b1
expect_err '^teebuild: verify: tee: ' "the TEE check is named"
expect_exit 0 "verify --allow-simulated" tb verify --allow-simulated b1

expect_exit 0 "verify --rebuild: the build reproduced from solc-input.json" tb verify --allow-simulated --rebuild b1
check "the rebuild check is reported" grep -q 'rebuild: .* subjects reproduced byte for byte' "$T/last.err"

expect_exit 0 "the same build again" tb --tee simulated build erc20 --solc 0.8.24 -o "$T/b2"
check "byte-identical payloads apart from runDetails.metadata" python3 -c '
import json, re, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
strip = lambda raw: re.sub(rb"\"metadata\":\{[^}]*\}", b"", raw)
assert a != b and strip(a) == strip(b)' b1/provenance.json b2/provenance.json

done_testing
