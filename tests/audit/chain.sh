#!/bin/bash
# An audit is an attested job chained to the build it read: its provenance names the Slither pack,
# the build's bundle and subjects; its bundle verifies; changing the build afterwards breaks the
# audit's verification at the build link; a build that does not verify gets no audit.
. "$TB_SOURCE_DIR/tests/lib.sh"
. "$TB_SOURCE_DIR/tests/audit/common.sh"
cd "$T"

build_contracts build
expect_exit 1 "audit the build" tb audit --build build -o audit
check "buildType, the Slither pack, the build's bundle (and where it lies) and subjects in the provenance; Slither ran under the python profile with no syscall denied" python3 -c '
import hashlib, json
d = json.load(open("audit/provenance.json"))["predicate"]["buildDefinition"]
assert d["buildType"] == "https://teebuild.dev/slither-audit/v1", d["buildType"]
deps = {x["name"]: x for x in d["resolvedDependencies"]}
assert "toolchain/slither" in deps and "src/build_export_archive.json" in deps, sorted(deps)
bundle = deps["build/teebuild.bundle.json"]
assert bundle["digest"]["sha256"] == hashlib.sha256(open("build/teebuild.bundle.json", "rb").read()).hexdigest()
assert bundle["annotations"]["out"] == "../build", bundle
assert d["externalParameters"]["build"]["bundle"]["sha256"] == bundle["digest"]["sha256"]
subjects = json.load(open("build/provenance.json"))["subject"]
for s in subjects:
    assert deps["build/" + s["name"]]["digest"] == s["digest"], s["name"]
assert d["internalParameters"]["jail"]["seccomp"]["profile"] == "python"
outcome = json.load(open("audit/provenance.json"))["predicate"]["runDetails"]["byproducts"][0]["annotations"]
assert outcome["outcome"] == "exited" and outcome["blockedSyscall"] == "", outcome'

expect_exit 0 "the audit verifies, build link included" "$TEEBUILD" --store "$STORE" verify --allow-simulated audit
check "... verify names the link it checked" grep -q 'links: 1 linked output unchanged' "$T/last.err"

cp -a build build.orig
echo " " >>build/artifacts/solc-output.json
expect_exit 6 "after the build's solc-output.json changed, the audit no longer verifies" \
  "$TEEBUILD" --store "$STORE" verify --allow-simulated audit
expect_err '^teebuild: verify: links: build: \.\./build/artifacts/solc-output\.json: sha256 ' "... naming the build link and the file"

rm -rf build && cp -a build.orig build
python3 -c '
import json
b = json.load(open("build/teebuild.bundle.json")); b["tee"]["eventLog"] = []
json.dump(b, open("build/teebuild.bundle.json", "w"))'
expect_exit 6 "after the build's bundle changed, the audit no longer verifies" \
  "$TEEBUILD" --store "$STORE" verify --allow-simulated audit
expect_err '^teebuild: verify: links: build: \.\./build/teebuild\.bundle\.json: sha256 ' "... naming the build's bundle"

rm -rf build && mv build.orig build
mv build moved && mkdir -p elsewhere && mv audit elsewhere/
expect_exit 6 "the build moved away from where the audit saw it: verify says so" \
  "$TEEBUILD" --store "$STORE" verify --allow-simulated elsewhere/audit
expect_err '^teebuild: verify: links: build: ' "... naming the build link"
mv moved build

echo "tampered" >build/artifacts/Clean.sol/Clean.json
expect_exit 6 "a build that does not verify gets no audit" tb audit --build build -o audit2
expect_err '^teebuild: audit: build .* does not verify: subjects: ' "... and the first line says which check failed"
check "... and no audit output was made" test ! -e audit2
mkdir audit4 && touch audit4/taken
expect_exit 6 "the verification's failure is the outcome, whatever else failed beside it (here a non-empty -o)" \
  tb audit --build build -o audit4
expect_err '^teebuild: audit: build .* does not verify: subjects: ' "... and says so first"
expect_exit 3 "--build of a directory that is no teebuild output is bad input" tb audit --build "$CONTRACTS" -o audit3
expect_err '^teebuild: audit: --build .* is not a teebuild output' "... and says so"
done_testing
