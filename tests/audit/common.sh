# Shared by the tests of tests/audit: the store the fixtures fill, and one build of the
# vulnerable contracts. Source it after tests/lib.sh.
STORE=${TB_TEST_STORE:-$TB_BUILD_DIR/test-store}
CONTRACTS=$TB_SOURCE_DIR/tests/audit/contracts
# Simulated TEE evidence, so that audit can verify the build it reads on any machine.
tb() { "$TEEBUILD" --store "$STORE" --tee simulated "$@"; }

# The unpacked Slither pack (the store keeps it at toolchains/SHA256/root), to run the very same
# Slither outside the jail.
slither_root() {
  local sha
  sha=$("$TEEBUILD" --store "$STORE" toolchain list --json | python3 -c '
import json, sys
print(next(t["sha256"] for t in json.load(sys.stdin)["toolchains"] if t["name"] == "slither"))')
  echo "$STORE/toolchains/$sha/root"
}

# build_contracts OUT: every contract of contracts/ in one build.
build_contracts() {
  mkdir -p "$T/src" && cp "$CONTRACTS"/*.sol "$T/src/"
  expect_exit 0 "build the test contracts" tb build "$T/src" --solc 0.8.24 -o "$1"
}
