# Shared helpers for shell tests (TAP output). Source it: . "$TB_SOURCE_DIR/tests/lib.sh"
# Each test script gets a private temp dir ($T) and store ($TEEBUILD_STORE), removed on exit.
set -u
: "${TEEBUILD:?TEEBUILD must name the built binary}"
: "${TB_SOURCE_DIR:?}"
T=$(mktemp -d /tmp/tbtest.XXXXXX)
chmod 755 "$T"
export TEEBUILD_STORE="$T/store"
# A server left in the background would outlive the test and hold ctest's output pipe open, so
# ctest would wait for it until the timeout. A script that sets its own EXIT trap ends it with this.
tb_cleanup() {
  kill $(jobs -p) 2>/dev/null
  rm -rf "$T"
}
trap tb_cleanup EXIT
# Pack determinism tests compare digests against locks made with the default mtime.
unset SOURCE_DATE_EPOCH
# Tests talk HTTP to loopback servers only; a proxy from the environment would swallow that.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
tb_n=0
tb_failed=0

ok()   { tb_n=$((tb_n + 1)); echo "ok $tb_n - $*"; }
fail() { tb_n=$((tb_n + 1)); tb_failed=$((tb_failed + 1)); echo "not ok $tb_n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

# expect_exit CODE WHAT CMD...: run CMD, capture stderr in $T/last.err, stdout in $T/last.out.
expect_exit() {
  local want=$1 what=$2; shift 2
  "$@" >"$T/last.out" 2>"$T/last.err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
    fail "$what: want exit $want, got $got"; sed 's/^/#   /' "$T/last.err" | head -20; fi
}

# expect_err REGEX WHAT: the first stderr line of the last expect_exit matches REGEX.
expect_err() {
  if head -1 "$T/last.err" | grep -Eq -- "$1"; then ok "$2"; else
    fail "$2: first stderr line does not match /$1/"; sed 's/^/#   /' "$T/last.err" | head -5; fi
}

# empty_dir DIR: DIR exists and is empty (test -z "$(ls -A DIR)" alone also passes with no DIR).
empty_dir() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }

# tb_wait_for -S|-s PATH: wait until PATH is a socket (-S) or a non-empty file (-s), as a server
# started in the background says it is ready; up to 30 s, since CI machines and ASan builds are slow.
tb_wait_for() {
  local _
  for _ in $(seq 300); do [ "$1" "$2" ] && return 0; sleep 0.1; done
  echo "# $2 was not ready after 30 s"
  return 1
}

done_testing() {
  echo "1..$tb_n"
  [ "$tb_failed" -eq 0 ]
  exit $?
}

# tb_busybox_pack [STORE]: build the busybox toolchain (toolchains/busybox/make-pack.sh, needs Debian's
# busybox-static) into STORE (default $TEEBUILD_STORE) and print its sha256. It then resolves as
# "sha256:<that>" or busybox@<busybox's version>; bin/sh, bin/busybox and every applet are in it.
tb_busybox_pack() {
  "$TB_SOURCE_DIR/toolchains/busybox/make-pack.sh" --teebuild "$TEEBUILD" --store "${1:-$TEEBUILD_STORE}" \
    2>"$T/busybox-pack.err" | tail -1
}

# tb_host_busybox: add Debian's static busybox to $TEEBUILD_STORE as busybox@test (a one-file
# toolchain whose entrypoint is busybox), or fail the whole test when there is none.
tb_host_busybox() {
  local bb
  bb=$(command -v busybox)
  if [ -z "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
    fail "a static busybox is needed (busybox-static; scripts/deps.sh installs it)"
    done_testing
  fi
  "$TEEBUILD" toolchain add "$bb" --sha256 "$(sha256sum "$bb" | cut -d' ' -f1)" --name busybox --version test \
    --entrypoint busybox >/dev/null 2>&1 || fail "busybox added to the store"
}

# tb_copy_job: in ./job.json, a job on tb_host_busybox's toolchain that copies ./in/A.json to its
# output as A.json (the smallest job that makes a bundle).
tb_copy_job() {
  mkdir -p in
  echo '{"contract": "A"}' >in/A.json
  cat >job.json <<'JOB'
{"toolchains": {"bb": "busybox@test"}, "inputs": "in", "argv": ["/toolchain/bb/bin/busybox", "cp", "/src/A.json", "/out/A.json"]}
JOB
}
