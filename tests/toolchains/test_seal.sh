#!/usr/bin/env bash
# A job's toolchain must still be the tree its provenance names (treeSha256): each install leaves
# a seal (the tree's lstat data), every job checks it, and a changed tree fails the job (exit 3,
# both digests named, no OUT) while an untouched or merely touched one runs; installing it again
# replaces a changed tree.
. "$TB_SOURCE_DIR/tests/lib.sh"
cd "$T"
tb_host_busybox
tb_copy_job
entry=$(ls -d "$TEEBUILD_STORE"/toolchains/*)
seal() { cat "$entry/seal"; }
check "install leaves a seal" test -s "$entry/seal"

expect_exit 0 "a job on the installed toolchain" "$TEEBUILD" run job.json -o out1 --tee none

# Touched but not changed (ctime moves): the whole tree is digested, found intact, sealed anew.
before=$(seal)
chmod 0555 "$entry/root/bin"
expect_exit 0 "a touched but unchanged tree still runs" "$TEEBUILD" run job.json -o out2 --tee none
check "the seal is renewed after a full check" test "$(seal)" != "$before"

# Without a seal (a store from before seals): checked whole, then sealed.
rm "$entry/seal"
expect_exit 0 "a tree without a seal runs after a full check" "$TEEBUILD" run job.json -o out3 --tee none
check "the seal is written again" test -s "$entry/seal"

# One byte appended to the program the job runs.
chmod u+w "$entry/root/bin" "$entry/root/bin/busybox"
printf x >>"$entry/root/bin/busybox"
expect_exit 3 "a job on a changed tree fails" "$TEEBUILD" run job.json -o out4 --tee none
expect_err 'toolchain "bb": busybox@test \(sha256:[0-9a-f]{64}\): unpacked tree was modified \(tree sha256:[0-9a-f]{64}, recorded [0-9a-f]{64}\)' \
  "the error names the toolchain and both tree digests"
check "no OUT is left" test ! -e out4
check "no staging directory is left" test -z "$(ls -d out4.tmp-* 2>/dev/null)"

# The job's own failure does not hide the changed tree.
sed 's/"cp", "\/src\/A.json", "\/out\/A.json"/"false"/' job.json >fail.json
expect_exit 3 "a failing job on a changed tree reports the tree" "$TEEBUILD" run fail.json -o out5 --tee none

# Installing it again replaces the changed tree; the job runs.
bb=$(command -v busybox)
expect_exit 0 "installing it again" "$TEEBUILD" toolchain add "$bb" --sha256 "$(sha256sum "$bb" | cut -d' ' -f1)" \
  --name busybox --version test --entrypoint busybox
grep -q "replacing the installed" "$T/last.err" && ok "the add says it replaces the changed tree" ||
  fail "the add says it replaces the changed tree"
expect_exit 0 "the job runs on the replaced tree" "$TEEBUILD" run job.json -o out6 --tee none
expect_exit 0 "toolchain verify agrees" "$TEEBUILD" toolchain verify busybox@test
expect_exit 0 "toolchain list --json" "$TEEBUILD" --json toolchain list
check "list and verify name the tree alike (treeSha256)" python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["toolchains"][0]
sys.exit(0 if t["treeSha256"] == json.load(open(sys.argv[2]))["tree_sha256"] else 1)' "$T/last.out" "$entry/meta.json"

# A file added to the tree changes it too.
chmod u+w "$entry/root"
echo extra >"$entry/root/extra"
expect_exit 3 "a file added to the tree fails the job" "$TEEBUILD" run job.json -o out7 --tee none
done_testing
