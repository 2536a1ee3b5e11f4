#!/bin/bash
# The archive teebuild makes from a build's standard JSON equals the one crytic-compile itself
# exports (`--export-format archive`, from the Slither pack, compiling that standard JSON with the
# solc-js pack in /src), natspec aside: crytic-compile rewrites natspec into its own shape, teebuild
# keeps solc's, and crytic-compile reads both alike.
. "$TB_SOURCE_DIR/tests/lib.sh"
. "$TB_SOURCE_DIR/tests/audit/common.sh"
cd "$T"

# crytic_archive BUILD DIR: crytic-compile's archive of BUILD's solc-input.json, into DIR.
crytic_archive() {
  local build=$1 out=$T/$2 src=$T/crytic-src slither solc
  rm -rf "$src" && mkdir -p "$src" "$out"
  # crytic-compile wants the sources on disk at their unit names, below the working directory.
  python3 - "$build/artifacts/solc-input.json" "$src" <<'PY'
import json, os, sys
for name, source in json.load(open(sys.argv[1]))["sources"].items():
    path = os.path.join(sys.argv[2], name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "w").write(source["content"])
PY
  cp "$build/artifacts/solc-input.json" "$src/"
  slither=$(slither_root)
  solc=$STORE/toolchains/$("$TEEBUILD" --store "$STORE" toolchain list | awk '$1 == "solc-js" { sub("sha256:", "", $3); print $3; exit }')/root/bin/solc
  # crytic-compile adds --allow-paths, which the solc-js driver does not take (every source is inline).
  printf '#!/bin/sh\ncase " $* " in *" --standard-json "*) exec "%s" --standard-json ;; *) exec "%s" "$@" ;; esac\n' \
    "$solc" "$solc" >"$T/solc" && chmod +x "$T/solc"
  bwrap --dev-bind / / --bind "$src" /src --chdir /src env -i HOME="$T" \
    "$slither/lib/ld-linux-x86-64.so.2" --library-path "$slither/lib" "$slither/bin/python3" -I -m crytic_compile \
    solc-input.json --compile-force-framework solc-json --solc "$T/solc" --export-format archive --export-dir "$out"
}

same_archives() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def load(path):
    d = json.load(open(path))
    for unit in d["compilation_units"].values():
        unit["filenames"].sort(key=lambda f: f["used"])
        for source in unit["source_units"].values():
            for contract in source.get("contracts", {}).values():
                del contract["userdoc"], contract["devdoc"]
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    print("differ in:", [k for k in a if a[k] != b.get(k)], file=sys.stderr)
sys.exit(0 if a == b else 1)
PY
}

build_contracts build
mkdir ours erc20-ours
expect_exit 0 "teebuild's archive of the test contracts" "$TB_MAKE_ARCHIVE" build ours
expect_exit 0 "crytic-compile's own archive of the same standard JSON" crytic_archive build theirs
check "... the two are the same" same_archives ours/build_export_archive.json theirs/solc-input.json_export_archive.json

# The ASTs are spliced in as solc wrote them, never parsed: whitespace in solc's output changes
# nothing Slither reads, and a hostile output is refused naming the problem.
mkdir -p pretty/artifacts pretty-ours
cp build/artifacts/solc-input.json pretty/artifacts/
python3 -c 'import json, sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "w"), indent=3)' \
  build/artifacts/solc-output.json pretty/artifacts/solc-output.json
expect_exit 0 "the archive of a pretty-printed solc output" "$TB_MAKE_ARCHIVE" pretty pretty-ours
check "... equals the one of the compact output" same_archives pretty-ours/build_export_archive.json \
  ours/build_export_archive.json
# hostile OUTPUT-EDIT WANT-REGEX: an edited copy of the build's output must be refused with exit 3.
hostile() {
  rm -rf bad bad-out && mkdir -p bad/artifacts bad-out && cp build/artifacts/solc-input.json bad/artifacts/
  python3 -c 'import json, sys
o = json.load(open(sys.argv[1]))
exec(sys.argv[3])
open(sys.argv[2], "w").write(o if isinstance(o, str) else json.dumps(o))' build/artifacts/solc-output.json \
    bad/artifacts/solc-output.json "$1"
  expect_exit 3 "hostile output: $2" "$TB_MAKE_ARCHIVE" bad bad-out
  expect_err "$2" "... refused naming it"
  check "... and no archive is left" test ! -e bad-out/build_export_archive.json
}
hostile 'del o["sources"][next(iter(o["sources"]))]["ast"]' "has no AST for"
hostile 'o["sources"] = [1]' '"sources" is not a JSON object'
hostile 'o = json.dumps(o).replace("\"sources\": {", "\"sources\": {\"" + next(iter(o["sources"])) + "\": {\"ast\": {}}, ", 1)' \
  "names the source .* twice"
hostile 'o = json.dumps(o)[:-1] + "\u0000}"' "a NUL byte"

if [ -d "$TB_SOURCE_DIR/examples/erc20/node_modules/@openzeppelin/contracts" ]; then
  expect_exit 0 "build the OpenZeppelin ERC20 example" tb build "$TB_SOURCE_DIR/examples/erc20" --solc 0.8.24 -o erc20
  expect_exit 0 "teebuild's archive of it" "$TB_MAKE_ARCHIVE" erc20 erc20-ours
  expect_exit 0 "crytic-compile's" crytic_archive erc20 erc20-theirs
  check "... the same, dependencies and all" same_archives erc20-ours/build_export_archive.json \
    erc20-theirs/solc-input.json_export_archive.json
else
  fail "examples/erc20/node_modules is installed (scripts/deps.sh runs npm ci there)"
fi
done_testing
