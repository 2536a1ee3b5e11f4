#!/bin/bash
# Benchmark: the OpenZeppelin ERC20 example built through teebuild (jail, staging, artifacts; with
# --tee none and with the simulated TEE) vs the same solc-js pack run directly on the host on the
# same standard JSON, timed by tb-spawn-time (alternating, from fork to wait, no shell in the
# interval). Each run writes a new output: direct solc its JSON to a new file, teebuild a new OUT;
# a fourth line replaces one OUT with --force, which also removes the previous tree (on a
# filesystem mounted with discard, a synchronous TRIM per freed block). Prints median wall times
# and the ratio teebuild/direct (goal <= 1.05), and the
# runner's own peak memory (goal <= 4 MiB), sampled every 2 ms from /proc of the teebuild process
# (the jailed job is a separate process and not counted): VmHWM, which includes the shared
# libraries' pages (OpenSSL, libcurl, libarchive: ~6 MiB for `teebuild --help` alone), and the peak
# of RssAnon, the runner's own heap and stacks. Appends the dated result to bench/RESULTS.md.
# usage: bench/build_erc20.sh [TEEBUILD_BINARY] [RUNS]     (needs solc-js@0.8.24 in the store and
#        examples/erc20/node_modules: scripts/demo.sh makes both)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/build-demo/runner/teebuild}
runs=${2:-21}
spawn=$(dirname "$bin")/../bench/tb-spawn-time
[ -x "$bin" ] || { echo "build_erc20.sh: no teebuild binary at $bin (build first)" >&2; exit 3; }
[ -x "$spawn" ] || { echo "build_erc20.sh: no $spawn (build the bench targets)" >&2; exit 3; }
[ -d "$repo/examples/erc20/node_modules" ] || { echo "build_erc20.sh: run scripts/deps.sh first" >&2; exit 3; }
sha=$("$bin" toolchain list | awk '$1 == "solc-js" && $2 == "0.8.24" { sub("sha256:", "", $3); print $3; exit }')
[ -n "$sha" ] || { echo "build_erc20.sh: no solc-js 0.8.24 in the store (scripts/demo.sh adds it)" >&2; exit 3; }
store=${TEEBUILD_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/teebuild}
solc=$store/toolchains/$sha/root/bin/solc
[ -x "$solc" ] || { echo "build_erc20.sh: $solc is missing (pass TEEBUILD_STORE)" >&2; exit 3; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --tee none -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/ref"
input=$work/ref/artifacts/solc-input.json

src=("$repo/examples/erc20" --solc 0.8.24)
"$spawn" "$runs" direct --stdin "$input" --stdout "$work/direct-{n}.json" -- "$solc" --standard-json \
  --- none -- "$bin" --tee none -q build "${src[@]}" -o "$work/none-{n}" \
  --- simulated -- "$bin" --tee simulated -q build "${src[@]}" -o "$work/sim-{n}" \
  --- force -- "$bin" --tee none -q build "${src[@]}" -o "$work/out" --force \
  >"$work/times"
median_of() { awk -v l="$1" '$1 == l { printf "%.0f", $2 }' "$work/times"; }
t_direct=$(median_of direct)
t_none=$(median_of none)
t_sim=$(median_of simulated)
t_force=$(median_of force)

# Peak memory of the teebuild process itself: "VmHWM-MiB RssAnon-MiB".
peak_mib() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = {"VmHWM": 0, "RssAnon": 0}
while p.poll() is None:
    try:
        for line in open(f"/proc/{p.pid}/status"):
            key = line.split(":")[0]
            if key in peak:
                peak[key] = max(peak[key], int(line.split()[1]))
    except (FileNotFoundError, ProcessLookupError):
        pass
    time.sleep(0.002)
print(f"VmHWM {peak['VmHWM'] / 1024:.1f} MiB, RssAnon {peak['RssAnon'] / 1024:.1f} MiB")
PY
}
rss_none=$(peak_mib "$bin" --tee none -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/out" --force)
rss_sim=$(peak_mib "$bin" --tee simulated -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/out" --force)
echo '{"toolchains": {"solc": "solc-js@0.8.24"}, "argv": ["/toolchain/solc/bin/solc", "--version"]}' >"$work/version.json"
rss_run=$(peak_mib "$bin" --tee none -q run "$work/version.json" -o "$work/run" --force)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
report=$(cat <<REPORT
### $(date -u +%Y-%m-%d) build_erc20 — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
- solc-js 0.8.24 direct (pack's bin/solc on the host): ${t_direct} ms (median of $runs, alternating, tb-spawn-time)
- teebuild build --tee none: ${t_none} ms — ratio $(ratio "$t_none" "$t_direct") (goal <= 1.05)
- teebuild build --tee simulated: ${t_sim} ms — ratio $(ratio "$t_sim" "$t_direct")
- teebuild build --tee none replacing an OUT (--force: the previous tree removed): ${t_force} ms — ratio $(ratio "$t_force" "$t_direct")
- runner peak memory, job excluded (goal <= 4 MiB): build --tee none: $rss_none; build --tee simulated:
  $rss_sim; run (solc --version): $rss_run
- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (a shared machine: other sessions' work lands on both sides)
REPORT
)
echo "$report"
printf '\n%s\n' "$report" >>"$repo/bench/RESULTS.md"
