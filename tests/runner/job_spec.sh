#!/bin/bash
# The job file is checked before anything runs: errors exit 3 naming the key, OUT is never touched.
. "$TB_SOURCE_DIR/tests/lib.sh"

cd "$T"
mkdir -p in
echo hello >in/a.txt
job() { printf '%s\n' "$1" >"$T/job.json"; }
TC='"toolchains": {"bb": "busybox@0-test"}'

job "{$TC, \"argv\": [\"/toolchain/bb/bin/busybox\", \"true\"], \"colour\": \"blue\"}"
expect_exit 3 "unknown top-level key" "$TEEBUILD" run job.json -o out
expect_err 'unknown key "colour"' "the unknown key is named"

job "{$TC, \"argv\": [\"/toolchain/bb/bin/busybox\", \"true\"], \"limits\": {\"wall_s\": 5, \"walls\": 1}}"
expect_exit 3 "unknown key in limits" "$TEEBUILD" run job.json -o out
expect_err 'unknown key "limits.walls"' "the limits key is named with its path"

job "{$TC, \"argv\": [\"/toolchain/bb/bin/busybox\"], \"limits\": {\"wall_s\": \"5\"}}"
expect_exit 3 "a limit of the wrong type" "$TEEBUILD" run job.json -o out
expect_err '"limits.wall_s" must be a positive integer' "the wrong type is named"

job "{$TC, \"argv\": [\"/x\"], \"limits\": {\"memory_mb\": 18446744073709551}}"
expect_exit 3 "a limit too large to convert" "$TEEBUILD" run job.json -o out

job "{$TC, \"argv\": \"busybox true\"}"
expect_exit 3 "argv that is not an array" "$TEEBUILD" run job.json -o out
expect_err '"argv" must be a non-empty array' "argv's type is named"

job "{$TC, \"argv\": [\"busybox\", \"true\"]}"
expect_exit 3 "relative argv[0]" "$TEEBUILD" run job.json -o out
expect_err 'must be an absolute path' "argv[0] must be absolute"

job "{\"toolchains\": {\"bb\": \"busybox\"}, \"argv\": [\"/x\"]}"
expect_exit 3 "toolchain ref without a version" "$TEEBUILD" run job.json -o out
expect_err 'not NAME@VERSION or sha256:HEX' "the ref is named"

job "{$TC, \"argv\": [\"/x\"], \"stdout\": \"logs/stdout\"}"
expect_exit 3 "stdout outside artifacts/" "$TEEBUILD" run job.json -o out
expect_err '"stdout": "logs/stdout" must be a relative path under artifacts/' "stdout must stay under artifacts/"

job "{$TC, \"argv\": [\"/x\"], \"stdout\": \"artifacts/../../etc/x\"}"
expect_exit 3 "stdout escaping with .." "$TEEBUILD" run job.json -o out

job "{$TC, \"argv\": [\"/x\"], \"inputs\": \"in\", \"stdin\": \"../job.json\"}"
expect_exit 3 "stdin escaping the inputs" "$TEEBUILD" run job.json -o out

job "{$TC, \"argv\": [\"/x\"], \"env\": {\"A\": 1}}"
expect_exit 3 "env value of the wrong type" "$TEEBUILD" run job.json -o out
expect_err '"env.A" must be a string' "the env key is named"

job "{$TC, \"argv\": [\"/x\"]"
expect_exit 3 "invalid JSON" "$TEEBUILD" run job.json -o out
expect_err 'invalid JSON at line' "the JSON error has a position"

job "{$TC, \"argv\": [\"/x\"], \"inputs\": \"in\"}"
expect_exit 3 "a toolchain that is not in the store" "$TEEBUILD" run job.json -o out
expect_err 'toolchain "bb".*busybox@0-test' "the missing toolchain is named"

mkdir -p full && echo keep >full/precious
expect_exit 3 "a non-empty OUT" "$TEEBUILD" run job.json -o full
expect_err 'not empty \(use --force' "the refusal says how to override it"
check "the non-empty OUT is untouched" test "$(ls -A full)" = precious -a "$(cat full/precious)" = keep
check "no staging directory is left beside OUT" test -z "$(ls -d full.tmp-* 2>/dev/null)"

echo file >notadir
expect_exit 3 "an OUT that is a file" "$TEEBUILD" run job.json -o notadir

job "{$TC, \"argv\": [\"/x\"], \"inputs\": \"missing-dir\"}"
expect_exit 3 "unreadable inputs" "$TEEBUILD" run job.json -o out

expect_exit 3 "a job file that does not exist" "$TEEBUILD" run nosuch.json -o out
expect_exit 2 "run without -o" "$TEEBUILD" run job.json
expect_exit 2 "run with an unknown option" "$TEEBUILD" run job.json -o out --frobnicate
expect_exit 0 "run --help" "$TEEBUILD" run --help
check "run --help describes -o" grep -q -- '--output OUT' "$T/last.out"
expect_exit 0 "build --help" "$TEEBUILD" build --help
expect_exit 2 "build without --solc" "$TEEBUILD" build "$T/in" -o out
expect_exit 2 "build with both SRC_DIR and --standard-json" "$TEEBUILD" build in --standard-json x.json --solc 0.8.24 -o out

# build's own input errors come before any toolchain is needed
mkdir -p src/contracts
printf 'pragma solidity ^0.8.0;\nimport "./Missing.sol";\ncontract A {}\n' >src/contracts/A.sol
expect_exit 3 "build with a missing import" "$TEEBUILD" build src --solc 0.8.24 -o out
expect_err 'contracts/A.sol: import "./Missing.sol"' "the importing file and the path are named"
printf 'pragma solidity ^0.8.0;\nimport "./Dir.sol";\ncontract A {}\n' >src/contracts/A.sol
mkdir -p src/contracts/Dir.sol/x
expect_exit 3 "build with an unreadable source" "$TEEBUILD" build src --solc 0.8.24 -o out
expect_err 'source contracts/Dir.sol' "the unreadable source is named"
printf 'pragma solidity ^0.8.0;\nimport "../../up.sol";\ncontract A {}\n' >src/contracts/A.sol
expect_exit 3 "build with an import above the source root" "$TEEBUILD" build src --solc 0.8.24 -o out
expect_err 'leaves the source tree' "the escape is refused"
printf 'pragma solidity ^0.8.0;\ncontract A {}\n' >src/contracts/A.sol
expect_exit 3 "build with an unknown solc" "$TEEBUILD" build src --solc 0.0.1 -o out
expect_err 'no toolchain solc@0.0.1 or solc-js@0.0.1' "both names tried are given"
echo '{"language": "Solidity", "sources": {"/abs/A.sol": {"content": "contract A {}"}}}' >abs.json
expect_exit 3 "standard JSON with an absolute unit name" "$TEEBUILD" build --standard-json abs.json --solc 0.8.24 -o out
echo '{"language": "Solidity", "sources": {"A.sol": {"urls": ["/etc/passwd"]}}}' >urls.json
expect_exit 3 "standard JSON reading files by url" "$TEEBUILD" build --standard-json urls.json --solc 0.8.24 -o out
check "no OUT was made by any failure" test ! -e out

done_testing
