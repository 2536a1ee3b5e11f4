#!/usr/bin/env bash
# Build a tiny busybox toolchain (bin/busybox + one symlink per applet, e.g. bin/sh -> busybox) from
# Debian's busybox-static and add it to a teebuild store: a shell and coreutils for jail tests.
#
#   make-pack.sh [--store DIR] [-o FILE.tar.zst] [--teebuild BIN] [--busybox PATH]
#
# --busybox PATH   a statically linked busybox (default /bin/busybox, from `apt-get install busybox-static`)
# The last line on stdout is the pack's sha256; the toolchain is named busybox@<busybox's version>.
set -euo pipefail

store=() out= teebuild=${TEEBUILD:-teebuild} busybox=/bin/busybox
while [ $# -gt 0 ]; do
  case $1 in
    --store) store=(--store "$2"); shift 2 ;;
    -o) out=$2; shift 2 ;;
    --teebuild) teebuild=$2; shift 2 ;;
    --busybox) busybox=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-pack.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -x "$busybox" ] || { echo "make-pack.sh: no busybox at $busybox (apt-get install busybox-static)" >&2; exit 2; }
# The jail has no host /usr, so only a static busybox works there.
if ! (LC_ALL=C ldd "$busybox" 2>&1 || true) | grep -q 'not a dynamic executable'; then
  echo "make-pack.sh: $busybox is dynamically linked (install busybox-static)" >&2; exit 2
fi
version=$("$busybox" 2>&1 | sed -n '1s/^BusyBox v\([0-9][0-9.]*\).*/\1/p')
[ -n "$version" ] || { echo "make-pack.sh: cannot read busybox's version" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/busybox-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin"
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf '{"name": "busybox", "version": "%s", "platform": "linux-amd64", "entrypoints": ["busybox", "sh"]}\n' \
  "$version" > "$root/toolchain.json"

pack=${out:-$work/busybox-$version.tar.zst}
sha=$("$teebuild" toolchain pack "$root" -o "$pack" | awk '{ print $1 }')
"$teebuild" "${store[@]}" toolchain add "$pack" --sha256 "$sha" >&2
echo "$sha"
