#!/bin/bash
# Benchmark: the OpenZeppelin ERC20 example built through teebuild (jail, staging, artifacts; with
# --tee none and with the simulated TEE) vs the same solc-js pack run directly on the host on the
# same standard JSON. Prints mean wall times and the ratio teebuild/direct (goal <= 1.05), and the
# runner's own peak RSS (VmHWM of the teebuild process, sampled every 5 ms: the jailed job is a
# separate process and not counted; goal <= 4 MiB). Appends the dated result to bench/RESULTS.md.
# usage: bench/build_erc20.sh [TEEBUILD_BINARY] [RUNS]     (needs solc-js@0.8.24 in the store and
#        examples/erc20/node_modules: scripts/demo.sh makes both)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/build-demo/runner/teebuild}
runs=${2:-5}
[ -x "$bin" ] || { echo "build_erc20.sh: no teebuild binary at $bin (build first)" >&2; exit 3; }
[ -d "$repo/examples/erc20/node_modules" ] || { echo "build_erc20.sh: run scripts/deps.sh first" >&2; exit 3; }
sha=$("$bin" toolchain list | awk '$1 == "solc-js" && $2 == "0.8.24" { sub("sha256:", "", $3); print $3; exit }')
[ -n "$sha" ] || { echo "build_erc20.sh: no solc-js 0.8.24 in the store (scripts/demo.sh adds it)" >&2; exit 3; }
store=${TEEBUILD_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/teebuild}
solc=$store/toolchains/$sha/root/bin/solc
[ -x "$solc" ] || { echo "build_erc20.sh: $solc is missing (pass TEEBUILD_STORE)" >&2; exit 3; }

work=$(mktemp -d)
chmod 755 "$work" # the jail's user must reach the staging directories
trap 'rm -rf "$work"' EXIT
"$bin" --tee none -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/ref"
input=$work/ref/artifacts/solc-input.json

mean_ms() { # CMD...: mean wall milliseconds over $runs runs, after one warm-up
  "$@" >/dev/null 2>&1
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(((end - start) / runs / 1000000))
}
direct() { "$solc" --standard-json <"$input" >"$work/direct.json"; }
through() { "$bin" --tee "$1" -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/out" --force; }

t_direct=$(mean_ms direct)
t_none=$(mean_ms through none)
t_sim=$(mean_ms through simulated)

# Peak RSS of the teebuild process itself, sampled from /proc while it runs.
peak_kib() {
  python3 - "$@" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    except (FileNotFoundError, ProcessLookupError):
        pass
    time.sleep(0.005)
print(peak)
PY
}
rss_none=$(peak_kib "$bin" --tee none -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/out" --force)
rss_sim=$(peak_kib "$bin" --tee simulated -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/out" --force)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
report=$(cat <<REPORT
### $(date -u +%Y-%m-%d) build_erc20 — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
- solc-js 0.8.24 direct (pack's bin/solc on the host): ${t_direct} ms (mean of $runs)
- teebuild build --tee none: ${t_none} ms — ratio $(ratio "$t_none" "$t_direct") (goal <= 1.05)
- teebuild build --tee simulated: ${t_sim} ms — ratio $(ratio "$t_sim" "$t_direct")
- runner peak RSS (VmHWM, job excluded): --tee none $((rss_none / 1024)).$(((rss_none % 1024) * 10 / 1024)) MiB, --tee simulated $((rss_sim / 1024)).$(((rss_sim % 1024) * 10 / 1024)) MiB (goal <= 4 MiB)
REPORT
)
echo "$report"
printf '\n%s\n' "$report" >>"$repo/bench/RESULTS.md"
