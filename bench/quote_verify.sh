#!/bin/bash
# Benchmark: `teebuild quote verify` of the v4 sample vs Phala's @phala/dcap-qvl (node) on the same
# quote, collateral and time, each as a fresh process per verification (what a user or a CI step
# runs). Prints the mean per verification and the ratio teebuild/dcap-qvl (goal <= 0.5), and
# appends the dated result to bench/RESULTS.md.
# usage: bench/quote_verify.sh [TEEBUILD_BINARY] [RUNS]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/build/runner/teebuild}
runs=${2:-30}
data=${TB_TESTDATA:-$repo/../shared/testdata}/tdx
quote=$data/dcapqvl_tdx_quote.bin collateral=$data/dcapqvl_tdx_quote_collateral.json now=1752919234
js=$repo/tests/dcap/js/verify.js
[ -x "$bin" ] || { echo "quote_verify.sh: no teebuild binary at $bin (build first)" >&2; exit 3; }
[ -d "$repo/tests/dcap/js/node_modules/@phala/dcap-qvl" ] || { echo "quote_verify.sh: run scripts/deps.sh (npm ci in tests/dcap/js)" >&2; exit 3; }

# Both must agree before timing means anything.
"$bin" quote verify "$quote" --collateral "$collateral" --time "$now" >/dev/null
node "$js" "$quote" "$collateral" "$now" | grep -q '"status":"UpToDate"'

mean_ms() { # CMD...: mean wall milliseconds over $runs runs (after one warm-up)
  "$@" >/dev/null 2>&1
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(((end - start) / runs / 1000)) # microseconds
}
ours=$(mean_ms "$bin" quote verify "$quote" --collateral "$collateral" --time "$now")
theirs=$(mean_ms node "$js" "$quote" "$collateral" "$now")
ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.3f", a / b }')
line=$(printf '%s quote_verify: v4 sample, %d runs: teebuild %.2f ms, @phala/dcap-qvl %s (node %s) %.2f ms, ratio %sx (goal <= 0.5x)' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$runs" "$(awk -v a="$ours" 'BEGIN{print a/1000}')" \
  "$(node -p 'require(process.argv[1]).version' "$repo/tests/dcap/js/node_modules/@phala/dcap-qvl/package.json")" \
  "$(node --version)" "$(awk -v a="$theirs" 'BEGIN{print a/1000}')" "$ratio")
echo "$line"
echo "- $line" >>"$repo/bench/RESULTS.md"
