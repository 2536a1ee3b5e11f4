#!/bin/bash
# The tsm provider against a FUSE stand-in for configfs-tsm (tests/tee/tsm_standin.py): a job's
# quote comes through inblob/outblob and is bound to its statement; a concurrent writer (the
# generation moving by more than our one write) and a provider other than tdx_guest are exit 5 in
# one line.
. "$TB_SOURCE_DIR/tests/lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount >/dev/null || ! /usr/bin/python3 -c 'import fusepy' 2>/dev/null; then
  fail "FUSE is needed (/dev/fuse, fusermount, python3-fusepy; scripts/deps.sh installs them)"
  done_testing
fi
cd "$T"
tb_host_busybox
mkdir -p in tsm
echo '{"contract": "A"}' >in/A.json
cat >job.json <<'JOB'
{"toolchains": {"bb": "busybox@test"}, "inputs": "in", "argv": ["/toolchain/bb/bin/busybox", "cp", "/src/A.json", "/out/A.json"]}
JOB
standin=
mount_standin() { # [race|sev]
  # stdout to a file: the stand-in must not hold ctest's output pipe open should it outlive us.
  /usr/bin/python3 "$TB_SOURCE_DIR/tests/tee/tsm_standin.py" "$T/tsm" "$TEEBUILD" "$@" >"$T/standin.out" 2>"$T/standin.err" &
  standin=$!
  # Up to 30 s: python and FUSE start slowly on a loaded CI machine.
  for _ in $(seq 300); do mountpoint -q "$T/tsm" && return; sleep 0.1; done
  fail "the stand-in mounted"
}
# A busy mount makes fusermount -u fail and the stand-in never return: detach it lazily then, and
# end the stand-in rather than wait for it until ctest's timeout.
unmount_tsm() { fusermount -u "$T/tsm" 2>/dev/null || fusermount -uz "$T/tsm" 2>/dev/null; }
unmount_standin() {
  unmount_tsm
  kill "$standin" 2>/dev/null
  wait "$standin" 2>/dev/null
}
trap 'unmount_tsm; tb_cleanup' EXIT

mount_standin
TEEBUILD_TSM_ROOT="$T/tsm" expect_exit 0 "run --tee tsm" "$TEEBUILD" --tee tsm --json run job.json -o "$T/out"
check "--json names the tsm provider" grep -q '"tee":"tsm"' "$T/last.out"
check "the report entry is removed again" test -z "$(ls "$T/tsm")"
"$TEEBUILD" --json verify out >"$T/v.json" 2>/dev/null
check "the outblob quote binds the statement and the key" python3 -c '
import json, sys
c = {c["name"]: c for c in json.load(open(sys.argv[1]))["checks"]}
assert c["envelope-signature"]["ok"] and c["binding"]["ok"], c
assert "report_data binds" in c["binding"]["detail"], c["binding"]' "$T/v.json"
check "a tsm quote is judged against Intel's root (this one is simulated: refused)" python3 -c '
import json, sys
c = {c["name"]: c for c in json.load(open(sys.argv[1]))["checks"]}
assert not c["quote"]["ok"] and "no collateral" in c["quote"]["detail"], c["quote"]' "$T/v.json"
TEEBUILD_TSM_ROOT="$T/tsm" expect_exit 0 "quote --tee tsm" "$TEEBUILD" --tee tsm quote --report-data abcd
check "the quote carries the report_data written to inblob" python3 -c '
import sys; q = bytes.fromhex(open(sys.argv[1]).read().strip())
assert q[568:632] == bytes.fromhex("abcd") + bytes(62), q[568:632].hex()' "$T/last.out"
unmount_standin

mount_standin race
TEEBUILD_TSM_ROOT="$T/tsm" expect_exit 5 "a second writer on the entry" "$TEEBUILD" --tee tsm run job.json -o "$T/out-race"
expect_err '^teebuild: run: attest: tee tsm: configfs-tsm: .* was written by someone else meanwhile \(generation 0 -> 2\)' \
  "the race is one clear line"
check "the error is one line" test "$(wc -l <"$T/last.err")" -eq 1
check "no OUT is left behind" test ! -e "$T/out-race"
check "the report entry is removed after the race too" test -z "$(ls "$T/tsm")"
unmount_standin

mount_standin sev
TEEBUILD_TSM_ROOT="$T/tsm" expect_exit 5 "a configfs-tsm of another TEE" "$TEEBUILD" --tee tsm quote --report-data 00
expect_err '^teebuild: quote: tee tsm: configfs-tsm: the provider is "sev_guest", not tdx_guest' "the provider is named"
check "the report entry is removed" test -z "$(ls "$T/tsm")"
unmount_standin
done_testing
