#!/bin/bash
# `teebuild build` of the OpenZeppelin ERC20 example with the solc-js pack: the same bytecode as
# solc-js run directly, byte-identical artifacts from anywhere, solc's errors passed through.
. "$TB_SOURCE_DIR/tests/lib.sh"

STORE="${TB_TEST_STORE:-$TB_BUILD_DIR/test-store}"
EXAMPLE="$TB_SOURCE_DIR/examples/erc20"
SOLCJS="$TB_SOURCE_DIR/toolchains/solc-js/node_modules/solc"
tb() { "$TEEBUILD" --store "$STORE" --tee none "$@"; }

if [ ! -d "$EXAMPLE/node_modules/@openzeppelin/contracts" ]; then
  fail "examples/erc20/node_modules is installed (scripts/deps.sh runs npm ci there)"
  done_testing
fi
cd "$T"

# Two copies of the project in different places, built under different TZ, LANG and umask.
mkdir -p a other/place/deeper
cp -r "$EXAMPLE" a/erc20
cp -r "$EXAMPLE" other/place/deeper/erc20
expect_exit 0 "build the ERC20 example" \
  env TZ=UTC LANG=C.UTF-8 bash -c 'umask 022; exec "$@"' _ "$TEEBUILD" --store "$STORE" --tee none build a/erc20 --solc 0.8.24 -o b1
check "the contract artifact exists" test -s b1/artifacts/contracts/ExampleToken.sol/ExampleToken.json
check "solc-input.json and solc-output.json are kept" test -s b1/artifacts/solc-input.json -a -s b1/artifacts/solc-output.json
check "one Hardhat build-info" test "$(ls b1/artifacts/build-info | wc -l)" = 1
check "the dependency is built under its package name" test -s b1/artifacts/@openzeppelin/contracts/token/ERC20/ERC20.sol/ERC20.json
check "unit names are relative and content is inline" python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))
assert sorted(i["sources"])[-1] == "contracts/ExampleToken.sol", sorted(i["sources"])
assert all(not k.startswith("/") and "content" in v for k, v in i["sources"].items())
sel = i["settings"]["outputSelection"]["*"]
assert {"abi", "evm.bytecode", "evm.deployedBytecode", "metadata"} <= set(sel["*"]) and sel[""] == ["ast"]' b1/artifacts/solc-input.json

expect_exit 0 "build the same project elsewhere under another TZ, LANG and umask" \
  env TZ=Asia/Tokyo LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 bash -c 'umask 077; cd other/place; exec "$@"' _ \
  "$TEEBUILD" --store "$STORE" --tee none build deeper/erc20 --solc 0.8.24 -o "$T/b2"
digests() { (cd "$1/artifacts" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum); }
check "artifacts are byte-identical" diff <(digests b1) <(digests b2)

# The jail changes nothing: solc-js run directly on the same standard JSON gives the same code.
check "bytecode equals solc-js run directly outside the jail" node -e '
const fs = require("fs"), solc = require(process.argv[1]);
const out = JSON.parse(solc.compile(fs.readFileSync(process.argv[2] + "/solc-input.json", "utf8")));
let n = 0;
for (const [unit, contracts] of Object.entries(out.contracts))
  for (const [name, c] of Object.entries(contracts)) {
    const a = JSON.parse(fs.readFileSync(`${process.argv[2]}/${unit}/${name}.json`, "utf8"));
    if (a.bytecode !== "0x" + c.evm.bytecode.object || a.deployedBytecode !== "0x" + c.evm.deployedBytecode.object)
      throw new Error(`${unit}:${name} differs`);
    n++;
  }
if (n < 5) throw new Error("only " + n + " contracts");' "$SOLCJS" "$T/b1/artifacts"
check "the token has bytecode" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a["contractName"] == "ExampleToken" and a["sourceName"] == "contracts/ExampleToken.sol"
assert len(a["bytecode"]) > 1000 and a["bytecode"].startswith("0x") and len(a["deployedBytecode"]) > 1000
assert "storageLayout" not in a and json.loads(a["metadata"])["compiler"]["version"].startswith("0.8.24+")' \
  b1/artifacts/contracts/ExampleToken.sol/ExampleToken.json
