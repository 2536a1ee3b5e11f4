#!/usr/bin/env bash
# teebuild-launcher: finds its pack root from /proc/self/exe, runs the .launch command line beside
# it with @ROOT@ replaced and the caller's arguments appended; exits 127 naming what is wrong.
. "$TB_SOURCE_DIR/tests/lib.sh"
launcher=${TB_BUILD_DIR}/toolchains/launcher/teebuild-launcher

check "the launcher is static" bash -c "LC_ALL=C ldd '$launcher' 2>&1 | grep -q 'not a dynamic executable'"
root=$T/pack
mkdir -p "$root/bin" "$root/libexec"
cp /bin/busybox "$root/libexec/busybox"
cp "$launcher" "$root/bin/say"
printf '%s\n' '@ROOT@/libexec/busybox' echo 'root=@ROOT@' '' '@ROOT@@ROOT@' > "$root/bin/say.launch"
expect_exit 0 "runs the command line with an empty environment" env -i "$root/bin/say" 'two words' last
check "@ROOT@ replaced, empty lines skipped, arguments appended as they are" \
  test "$(cat "$T/last.out")" = "root=$root $root$root two words last"
ln -s "$root" "$T/link"
expect_exit 0 "started through a symlinked path" "$T/link/bin/say"
check "... the root is the real one" grep -q "^root=$root " "$T/last.out"
cp "$launcher" "$root/bin/orphan"
expect_exit 127 "no .launch file" "$root/bin/orphan"
expect_err "^teebuild-launcher: $root/bin/orphan.launch: No such file" "names the missing file"
: > "$root/bin/orphan.launch"
expect_exit 127 "empty .launch file" "$root/bin/orphan"
printf '@ROOT@/libexec/nothing\n' > "$root/bin/orphan.launch"
expect_exit 127 "program missing" "$root/bin/orphan"
expect_err "exec $root/libexec/nothing: No such file" "names the program"
done_testing
