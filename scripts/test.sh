#!/usr/bin/env bash
# Everything CI checks: install the dependencies, then configure, build and run ctest twice, in the
# normal build type and under AddressSanitizer/UBSan; the normal build's ctest includes `lint`
# (scripts/lint.sh: clang-tidy and cppcheck, any finding fails). The last line sums ctest's own counts:
# "N passed, N failed". Exits non-zero if anything failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
bash scripts/deps.sh || { echo "test.sh: scripts/deps.sh failed" >&2; echo "0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 status=0
for type in RelWithDebInfo Asan; do
  dir=$repo/build-test-$(echo "$type" | tr '[:upper:]' '[:lower:]')
  echo "== $type: configure and build in ${dir#"$repo"/}" >&2
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" >"$dir/configure.log" 2>&1 ||
     ! cmake --build "$dir" -j"$jobs" >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/configure.log" "$dir/build.log" >&2
    echo "test.sh: $type build failed" >&2
    failed=$((failed + 1)) status=1
    continue
  fi
  echo "== $type: ctest" >&2
  log=$dir/ctest.log
  (cd "$dir" && ctest --output-on-failure --no-tests=error) 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # "100% tests passed, 0 tests failed out of 25"
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)) status=1
    continue
  fi
  total=${line##* out of }
  f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/')
  passed=$((passed + total - f)) failed=$((failed + f))
done
echo "$passed passed, $failed failed"
exit $status
