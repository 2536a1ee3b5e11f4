#!/bin/bash
# `teebuild run` by an unprivileged user (CI runs as root, so this drops to nobody): user
# namespaces give the jail its isolation without any privilege; cgroups are the caller's to lower
# explicitly, and the provenance says what was in force.
. "$TB_SOURCE_DIR/tests/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
  # Already unprivileged: run as we are.
  as_user() { "$@"; }
else
  as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- env HOME="$T" "$@"; }
fi
BB=$(command -v busybox)
[ -n "$BB" ] || { fail "a static busybox is needed (busybox-static)"; done_testing; }

# A home for the user: the store, the job and its output, all its own.
U=$T/user
mkdir -p "$U/in" && echo hello >"$U/in/a.txt"
cp "$BB" "$U/busybox"
chown -R 65534:65534 "$U" 2>/dev/null || true
export TEEBUILD_STORE=$U/store

expect_exit 0 "an unprivileged user adds a toolchain to its own store" \
  as_user "$TEEBUILD" toolchain add "$U/busybox" --sha256 "$(sha256sum "$BB" | cut -d' ' -f1)" \
  --name busybox --version test --entrypoint busybox
printf '{"toolchains": {"bb": "busybox@test"}, "argv": ["/toolchain/bb/bin/busybox", "cp", "/src/a.txt", "/out/x"], "inputs": "in"}\n' \
  >"$U/job.json"
chown 65534:65534 "$U/job.json" 2>/dev/null || true

if [ "$(id -u)" -eq 0 ]; then
  expect_exit 4 "without cgroups to use, the jail refuses unless isolation is lowered explicitly" \
    as_user "$TEEBUILD" --tee none run "$U/job.json" -o "$U/out0"
  expect_err 'cgroup' "the refusal names the missing cgroups"
fi

expect_exit 0 "an unprivileged user runs a job with --allow-no-cgroups" \
  as_user "$TEEBUILD" --tee none run "$U/job.json" -o "$U/out" --allow-no-cgroups
check "the job read /src and wrote /out: its file is an artifact" grep -qx hello "$U/out/artifacts/x"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["predicate"]["buildDefinition"]["internalParameters"]; print(json.dumps(p))' \
  "$U/out/provenance.json" >"$T/internal.json" || fail "the provenance has internalParameters"
# the provenance records that no cgroup was in force, by the caller's choice
check "  cgroup: none" grep -q '"cgroup": *"none"' "$T/internal.json"
check "  the lowering is recorded as the caller's" grep -q '"allowNoCgroups": true' "$T/internal.json"

# A job that leaves a process behind (a sleep with an unusual argument, so pgrep finds only it):
# with no cgroup to kill it, the jail's PID namespace must take it down with the job. The python
# profile is the one that lets a job start processes.
printf '{"toolchains": {"bb": "busybox@test"}, "argv": ["/toolchain/bb/bin/busybox", "sh", "-c", "%s"], "inputs": "in", "seccomp": "python"}\n' \
  '/toolchain/bb/bin/busybox sleep 3917 </dev/null >/dev/null 2>\u00261 \u0026 echo $! >/out/bg' >"$U/job-bg.json"
chown 65534:65534 "$U/job-bg.json" 2>/dev/null || true
uid=$(as_user id -u)
expect_exit 0 "a job that leaves a background process" \
  as_user "$TEEBUILD" --tee none run "$U/job-bg.json" -o "$U/out-bg" --allow-no-cgroups
check "... started it" grep -qx '[0-9][0-9]*' "$U/out-bg/artifacts/bg"
# The kernel kills the rest of a PID namespace as its init exits; allow it a moment under load.
survivors() { pgrep -u "$uid" -f 'busybox sleep 3917' >/dev/null; }
for _ in $(seq 50); do survivors || break; sleep 0.1; done
if survivors; then fail "no process of the job outlives it"; else ok "no process of the job outlives it"; fi

done_testing
