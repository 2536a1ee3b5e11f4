#!/usr/bin/env bash
# tb_busybox_pack (tests/lib.sh) builds the busybox toolchain into the test's store; it is
# deterministic and its bin/sh runs chrooted with nothing but the pack.
. "$TB_SOURCE_DIR/tests/lib.sh"

sha=$(tb_busybox_pack)
check "tb_busybox_pack prints the pack's sha256" test ${#sha} -eq 64
sed 's/^/# /' "$T/busybox-pack.err"
root=$TEEBUILD_STORE/toolchains/$sha/root
version=$(/bin/busybox 2>&1 | sed -n '1s/^BusyBox v\([0-9][0-9.]*\).*/\1/p')
expect_exit 0 "resolves as busybox@$version" "$TEEBUILD" toolchain verify "busybox@$version"
check "bin/sh is a symlink to busybox" test "$(readlink "$root/bin/sh")" = busybox
check "entrypoints busybox and sh" grep -q '"entrypoints":\["busybox","sh"\]' <("$TEEBUILD" toolchain list --json)
again=$(tb_busybox_pack "$T/other-store")
check "built twice, same digest" test "$again" = "$sha"
if unshare -m true 2>/dev/null; then
  mkdir -p "$T/jail"
  expect_exit 0 "bin/sh runs chrooted into the pack alone" unshare -m sh -c '
    mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && exec chroot "$2" /bin/sh -c "echo \$((6 * 7))"
  ' sh "$root" "$T/jail"
  check "... and computes" grep -qx 42 "$T/last.out"
else
  ok "# SKIP no mount namespaces here"
fi
done_testing
