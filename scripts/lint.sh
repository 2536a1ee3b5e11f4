#!/usr/bin/env bash
# Static analysis of every C file teebuild builds: clang-tidy (the checks in .clang-tidy, every
# finding an error) and cppcheck (warning, performance, portability). Findings are fixed in the code,
# never silenced: no NOLINT, no suppressions. Exits non-zero on any finding.
#
# usage: scripts/lint.sh [BUILD_DIR]
#   BUILD_DIR holds compile_commands.json (default: build-lint, configured here as RelWithDebInfo
#   when missing). ctest's `lint` test passes its own build directory.
#
# cppcheck gets the project's include root but not the system headers (they would slow it down
# and flood it with findings in libc): scripts/lint/jansson.cfg defines the two jansson iteration
# macros exactly as jansson.h does, which is configuration, not suppression.
# cppcheck does not model __attribute__((cleanup)): where it would report a leak the code takes a
# shape both tools understand (e.g. sandbox/cgroup.c reads through one fgets loop), rather than a
# suppression.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$repo/build-lint}
cd "$repo"
jobs=$(nproc 2>/dev/null || echo 2)

for tool in clang-tidy run-clang-tidy cppcheck; do
  command -v "$tool" >/dev/null || { echo "lint.sh: $tool is not installed (scripts/deps.sh)" >&2; exit 2; }
done
if [ ! -f "$build/compile_commands.json" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
fi

status=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# clang-tidy: every translation unit in the compilation database (the project's own and its tests),
# and the static launcher, which CMake compiles by a custom command outside the database.
run-clang-tidy -quiet -j "$jobs" -p "$build" >"$out" 2>&1
clang-tidy -quiet toolchains/launcher/launcher.c -- -std=gnu17 -D_GNU_SOURCE >>"$out" 2>&1
tidy=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' | sort -u)
if [ -n "$tidy" ]; then
  echo "$tidy"
  echo "lint.sh: clang-tidy: $(echo "$tidy" | wc -l) findings" >&2
  status=1
fi

# cppcheck: the same compilation database; --error-exitcode makes any finding fail.
if ! cppcheck --quiet --enable=warning,performance,portability --std=c11 -D_GNU_SOURCE -I. \
  --library=scripts/lint/jansson.cfg --project="$build/compile_commands.json" -j "$jobs" \
  --error-exitcode=1 --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2>"$out"; then
  sed "s|^$repo/||" "$out"
  echo "lint.sh: cppcheck: $(grep -c ': .*\[[a-zA-Z]*\]$' "$out") findings" >&2
  status=1
fi

[ $status -eq 0 ] && echo "lint.sh: clean (clang-tidy, cppcheck)" >&2
exit $status
