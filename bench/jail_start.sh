#!/usr/bin/env bash
# Jail start-up cost: a trivial static payload under tb-jail-run (the library-level driver: full
# setup: namespaces, pivot_root, cgroup, rlimits, seccomp and its listener, copy-out; the compiled
# profile from its on-disk cache, as the runner has it from the store's; linked static-pie, as a
# standalone jail like bwrap ships), under tb-jail-run-dynamic (the same program linked like
# teebuild: libc and libseccomp loaded at each start), and as a
# `teebuild run --tee none` job (what a user pays: the CLI's start, staging, the jail, provenance and
# bundle), versus bwrap with equivalent isolation. tb-spawn-time runs the four alternating, RUNS
# rounds, each timed from its fork to its wait with nothing else in the interval (no shell, no
# `date`, no mktemp); prints medians and ratios, and appends them to bench/RESULTS.md.
#   bench/jail_start.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: jail_start.sh BUILD_DIR [RUNS]}
runs=${2:-100}
here=$(cd "$(dirname "$0")" && pwd)
run=$build/bench/tb-jail-run
run_dynamic=$build/bench/tb-jail-run-dynamic
payload=$build/bench/tb_bench_true
spawn=$build/bench/tb-spawn-time
teebuild=$build/runner/teebuild
for f in "$run" "$run_dynamic" "$payload" "$spawn" "$teebuild"; do
  [ -x "$f" ] || { echo "jail_start.sh: build $f first" >&2; exit 2; }
done
command -v bwrap >/dev/null || { echo "bwrap not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/tbbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/tc" "$work/src" "$work/out"
cp "$payload" "$work/tc/true"
chmod 755 "$work/tc/true"
# bwrap gets the same seccomp filter (its default action, user notification, has no listener
# there; the payload makes no call it denies).
"$run" --export-seccomp default "$work/seccomp.bpf"
# The same payload as a toolchain in a private store, run as a job.
export TEEBUILD_STORE=$work/store
"$teebuild" -q toolchain add "$payload" --sha256 "$(sha256sum "$payload" | cut -d' ' -f1)" --name true \
  --version bench --entrypoint true >/dev/null
echo '{"toolchains": {"t": "true@bench"}, "argv": ["/toolchain/t/bin/true"]}' >"$work/job.json"

# The payload writes nothing, so every run may use the same (empty) out directory.
jail_args=(--seccomp-cache "$work/seccomp-cache" --bind "$work/tc:/toolchain/bench" --bind "$work/src:/src"
  --out "$work/out" -- /toolchain/bench/true)
ours=("$run" "${jail_args[@]}")
ours_dynamic=("$run_dynamic" "${jail_args[@]}")
cli=("$teebuild" -q --tee none run "$work/job.json" -o "$work/cli-out" --force)
theirs=(bwrap --unshare-all --die-with-parent --new-session --clearenv --hostname teebuild
  --uid 1000 --gid 1000 --ro-bind "$work/tc" /toolchain/bench --ro-bind "$work/src" /src
  --proc /proc --dev /dev --tmpfs /tmp --tmpfs /out --chdir /src --remount-ro /
  --seccomp 9 /toolchain/bench/true)

linkage="static-pie"
readelf -l "$run" | grep -q INTERP && linkage="dynamically linked"
# "LABEL wall_median wall_p10 wall_p90 cpu_median" per command.
"$spawn" "$runs" ours -- "${ours[@]}" --- dynamic -- "${ours_dynamic[@]}" --- cli -- "${cli[@]}" \
  --- bwrap --fd 9="$work/seccomp.bpf" -- "${theirs[@]}" \
  >"$work/times"
field() { awk -v l="$1" -v f="$2" '$1 == l {print $f}' "$work/times"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# CPU time per run: perf's task-clock of the launcher and everything it starts (wait4's rusage
# misses bwrap's sandbox init, which bwrap itself never waits for), over 20 runs plus tb-spawn-time's
# warm-up run.
cpu_line="- CPU time per run: not measured (no perf)"
if command -v perf >/dev/null; then
  cpu_ms() {
    perf stat -x, -e task-clock "$spawn" 20 "$@" 2>&1 >/dev/null </dev/null |
      awk -F, '/task-clock/ {printf "%.2f", $1 / 21}'
  }
  c_ours=$(cpu_ms ours -- "${ours[@]}")
  c_theirs=$(cpu_ms bwrap --fd 9="$work/seccomp.bpf" -- "${theirs[@]}")
  cpu_line="- CPU time per run (perf task-clock, 21 runs each): tb-jail-run ${c_ours} ms, bwrap ${c_theirs} ms, ratio $(ratio "$c_ours" "$c_theirs")x"
fi
report=$(cat <<REPORT

## $(date -u +%Y-%m-%dT%H:%MZ) jail start, $runs runs each, alternating (tb-spawn-time)
- machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%d MiB", $2/1024}' /proc/meminfo)
- as uid $(id -u), load average $(cut -d' ' -f1-3 /proc/loadavg); $(bwrap --version)
- tb-jail-run (namespaces, pivot_root, cgroup, rlimits, seccomp + listener, copy-out; $linkage): median $(field ours 2) ms (p10 $(field ours 3), p90 $(field ours 4))
- tb-jail-run-dynamic (the same, linked like teebuild): median $(field dynamic 2) ms (p10 $(field dynamic 3), p90 $(field dynamic 4)), ratio to bwrap $(ratio "$(field dynamic 2)" "$(field bwrap 2)")x
- teebuild --tee none run (the same payload as a job: CLI start, staging, jail, provenance, bundle): median $(field cli 2) ms (p10 $(field cli 3), p90 $(field cli 4))
- bwrap --unshare-all --die-with-parent --new-session --seccomp (same filter; no cgroup, no rlimits): median $(field bwrap 2) ms (p10 $(field bwrap 3), p90 $(field bwrap 4))
- ratio tb-jail-run / bwrap: $(ratio "$(field ours 2)" "$(field bwrap 2)")x (goal <= 0.8x), at p10 $(ratio "$(field ours 3)" "$(field bwrap 3)")x; teebuild run / bwrap: $(ratio "$(field cli 2)" "$(field bwrap 2)")x
$cpu_line
REPORT
)
echo "$report"
echo "$report" >>"$here/RESULTS.md"
