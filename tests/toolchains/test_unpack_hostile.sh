#!/usr/bin/env bash
# Hostile archives: each `toolchain add` exits 3 with one line naming the entry, and leaves the
# store listing byte-identical and STORE/tmp empty. A harmless pack with toolchain.json installs.
. "$TB_SOURCE_DIR/tests/lib.sh"

python3 "$TB_SOURCE_DIR/tests/toolchains/hostile.py" "$T" || { fail "generate archives"; done_testing; }
"$TEEBUILD" toolchain list --json > "$T/list.before"

while IFS=$'\t' read -r case entry; do
  archive="$T/$case.tar.gz"
  sha=$(sha256sum "$archive" | cut -c1-64)
  expect_exit 3 "$case refused" "$TEEBUILD" toolchain add "$archive" --sha256 "$sha" --max-size 1M --max-entries 1000
  expect_err "^teebuild: toolchain add: .*entry '$(printf '%s' "$entry" | sed 's/[.[\*^$/]/\\&/g')'" \
    "$case: error names entry '$entry'"
  check "$case: error is one line" test "$(wc -l < "$T/last.err")" -eq 1
  "$TEEBUILD" toolchain list --json > "$T/list.after"
  check "$case: listing unchanged" cmp -s "$T/list.before" "$T/list.after"
  check "$case: no staging leftovers" empty_dir "$TEEBUILD_STORE/tmp"
done < "$T/cases.tsv"

sha=$(sha256sum "$T/harmless.tar.gz" | cut -c1-64)
expect_exit 0 "harmless pack with toolchain.json installs" "$TEEBUILD" toolchain add "$T/harmless.tar.gz" --sha256 "$sha"
root=$TEEBUILD_STORE/toolchains/$sha/root
check "harmless: named from its toolchain.json" grep -q '^harmless *1\.0 ' <("$TEEBUILD" toolchain list)
check "harmless: symlink and hard link kept" test -L "$root/bin/link" -a "$root/bin/hard" -ef "$root/bin/tool"
check "harmless: tree is read-only" test "$(stat -c %a "$root/bin/tool" "$root/share/doc/README" "$root/bin")" = \
  "$(printf '555\n444\n555')"
expect_exit 0 "resolvable by sha256: (verify)" "$TEEBUILD" toolchain verify "sha256:$sha"

# --name/--version override toolchain.json; a single file becomes bin/<name>
printf '#!/bin/true\n' > "$T/prog"
psha=$(sha256sum "$T/prog" | cut -c1-64)
expect_exit 0 "single file installs" "$TEEBUILD" toolchain add "$T/prog" --sha256 "$psha" --name prog --version 2
check "single file is bin/prog, mode 0555" test "$(stat -c %a "$TEEBUILD_STORE/toolchains/$psha/root/bin/prog")" = 555
printf '#!/bin/true\n# other\n' > "$T/prog2"
expect_exit 3 "single file without --name" "$TEEBUILD" toolchain add "$T/prog2" --kind file \
  --sha256 "$(sha256sum "$T/prog2" | cut -c1-64)"
expect_exit 0 "adding an installed digest again" "$TEEBUILD" toolchain add "$T/prog" --sha256 "$psha"
expect_err "already installed: prog@2" "an installed digest is not unpacked again"
expect_exit 3 "wrong digest" "$TEEBUILD" toolchain add "$T/prog" --sha256 "$(printf '%064d' 0)" --name p --version 1
expect_err "digest mismatch: expected sha256:0{64}, got sha256:$psha" "digest mismatch names both digests"
expect_exit 2 "usage: no --sha256" "$TEEBUILD" toolchain add "$T/prog"
expect_exit 2 "usage: bad --sha256" "$TEEBUILD" toolchain add "$T/prog" --sha256 xyz
expect_exit 3 "unknown toolchain" "$TEEBUILD" toolchain verify nope@1
expect_exit 0 "add --help" "$TEEBUILD" toolchain add --help
done_testing
