#!/usr/bin/env bash
# toolchain pack is deterministic (two trees, different umask, mtimes, TZ, paths); verify catches
# an edited file in an unpacked tree; gc removes an unreferenced, unused toolchain and keeps a
# referenced one and a recently used one.
. "$TB_SOURCE_DIR/tests/lib.sh"

# make_tree DIR: the same content, with whatever umask and mtimes the caller has
make_tree() {
  mkdir -p "$1/bin" "$1/lib/sub" "$1/empty"
  printf '#!/bin/true\n' > "$1/bin/tool" && chmod +x "$1/bin/tool"
  printf 'data\n' > "$1/lib/sub/data"
  printf 'z' > "$1/lib/a"
  ln -s ../lib/a "$1/bin/a"
  printf '{"name": "det", "version": "1", "entrypoints": ["tool"]}\n' > "$1/toolchain.json"
}
(umask 022; make_tree "$T/one")
(umask 077; mkdir -p "$T/elsewhere/deeper" && make_tree "$T/elsewhere/deeper/two")
touch -h -d '2001-02-03 04:05:06' "$T/elsewhere/deeper/two/lib/a" "$T/elsewhere/deeper/two/bin/a" "$T/elsewhere/deeper/two"
(cd "$T" && TZ=UTC "$TEEBUILD" toolchain pack one -o one.tar.zst > one.sha)
(cd "$T/elsewhere" && TZ=Pacific/Kiritimati SOURCE_DATE_EPOCH=0 "$TEEBUILD" toolchain pack deeper/two -o "$T/two.tar.zst" > "$T/two.sha")
sha=$(cut -c1-64 "$T/one.sha")
check "pack prints the archive's sha256" test "$sha" = "$(sha256sum "$T/one.tar.zst" | cut -c1-64)"
check "same tree, other umask/mtimes/TZ/path: same digest" cmp -s "$T/one.tar.zst" "$T/two.tar.zst"
SOURCE_DATE_EPOCH=86400 "$TEEBUILD" toolchain pack "$T/one" -o "$T/three.tar.zst" > /dev/null
# TZ=UTC: tar prints local time, and 86400 is 1970-01-02 only in UTC (and near it).
check "SOURCE_DATE_EPOCH changes the mtimes" test "$(TZ=UTC tar -tvf "$T/three.tar.zst" | grep -c '1970-01-02')" -gt 0
check "entries sorted, root-owned, modes normalised" diff <(tar --numeric-owner -tvf "$T/one.tar.zst" | awk '{ print $1, $2, $6 }') - <<'LIST'
drwxr-xr-x 0/0 bin/
lrwxrwxrwx 0/0 bin/a
-rwxr-xr-x 0/0 bin/tool
drwxr-xr-x 0/0 empty/
drwxr-xr-x 0/0 lib/
-rw-r--r-- 0/0 lib/a
drwxr-xr-x 0/0 lib/sub/
-rw-r--r-- 0/0 lib/sub/data
-rw-r--r-- 0/0 toolchain.json
LIST
expect_exit 2 "pack: output inside the tree refused" "$TEEBUILD" toolchain pack "$T/one" -o "$T/one/x.tar.zst"
expect_exit 2 "pack: usage without -o" "$TEEBUILD" toolchain pack "$T/one"

expect_exit 0 "add the pack" "$TEEBUILD" toolchain add "$T/one.tar.zst" --sha256 "$sha"
expect_exit 0 "verify an intact store" "$TEEBUILD" toolchain verify
root=$TEEBUILD_STORE/toolchains/$sha/root
chmod u+w "$root/lib/sub/data" && printf 'tampered\n' >> "$root/lib/sub/data"
expect_exit 3 "verify finds an edited file" "$TEEBUILD" toolchain verify
expect_err "^teebuild: toolchain verify: det@1 \(sha256:$sha\): unpacked tree was modified" "verify names the toolchain"
check "verify: the error comes first, on one line" test "$(grep -c '^teebuild: toolchain verify' "$T/last.err")" -eq 1
expect_exit 3 "verify NAME@VERSION finds it too" "$TEEBUILD" toolchain verify det@1
chmod u-w "$root/lib/sub/data"
expect_exit 3 "verify finds a mode change" bash -c "chmod u+w '$root/lib/a' && '$TEEBUILD' toolchain verify sha256:$sha"
"$TEEBUILD" toolchain verify --json > "$T/verify.json" 2>/dev/null
check "verify --json reports ok:false" grep -q '"ok":false' "$T/verify.json"

# concurrent installs of one pack: all succeed, one entry, nothing left in STORE/tmp
mkdir -p "$T/par/bin" && head -c 3000000 /dev/urandom > "$T/par/bin/blob" && printf '#!/bin/true\n' > "$T/par/bin/par" && chmod +x "$T/par/bin/par"
"$TEEBUILD" toolchain pack "$T/par" -o "$T/par.tar.zst" > "$T/par.sha" 2>/dev/null
psha=$(cut -c1-64 "$T/par.sha")
pids=()
for i in 1 2 3 4; do
  "$TEEBUILD" -q toolchain add "$T/par.tar.zst" --sha256 "$psha" --name par --version 1 > /dev/null 2> "$T/par.$i.err" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
check "4 concurrent adds of one pack all succeed" test "$rc" -eq 0
check "... and give one entry" test "$("$TEEBUILD" toolchain list | grep -c '^par ')" -eq 1
check "... and leave no staging behind" empty_dir "$TEEBUILD_STORE/tmp"
expect_exit 0 "... and it verifies" "$TEEBUILD" toolchain verify par@1

# gc: keep = referenced by a lock entry; old = unreferenced, unused for 40 days; new = unreferenced, used now
mkdir -p "$T/locks"
for n in keep old new; do
  printf '#!/bin/true\n# %s\n' "$n" > "$T/$n"
  s=$(sha256sum "$T/$n" | cut -c1-64)
  eval "sha_$n=$s"
  "$TEEBUILD" -q toolchain add "$T/$n" --sha256 "$s" --name "$n" --version 1
done
printf '{"name": "keep", "version": "1", "platform": "linux-amd64", "source": {"url": "https://example.invalid/keep", "sha256": "%s", "kind": "file"}, "entrypoint": ["keep"]}\n' \
  "$sha_keep" > "$T/locks/keep-1.json"
touch -d '40 days ago' "$TEEBUILD_STORE/used/$sha_keep" "$TEEBUILD_STORE/used/$sha_old" "$TEEBUILD_STORE/used/$sha" \
  "$TEEBUILD_STORE/used/$psha"
expect_exit 0 "gc" "$TEEBUILD" toolchain gc --locks "$T/locks"
list=$("$TEEBUILD" toolchain list)
check "gc removed the unreferenced, unused toolchain" bash -c "! grep -q '^old ' <<< '$list' && test ! -e '$TEEBUILD_STORE/toolchains/$sha_old' && test ! -e '$TEEBUILD_STORE/names/old@1'"
check "gc removed the tampered, unused pack too" test ! -e "$TEEBUILD_STORE/toolchains/$sha"
check "gc kept the toolchain a lock entry references" grep -q '^keep ' <<< "$list"
check "gc kept the recently used toolchain" grep -q '^new ' <<< "$list"
expect_exit 0 "gc --keep-days 0 removes the unreferenced rest" "$TEEBUILD" toolchain gc --locks "$T/locks" --keep-days 0
check "only the referenced one is left" test "$("$TEEBUILD" toolchain list | cut -d' ' -f1)" = keep
expect_exit 2 "gc: bad --keep-days" "$TEEBUILD" toolchain gc --keep-days x
done_testing
