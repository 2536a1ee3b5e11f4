#!/bin/bash
# Benchmark: `teebuild audit` of the OpenZeppelin ERC20 example (verify the build, archive export,
# Slither in the jail, attestation with the simulated TEE) vs the same Slither pack run directly on
# the host on the same archive (goal: ratio <= 1.10). Appends the dated result to bench/RESULTS.md.
# usage: bench/audit_erc20.sh [TEEBUILD_BINARY] [RUNS]   (needs solc-js@0.8.24 and slither@0.11.6 in
#        the store, examples/erc20/node_modules, and the build tree's tests/audit/make_archive)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/build-demo/runner/teebuild}
runs=${2:-25}
make_archive=$(dirname "$bin")/../tests/audit/make_archive
spawn=$(dirname "$bin")/../bench/tb-spawn-time
for f in "$bin" "$make_archive" "$spawn"; do
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

# Alternating, after one warm-up of each (tb-spawn-time), so that load from elsewhere falls on both
# sides alike; each run writes new reports / a new OUT (no removal of the previous ones timed).
# Slither direct gets a clean environment like the jail's: HOME and PATH only.
"$spawn" "$runs" direct --cwd "$work/direct" --env HOME="$work/home" --env PATH=/usr/bin:/bin -- \
  "$slither" build_export_archive.json --json "slither-{n}.json" --sarif "slither-{n}.sarif" --fail-none --disable-color \
  --- audit -- "$bin" --tee simulated -q audit --build "$work/build" -o "$work/audit-{n}" >"$work/times"
[ -s "$work/direct/slither-0.json" ] || { echo "audit_erc20.sh: Slither direct wrote no report" >&2; exit 1; }
t_direct=$(awk '$1 == "direct" { printf "%.0f", $2 }' "$work/times")
t_audit=$(awk '$1 == "audit" { printf "%.0f", $2 }' "$work/times")
ratio=$(awk -v a="$t_audit" -v b="$t_direct" 'BEGIN { printf "%.3f", a / b }')
report=$(cat <<REPORT
### $(date -u +%Y-%m-%d) audit_erc20 — $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
- Slither 0.11.6 direct (pack's bin/slither on the host, same archive, --json + --sarif): ${t_direct} ms (median of $runs, alternating, tb-spawn-time)
- teebuild audit --tee simulated (verify build, archive export, jail, attest): ${t_audit} ms — ratio ${ratio} (goal <= 1.10)
- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
REPORT
)
echo "$report"
printf '\n%s\n' "$report" >>"$repo/bench/RESULTS.md"
