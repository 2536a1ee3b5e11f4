#!/bin/bash
# `teebuild run` through the real jail, with a static busybox and the sandbox's static syscall
# probe (tests/sandbox/probe.c) as toolchains: what a job sees, what it may write, how it fails,
# and what it cannot reach.
. "$TB_SOURCE_DIR/tests/lib.sh"

BB=$(command -v busybox)
if [ -z "$BB" ] || ldd "$BB" >/dev/null 2>&1; then
  fail "a static busybox is needed (busybox-static; scripts/deps.sh installs it)"
  done_testing
fi
cd "$T"
"$TEEBUILD" toolchain add "$BB" --sha256 "$(sha256sum "$BB" | cut -d' ' -f1)" --name busybox --version test \
  --entrypoint busybox >/dev/null 2>&1 || fail "busybox added to the store"
: "${TB_PROBE:?TB_PROBE must name the static probe of tests/sandbox}"
"$TEEBUILD" toolchain add "$TB_PROBE" --sha256 "$(sha256sum "$TB_PROBE" | cut -d' ' -f1)" --name probe --version test \
  --entrypoint probe >/dev/null 2>&1 || fail "the probe added to the store"

mkdir -p in/sub
echo hello >in/a.txt
echo deep >in/sub/b.txt
n=0
# run_job EXIT WHAT JSON-ARGV [EXTRA-KEYS]: write a job and run it into out$n (--tee none: the
# attestation has its own tests).
run_job() {
  local want=$1 what=$2 argv=$3 extra=${4:-}
  n=$((n + 1))
  OUT="$T/out$n"
  printf '{"toolchains": {"bb": "busybox@test", "probe": "probe@test"}, "argv": %s, "inputs": "in"%s}\n' \
    "$argv" "$extra" >"$T/job$n.json"
  expect_exit "$want" "$what" "$TEEBUILD" --tee none run "$T/job$n.json" -o "$OUT"
}
BBX='"/toolchain/bb/bin/busybox"'
PROBE='"/toolchain/probe/bin/probe"'

run_job 0 "echo" "[$BBX, \"echo\", \"hello from the jail\"]"
check "stdout lands in logs/stdout" grep -qx 'hello from the jail' "$OUT/logs/stdout"
check "stderr is logged" test -f "$OUT/logs/stderr"

run_job 0 "read /src, write /out" "[$BBX, \"cp\", \"/src/sub/b.txt\", \"/out/copied.txt\"]"
check "what the job wrote to /out is an artifact" cmp -s in/sub/b.txt "$OUT/artifacts/copied.txt"

chmod 600 in/a.txt && chmod 700 in/sub
run_job 0 "stat the inputs" "[$BBX, \"stat\", \"-c\", \"%a %n\", \"/src/a.txt\", \"/src/sub\"]"
check "input modes are normalised whatever the host's" test "$(tr '\n' ' ' <"$OUT/logs/stdout")" = "644 /src/a.txt 755 /src/sub "
chmod 644 in/a.txt && chmod 755 in/sub

run_job 0 "stdin from the inputs, stdout as an artifact" "[$BBX, \"cat\"]" ', "stdin": "a.txt", "stdout": "artifacts/cat/out.txt"'
check "captured stdout is the artifact" cmp -s in/a.txt "$OUT/artifacts/cat/out.txt"
check "no logs/stdout when stdout is an artifact" test ! -e "$OUT/logs/stdout"

run_job 0 "the fixed environment" "[$BBX, \"env\"]" ', "env": {"EXTRA": "1", "SOURCE_DATE_EPOCH": "42"}'
check "env is exactly the fixed set plus the job's" test "$(grep -v '^PWD=\|^SHLVL=' "$OUT/logs/stdout" | sort | tr '\n' ' ')" = \
  "EXTRA=1 HOME=/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 PATH=/toolchain/bb/bin:/toolchain/probe/bin:/usr/bin:/bin SOURCE_DATE_EPOCH=42 TZ=UTC "

run_job 0 "cwd and hostname" "[$BBX, \"sh\", \"-c\", \"pwd; hostname\"]"
check "cwd is /src and the hostname is teebuild" test "$(tr '\n' ' ' <"$OUT/logs/stdout")" = "/src teebuild "

run_job 1 "a job exiting with status 3" "[$PROBE, \"read\", \"/nonexistent\"]"
expect_err '^teebuild: run: job exited with status 3$' "the status is reported"