check "build-info is Hardhat's format" python3 -c '
import json, sys, glob
b = json.load(open(glob.glob(sys.argv[1] + "/*.json")[0]))
assert b["_format"] == "hh-sol-build-info-1" and b["solcVersion"] == "0.8.24"
assert b["solcLongVersion"].startswith("0.8.24+commit.") and b["input"]["sources"] and b["output"]["contracts"]' \
  b1/artifacts/build-info

# --standard-json gives the same contracts from the same input; settings options add outputs.
expect_exit 0 "build --standard-json" tb --json build --standard-json b1/artifacts/solc-input.json --solc 0.8.24 -o b3
check "the same contract artifact from the standard JSON" \
  cmp b1/artifacts/contracts/ExampleToken.sol/ExampleToken.json b3/artifacts/contracts/ExampleToken.sol/ExampleToken.json
check "the provenance names the standard JSON file as given (solc got outputSelection added)" python3 -c '
import hashlib, json, sys
p = json.load(open(sys.argv[1]))["predicate"]["buildDefinition"]["externalParameters"]
assert p["source"] == "standard-json" and p["standardJsonSha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest(), p' \
  b3/provenance.json b1/artifacts/solc-input.json
check "build --json prints the result object" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is True and r["exitCode"] == 0 and r["subjects"] > 5, r' "$T/last.out"
expect_exit 0 "build with optimizer and storage layout" tb build a/erc20 --solc 0.8.24 --optimize-runs 1000 --storage-layout -o b4
check "storageLayout is in the artifact and the optimizer settings in the input" python3 -c '
import json, sys
a = json.load(open(sys.argv[1] + "/contracts/ExampleToken.sol/ExampleToken.json"))
i = json.load(open(sys.argv[1] + "/solc-input.json"))
assert "storage" in a["storageLayout"] and i["settings"]["optimizer"] == {"enabled": True, "runs": 1000}' b4/artifacts

# A Foundry-style layout: remappings.txt into lib/, tests not compiled, an explicit toolchain ref.
mkdir -p forge/src forge/lib/dep/src forge/test
echo 'dep/=lib/dep/src/' >forge/remappings.txt
printf 'pragma solidity ^0.8.0;\nlibrary Dep { function one() internal pure returns (uint) { return 1; } }\n' >forge/lib/dep/src/Dep.sol
printf 'pragma solidity ^0.8.0;\nimport {Dep} from "dep/Dep.sol";\ncontract App { function f() public pure returns (uint) { return Dep.one(); } }\n' >forge/src/App.sol
printf 'pragma solidity ^0.8.0;\nimport "forge-std/Test.sol";\n' >forge/test/App.t.sol
expect_exit 0 "build a Foundry layout with remappings" tb build forge --solc solc-js@0.8.24 -o b6
check "remapped units keep their remapped names and the remappings are kept" python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))
assert sorted(i["sources"]) == ["lib/dep/src/Dep.sol", "src/App.sol"], sorted(i["sources"])
assert i["settings"]["remappings"] == ["dep/=lib/dep/src/"], i["settings"]' b6/artifacts/solc-input.json
check "the app artifact exists" test -s b6/artifacts/src/App.sol/App.json

# A compile error: exit 1, the count first, then solc's own formatted message.
mkdir -p broken/contracts
printf 'pragma solidity ^0.8.0;\ncontract Broken {\n    function f() public { undefinedThing = 1; }\n}\n' >broken/contracts/Broken.sol
expect_exit 1 "a contract that does not compile" tb build broken --solc 0.8.24 -o b5
expect_err '^teebuild: build: compilation failed: 1 error$' "the first line counts the errors"
check "solc's formatted message follows" grep -q 'DeclarationError: Undeclared identifier' "$T/last.err"
check "the failed build's OUT keeps solc's output" test -s b5/artifacts/solc-output.json

done_testing
