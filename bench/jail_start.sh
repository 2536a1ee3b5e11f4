#!/usr/bin/env bash
# Jail start-up cost: a trivial static payload under tb-jail-run (the library-level driver: full
# setup: namespaces, pivot_root, cgroup, rlimits, seccomp and its listener, copy-out; the compiled
# profile from its on-disk cache, as the runner has it from the store's), and as a
# `teebuild run --tee none` job (what a user pays: the CLI's start, staging, the jail, provenance and
# bundle), versus bwrap with equivalent isolation, alternating, RUNS runs each; prints medians and
# the ratios, and appends them to bench/RESULTS.md.
#   bench/jail_start.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: jail_start.sh BUILD_DIR [RUNS]}
runs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
run=$build/bench/tb-jail-run
payload=$build/bench/tb_bench_true
teebuild=$build/runner/teebuild
[ -x "$run" ] && [ -x "$payload" ] && [ -x "$teebuild" ] ||
  { echo "build tb-jail-run, tb_bench_true and teebuild first" >&2; exit 2; }
command -v bwrap >/dev/null || { echo "bwrap not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/tbbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/tc" "$work/src" "$work/cpu-out"
cp "$payload" "$work/tc/true"
chmod 755 "$work/tc/true"
# bwrap gets the same seccomp filter (its default action, user notification, has no listener
# there; the payload makes no call it denies).
"$run" --export-seccomp default "$work/seccomp.bpf" >/dev/null
# The same payload as a toolchain in a private store, run as a job.
export TEEBUILD_STORE=$work/store
"$teebuild" -q toolchain add "$payload" --sha256 "$(sha256sum "$payload" | cut -d' ' -f1)" --name true \
  --version bench --entrypoint true >/dev/null
echo '{"toolchains": {"t": "true@bench"}, "argv": ["/toolchain/t/bin/true"]}' >"$work/job.json"

now_ns() { date +%s%N; }

ours() {
  local out; out=$(mktemp -d "$work/out.XXXXXX")
  "$run" --seccomp-cache "$work/seccomp-cache" --bind "$work/tc:/toolchain/bench" --bind "$work/src:/src" \
    --out "$out" -- /toolchain/bench/true \
    </dev/null >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
}

cli() {
  "$teebuild" -q --tee none run "$work/job.json" -o "$work/cli-out" --force </dev/null >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
}

theirs() {
  bwrap --unshare-all --die-with-parent --new-session --clearenv --hostname teebuild \
    --uid 1000 --gid 1000 --ro-bind "$work/tc" /toolchain/bench --ro-bind "$work/src" /src \
    --proc /proc --dev /dev --tmpfs /tmp --tmpfs /out --chdir /src --remount-ro / \
    --seccomp 9 /toolchain/bench/true 9<"$work/seccomp.bpf" </dev/null >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
}

# CPU time per run (task-clock of the launcher and everything it starts), when perf is there:
# wall-clock medians on a loaded machine mostly measure scheduling delay between processes.
# Each run goes through `bash -c exec` so that bwrap reopens its filter file every time.
cpu_ms() { perf stat -r 20 -x, -e task-clock bash -c "exec $1" 2>&1 >/dev/null </dev/null | awk -F, '/task-clock/ {print $1}'; }

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

ours; cli; theirs # warm caches
: >"$work/ours"; : >"$work/cli"; : >"$work/theirs"
for ((i = 0; i < runs; i++)); do
  t=$(now_ns); ours; echo $(( $(now_ns) - t )) >>"$work/ours"
  t=$(now_ns); theirs; echo $(( $(now_ns) - t )) >>"$work/theirs"
  t=$(now_ns); cli; echo $(( $(now_ns) - t )) >>"$work/cli"
done
m_ours=$(median <"$work/ours")
m_cli=$(median <"$work/cli")
m_theirs=$(median <"$work/theirs")
ratio=$(awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN {printf "%.2f", a / b}')
ratio_cli=$(awk -v a="$m_cli" -v b="$m_theirs" 'BEGIN {printf "%.2f", a / b}')
cpu_line="- CPU time per run: not measured (no perf)"
if command -v perf >/dev/null; then
  # The same out dir every run: the payload writes nothing, so it stays empty.
  c_ours=$(cpu_ms "$run --seccomp-cache $work/seccomp-cache --bind $work/tc:/toolchain/bench --bind $work/src:/src --out $work/cpu-out \
    -- /toolchain/bench/true")
  c_theirs=$(cpu_ms "bwrap --unshare-all --die-with-parent --new-session --clearenv --hostname teebuild \
    --uid 1000 --gid 1000 --ro-bind $work/tc /toolchain/bench --ro-bind $work/src /src \
    --proc /proc --dev /dev --tmpfs /tmp --tmpfs /out --chdir /src --remount-ro / \
    --seccomp 9 /toolchain/bench/true 9<$work/seccomp.bpf")
  cpu_line="- CPU time per run (perf task-clock, 20 runs, each via bash -c exec): tb-jail-run ${c_ours} ms, bwrap ${c_theirs} ms, ratio $(awk -v a="$c_ours" -v b="$c_theirs" 'BEGIN {printf "%.2f", a / b}')x"
fi
report=$(cat <<REPORT

## $(date -u +%Y-%m-%dT%H:%MZ) jail start, $runs runs each, alternating
- machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%d MiB", $2/1024}' /proc/meminfo)
- as uid $(id -u), load average $(cut -d' ' -f1-3 /proc/loadavg); $(bwrap --version)
- tb-jail-run (namespaces, pivot_root, cgroup, rlimits, seccomp + listener, copy-out): median $(awk -v n="$m_ours" 'BEGIN {printf "%.2f", n/1e6}') ms
- teebuild --tee none run (the same payload as a job: CLI start, staging, jail, provenance, bundle): median $(awk -v n="$m_cli" 'BEGIN {printf "%.2f", n/1e6}') ms
- bwrap --unshare-all --die-with-parent --new-session --seccomp (same filter; no cgroup, no rlimits): median $(awk -v n="$m_theirs" 'BEGIN {printf "%.2f", n/1e6}') ms
- ratio tb-jail-run / bwrap: ${ratio}x (goal <= 0.8x); teebuild run / bwrap: ${ratio_cli}x
$cpu_line
REPORT
)
echo "$report"
echo "$report" >>"$here/RESULTS.md"
