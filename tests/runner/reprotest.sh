#!/bin/bash
# teebuild reprotest: a job run twice (TZ, LANG, umask and working directory varied), every
# subject's digest compared; exit 0 identical, 1 differing (named), a run's own status when it fails.
. "$TB_SOURCE_DIR/tests/lib.sh"

tb_host_busybox
cd "$T"
mkdir in
echo hello >in/a.txt
BBX='"/toolchain/bb/bin/busybox"'
job() { printf '{"toolchains": {"bb": "busybox@test"}, "argv": %s, "inputs": "in"}\n' "$2" >"$1"; }

job same.json "[$BBX, \"cp\", \"/src/a.txt\", \"/out/a.txt\"]"
expect_exit 0 "a deterministic job (relative JOB.json)" "$TEEBUILD" --tee none -v reprotest same.json
check "the second run started in another directory, with other TZ, LANG and umask" \
  grep -q 'run 2: TZ=TB-13:45 LANG=tr_TR.UTF-8 umask 077 in /' "$T/last.err"
expect_exit 0 "--json" "$TEEBUILD" --tee none --json reprotest run same.json
check "--json: ok, 3 subjects, none differ" \
  test "$(cat "$T/last.out")" = '{"differ":[],"ok":true,"subjects":3}'

job random.json "[$BBX, \"od\", \"-An\", \"-N16\", \"-tx1\", \"/dev/urandom\"]"
expect_exit 1 "a job printing random bytes" "$TEEBUILD" --tee none reprotest -o "$T/kept" random.json
expect_err '^teebuild: reprotest: 1 of 2 subjects differ between the two runs$' "how many differ, first"
check "which one differs, and how" grep -qx '  logs/stdout: content differs' "$T/last.err"
check "-o DIR keeps both runs" test -f "$T/kept/1/provenance.json" -a -f "$T/kept/2/provenance.json"

# A build (the OZ ERC20 with the solc-js pack of the solcjs_pack fixture): a relative SRC_DIR too.
cp -r "$TB_SOURCE_DIR/examples/erc20" erc20
expect_exit 0 "reprotest build SRC_DIR --solc 0.8.24" \
  "$TEEBUILD" --store "$TB_BUILD_DIR/test-store" --tee none reprotest build erc20 --solc 0.8.24
expect_err '^teebuild: reprotest: [0-9]+ subjects, identical in both runs$' "every artifact compared"

job fails.json "[$BBX, \"false\"]"
expect_exit 1 "a job that fails" "$TEEBUILD" --tee none reprotest fails.json
expect_err '^teebuild: run: job exited with status 1$' "the run's own failure comes first"
check "then which run failed" grep -qx 'teebuild: reprotest: run 1 failed (exit status 1)' "$T/last.err"
expect_exit 1 "a job that fails, --json" "$TEEBUILD" --tee none --json reprotest fails.json
check "--json: not ok, with the error" \
  test "$(cat "$T/last.out")" = '{"error":"reprotest: run 1 failed (exit status 1)","ok":false}'

expect_exit 2 "no job" "$TEEBUILD" reprotest
expect_err "^teebuild: reprotest: expected JOB.json" "usage error in one line"
expect_exit 2 "an -o inside the job's arguments" "$TEEBUILD" reprotest run same.json -o x
expect_err "^teebuild: reprotest: -o: the runs' outputs are reprotest's" "names the -o"
expect_exit 0 "--help" "$TEEBUILD" reprotest --help
check "--help on stdout" grep -q '^usage: teebuild reprotest' "$T/last.out"
done_testing