# busybox re-sets its ids first thing: harmless without capabilities, so it must not be reported
# as the cause of a failure that has nothing to do with seccomp.
run_job 1 "busybox exiting with status 4" "[$BBX, \"sh\", \"-c\", \"exit 4\"]"
expect_err '^teebuild: run: job exited with status 4$' "a busybox failure is its exit status, not a blocked syscall"
check "a failed job still leaves its logs" test -f "$OUT/logs/stderr"

run_job 1 "the wall-clock limit" "[$BBX, \"sleep\", \"30\"]" ', "limits": {"wall_s": 1}'
expect_err '^teebuild: run: .*wall' "the timeout is reported"

run_job 1 "a blocked syscall" "[$PROBE, \"ptrace\"]"
expect_err '^teebuild: run: blocked syscall ptrace$' "the blocked syscall is named"

# what the jail must not let a job reach
run_job 1 "no host files" "[$PROBE, \"read\", \"/etc/passwd\"]"
check "the host file was not found" grep -qx 'read: ENOENT' "$OUT/logs/stdout"
run_job 1 "/src is read-only" "[$PROBE, \"write\", \"/src/a.txt\"]"
check "the write was refused as read-only" grep -qx 'write: EROFS' "$OUT/logs/stdout"
check "the inputs are unchanged" test "$(cat in/a.txt)" = hello
run_job 1 "/toolchain is read-only" "[$PROBE, \"write\", \"/toolchain/bb/bin/busybox\"]"
run_job 1 "no network" "[$PROBE, \"connect\", \"80\"]"
run_job 3 "a symlink out of /out is not followed" "[$BBX, \"ln\", \"-s\", \"/etc/passwd\", \"/out/leak\"]"
check "no OUT after a refused /out" test ! -e "$OUT"

ln -s /etc/passwd in/escape
run_job 3 "an input symlink leaving the tree" "[$BBX, \"true\"]"
expect_err 'escape: symlink leads out of the inputs tree' "the symlink is named"
rm in/escape
ln -s a.txt in/alias.txt
run_job 0 "an input symlink inside the tree is copied as a file" "[$BBX, \"cat\", \"/src/alias.txt\"]"
check "the alias reads the same" grep -qx hello "$OUT/logs/stdout"
rm in/alias.txt
mkfifo in/fifo
run_job 3 "a FIFO in the inputs" "[$BBX, \"true\"]"
expect_err 'fifo: not a regular file or directory' "the special file is named"
rm in/fifo
printf '{"toolchains": {"bb": "busybox@test"}, "argv": [%s, "true"], "inputs": "in"}\n' "$BBX" >"$T/inside.json"
expect_exit 3 "OUT inside the inputs" "$TEEBUILD" --tee none run "$T/inside.json" -o "$T/in/sub/out"
expect_err 'must not be inside the inputs' "the loop is refused"
check "nothing is left in the inputs" test -z "$(ls -A in/sub | grep -v '^b.txt$')"

# Lowered isolation is the user's explicit choice, and it is recorded.
printf '{"toolchains": {"bb": "busybox@test"}, "argv": [%s, "true"]}\n' "$BBX" >"$T/lowered.json"
expect_exit 0 "--allow-no-cgroups" "$TEEBUILD" --tee none run "$T/lowered.json" -o "$T/lowered" --allow-no-cgroups
check "the lowering is in the provenance" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["predicate"]["buildDefinition"]
assert p["internalParameters"]["lowered"]["allowNoCgroups"] is True
assert p["externalParameters"]["argv"][1] == "true"' "$T/lowered/provenance.json"

# OUT replacement and --json
mkdir -p "$T/keep" && echo old >"$T/keep/old.txt"
printf '{"toolchains": {"bb": "busybox@test"}, "argv": [%s, "echo", "new"]}\n' "$BBX" >"$T/replace.json"
expect_exit 3 "a non-empty OUT without --force" "$TEEBUILD" --tee none run "$T/replace.json" -o "$T/keep"
check "the old OUT is untouched" test -f "$T/keep/old.txt"
expect_exit 0 "--force replaces OUT" "$TEEBUILD" --tee none --json run "$T/replace.json" -o "$T/keep" --force
check "the old contents are gone" test ! -e "$T/keep/old.txt"
check "the new run is in place" grep -qx new "$T/keep/logs/stdout"
check "no staging or old copies are left" test -z "$(ls -d "$T"/keep.* 2>/dev/null)"
check "--json prints the result object" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is True and r["exitCode"] == 0 and r["subjects"] >= 2 and r["out"].endswith("keep"), r
assert set(r) == {"ok", "out", "exitCode", "subjects", "tee", "bundle"}, r' "$T/last.out"

done_testing
