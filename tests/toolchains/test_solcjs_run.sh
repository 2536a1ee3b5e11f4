#!/usr/bin/env bash
# The solc-js pack (fixture solcjs_pack, in $TB_TEST_STORE) is what its lock entry records, and runs
# with an empty environment and with no host /usr at all: chrooted into a tmpfs that holds only the
# pack (read-only at /toolchain/solc), /proc and /tmp, as in the jail.
. "$TB_SOURCE_DIR/tests/lib.sh"
: "${TB_TEST_STORE:?set by ctest: the store the solcjs_pack fixture fills}"
tb() { "$TEEBUILD" --store "$TB_TEST_STORE" "$@"; }

# installed_sha NAME VERSION: the digest `toolchain list --json` gives for NAME@VERSION
installed_sha() {
  tb toolchain list --json | python3 -c "$(cat <<'PY'
import json, sys
name, version = sys.argv[1:3]
print(next(t["sha256"] for t in json.load(sys.stdin)["toolchains"] if (t["name"], t["version"]) == (name, version)))
PY
)" "$1" "$2"
}
lock_sha=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["source"]["sha256"])' \
  "$TB_SOURCE_DIR/toolchains/locks/solc-js-0.8.24.json")
sha=$(installed_sha solc-js 0.8.24)
root=$TB_TEST_STORE/toolchains/$sha/root
expect_exit 0 "solc-js@0.8.24 resolves and verifies" tb toolchain verify solc-js@0.8.24
check "the pack built here is the one the lock entry records (else update the lock: see its note)" \
  test "$sha" = "$lock_sha"
check "toolchain.json entrypoints: bin/solc" grep -q '"entrypoints":\["solc"\]' <(tb toolchain list --json)
expect_exit 0 "env -i bin/solc --version" env -i "$root/bin/solc" --version
check "--version names 0.8.24+commit.e11b9ed9" grep -q '^Version: 0\.8\.24+commit\.e11b9ed9' "$T/last.out"
expect_exit 2 "bin/solc without a mode: usage" env -i "$root/bin/solc"

cat > "$T/input.json" <<'JSON'
{"language": "Solidity",
 "sources": {"a.sol": {"content": "// SPDX-License-Identifier: MIT\npragma solidity 0.8.24;\ncontract A { function f() external pure returns (uint256) { return 42; } }\n"}},
 "settings": {"optimizer": {"enabled": true, "runs": 200},
              "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}}}
JSON
jail=$T/jail
mkdir -p "$jail"
if unshare -m true 2>/dev/null; then
  expect_exit 0 "compiles in a chroot with no host /usr" unshare -m sh -c '
    set -e
    mount -t tmpfs none "$1"
    mkdir -p "$1/toolchain/solc" "$1/proc" "$1/tmp"
    mount --bind "$2" "$1/toolchain/solc"
    mount -o remount,bind,ro "$1/toolchain/solc"
    mount -t proc proc "$1/proc"
    chroot "$1" /toolchain/solc/bin/solc --version
    env -i "$5" "$1" /toolchain/solc/bin/solc --standard-json < "$3" > "$4"
  ' sh "$jail" "$root" "$T/input.json" "$T/output.json" "$(command -v chroot)"
  check "output has A's bytecode and no errors" python3 -c '
import json, sys
out = json.load(open(sys.argv[1]))
assert not [e for e in out.get("errors", []) if e["severity"] == "error"], out
assert len(out["contracts"]["a.sol"]["A"]["evm"]["bytecode"]["object"]) > 100' "$T/output.json"
  check "chroot had no /usr" test ! -e "$jail/usr"
  env -i "$root/bin/solc" --standard-json < "$T/input.json" > "$T/again.json"
  check "same output outside the chroot (byte-identical)" cmp -s "$T/output.json" "$T/again.json"
else
  ok "# SKIP no mount namespaces here"
fi
done_testing
