#!/usr/bin/env bash
# Jail start-up cost: a trivial static payload under tb-jail-run (full setup: namespaces, pivot_root,
# cgroup, rlimits, seccomp with its supervisor, copy-out) versus bwrap with equivalent isolation,
# alternating, RUNS runs each; prints medians and the ratio, and appends them to bench/RESULTS.md.
#   bench/jail_start.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: jail_start.sh BUILD_DIR [RUNS]}
runs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
run=$build/bench/tb-jail-run
payload=$build/bench/tb_bench_true
[ -x "$run" ] && [ -x "$payload" ] || { echo "build tb-jail-run and tb_bench_true first" >&2; exit 2; }
command -v bwrap >/dev/null || { echo "bwrap not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/tbbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/tc" "$work/src"
cp "$payload" "$work/tc/true"
chmod 755 "$work/tc/true"
# bwrap gets the same seccomp filter (its default action, user notification, has no listener
# there; the payload makes no call it denies).
"$run" --export-seccomp default "$work/seccomp.bpf" >/dev/null

now_ns() { date +%s%N; }

ours() {
  local out; out=$(mktemp -d "$work/out.XXXXXX")
  "$run" --bind "$work/tc:/toolchain/bench" --bind "$work/src:/src" --out "$out" -- /toolchain/bench/true \
    </dev/null >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
}

theirs() {
  bwrap --unshare-all --die-with-parent --new-session --clearenv --hostname teebuild \
    --uid 1000 --gid 1000 --ro-bind "$work/tc" /toolchain/bench --ro-bind "$work/src" /src \
    --proc /proc --dev /dev --tmpfs /tmp --tmpfs /out --chdir /src --remount-ro / \
    --seccomp 9 /toolchain/bench/true 9<"$work/seccomp.bpf" </dev/null >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

ours; theirs # warm caches
: >"$work/ours"; : >"$work/theirs"
for ((i = 0; i < runs; i++)); do
  t=$(now_ns); ours; echo $(( $(now_ns) - t )) >>"$work/ours"
  t=$(now_ns); theirs; echo $(( $(now_ns) - t )) >>"$work/theirs"
done
m_ours=$(median <"$work/ours")
m_theirs=$(median <"$work/theirs")
ratio=$(awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN {printf "%.2f", a / b}')
report=$(cat <<REPORT

## $(date -u +%Y-%m-%dT%H:%MZ) jail start, $runs runs each, alternating
- machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%d MiB", $2/1024}' /proc/meminfo)
- as uid $(id -u), load average $(cut -d' ' -f1-3 /proc/loadavg); $(bwrap --version)
- tb-jail-run (namespaces, pivot_root, cgroup, rlimits, seccomp + supervisor, copy-out): median $(awk -v n="$m_ours" 'BEGIN {printf "%.2f", n/1e6}') ms
- bwrap --unshare-all --die-with-parent --new-session --seccomp (same filter; no cgroup): median $(awk -v n="$m_theirs" 'BEGIN {printf "%.2f", n/1e6}') ms
- ratio tb-jail-run / bwrap: ${ratio}x (goal <= 0.8x)
REPORT
)
echo "$report"
echo "$report" >>"$here/RESULTS.md"
