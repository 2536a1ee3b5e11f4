#!/bin/bash
# Benchmark: `teebuild quote verify` of the v4 sample vs Phala's @phala/dcap-qvl (node) on the same
# quote, collateral and time, each as a fresh process per verification (what a user or a CI step
# runs), alternating the two. Prints medians and the ratio teebuild/dcap-qvl (goal <= 0.5x) and
# appends the dated section to bench/RESULTS.md.
# usage: bench/quote_verify.sh [TEEBUILD_BINARY] [RUNS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/build/runner/teebuild}
runs=${2:-30}
data=${TB_TESTDATA:-$repo/../shared/testdata}/tdx
quote=$data/dcapqvl_tdx_quote.bin collateral=$data/dcapqvl_tdx_quote_collateral.json now=1752919234
js_dir=$repo/tests/dcap/js
[ -x "$bin" ] || { echo "quote_verify.sh: no teebuild binary at $bin (build first)" >&2; exit 3; }
[ -d "$js_dir/node_modules/@phala/dcap-qvl" ] || { echo "quote_verify.sh: run scripts/deps.sh (npm ci in tests/dcap/js)" >&2; exit 3; }

ours() { "$bin" quote verify "$quote" --collateral "$collateral" --time "$now"; }
theirs() { node "$js_dir/verify.js" "$quote" "$collateral" "$now"; }
# Both must give the same verdict before timing means anything.
ours >/dev/null
theirs | grep -q '"status":"UpToDate"'

us() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000)); }
median_ms() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m / 1000 }'; }
: >"$repo/bench/.quote_verify.ours" && : >"$repo/bench/.quote_verify.theirs"
trap 'rm -f "$repo/bench/.quote_verify.ours" "$repo/bench/.quote_verify.theirs"' EXIT
for ((i = 0; i < runs; i++)); do
  us ours >>"$repo/bench/.quote_verify.ours"
  us theirs >>"$repo/bench/.quote_verify.theirs"
done
a=$(median_ms <"$repo/bench/.quote_verify.ours")
b=$(median_ms <"$repo/bench/.quote_verify.theirs")
ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
version=$(node -p 'require(process.argv[1]).version' "$js_dir/node_modules/@phala/dcap-qvl/package.json")
section=$(cat <<EOT

## $(date -u +%Y-%m-%dT%H:%MZ) quote verify (DCAP, v4 sample + collateral, --time $now), $runs runs each, alternating
- machine: $(uname -sr) $(uname -m), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)
- teebuild quote verify ($bin): median $a ms
- @phala/dcap-qvl $version (node $(node --version), tests/dcap/js/verify.js): median $b ms
- ratio teebuild / dcap-qvl: ${ratio}x (goal <= 0.5x)
EOT
)
echo "$section"
echo "$section" >>"$repo/bench/RESULTS.md"
