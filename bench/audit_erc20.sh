#!/bin/bash
# Benchmark: `teebuild audit` of the OpenZeppelin ERC20 example (verify the build, archive export,
# Slither in the jail, attestation with the simulated TEE) vs the same Slither pack run directly on
# the host on the same archive (goal: ratio <= 1.10). Appends the dated result to bench/RESULTS.md.
# usage: bench/audit_erc20.sh [TEEBUILD_BINARY] [RUNS]   (needs solc-js@0.8.24 and slither@0.11.6 in
#        the store, examples/erc20/node_modules, and the build tree's tests/audit/make_archive)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/build-demo/runner/teebuild}
runs=${2:-5}
make_archive=$(dirname "$bin")/../tests/audit/make_archive
for f in "$bin" "$make_archive"; do
  [ -x "$f" ] || { echo "audit_erc20.sh: $f is missing (build first)" >&2; exit 3; }
done
sha=$("$bin" toolchain list | awk '$1 == "slither" && $2 == "0.11.6" { sub("sha256:", "", $3); print $3; exit }')
[ -n "$sha" ] || { echo "audit_erc20.sh: no slither 0.11.6 in the store (toolchains/slither/make-pack.sh)" >&2; exit 3; }
store=${TEEBUILD_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/teebuild}
slither=$store/toolchains/$sha/root/bin/slither

work=$(mktemp -d)
chmod 755 "$work" # the jail's user must reach the staging directories
trap 'rm -rf "$work"' EXIT
"$bin" --tee simulated -q build "$repo/examples/erc20" --solc 0.8.24 -o "$work/build"
mkdir "$work/direct" "$work/home"
"$make_archive" "$work/build" "$work/direct"

ms() { # CMD...: wall milliseconds of one run; a failed run aborts the benchmark
  local start
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "audit_erc20.sh: '$*' failed" >&2; exit 1; }
  echo $((($(date +%s%N) - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
direct() { # the exit status is 0 (--fail-none): a failure shows as a missing report
  rm -f "$work/direct/slither.json" "$work/direct/slither.sarif"
  (cd "$work/direct" && env -i HOME="$work/home" "$slither" build_export_archive.json --json slither.json \
    --sarif slither.sarif --fail-none --disable-color) && test -s "$work/direct/slither.json"
}
through() { "$bin" --tee simulated -q audit --build "$work/build" -o "$work/audit" --force; }

# Alternating, after one warm-up of each, so that load from elsewhere falls on both sides alike.
ms direct >/dev/null
ms through >/dev/null
for ((i = 0; i < runs; i++)); do
  ms direct >>"$work/direct.ms"
  ms through >>"$work/audit.ms"
done
t_direct=$(median <"$work/direct.ms")
t_audit=$(median <"$work/audit.ms")
ratio=$(awk -v a="$t_audit" -v b="$t_direct" 'BEGIN { printf "%.3f", a / b }')
report=$(cat <<REPORT
### $(date -u +%Y-%m-%d) audit_erc20 — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
- Slither 0.11.6 direct (pack's bin/slither on the host, same archive, --json + --sarif): ${t_direct} ms (median of $runs, alternating)
- teebuild audit --tee simulated (verify build, archive export, jail, attest): ${t_audit} ms — ratio ${ratio} (goal <= 1.10)
- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
REPORT
)
echo "$report"
printf '\n%s\n' "$report" >>"$repo/bench/RESULTS.md"
