#!/usr/bin/env bash
# Make the Slither toolchain pack and install it into the teebuild store.
#
#   make-pack.sh [--store DIR] [-o FILE] [--teebuild BIN] [--launcher BIN] [--tree DIR]
#
# The pack holds everything Slither needs to run in the jail, where there is no host /usr, no shell
# and no network:
#   bin/python3                    Debian's python3.11 (see README.md for why Debian's and not pyenv's)
#   bin/slither, bin/slither.launch the static teebuild-launcher and the command line it execs
#   lib/ld-linux-x86-64.so.2, lib/*.so*  the loader and every library ldd lists for the interpreter
#                                  and for each extension module
#   lib/python3.11/                the standard library, byte-compiled deterministically
#   lib/python3/dist-packages/     slither-analyzer and its dependencies, exactly as requirements.txt
#                                  pins them (by hash); Debian's site.py puts this directory of the
#                                  interpreter's own prefix on sys.path
#   toolchain.json                 name, version, platform, entrypoints
#
# Options:
#   --store DIR     store to install into (default: teebuild's rules, TEEBUILD_STORE first)
#   -o FILE         also keep the packed archive at FILE
#   --teebuild BIN  the teebuild binary (default: $TEEBUILD, else teebuild on PATH)
#   --launcher BIN  the static teebuild-launcher (default: $TEEBUILD_LAUNCHER, else where teebuild's
#                   install (libexec/teebuild/) or build tree (toolchains/launcher/) puts it)
#   --tree DIR      build the pack tree in DIR (made empty first) and keep it; default: a temp dir
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=/usr/bin/python3.11
pyver=3.11
store=""
out=""
tree=""
teebuild=${TEEBUILD:-}
launcher=${TEEBUILD_LAUNCHER:-}

die() { echo "make-pack.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --store) store=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --teebuild) teebuild=$2; shift 2 ;;
    --launcher) launcher=$2; shift 2 ;;
    --tree) tree=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done

[ -x "$python" ] || die "$python is missing (apt-get install python3.11 python3.11-venv)"
[ -n "$teebuild" ] || teebuild=$(command -v teebuild || true)
[ -x "$teebuild" ] || die "no teebuild binary: pass --teebuild or set TEEBUILD"
if [ -z "$launcher" ]; then
  for launcher in "$(dirname "$teebuild")/../libexec/teebuild/teebuild-launcher" \
    "$(dirname "$teebuild")/../toolchains/launcher/teebuild-launcher"; do
    [ -x "$launcher" ] && break
  done
fi
[ -x "$launcher" ] || die "no teebuild-launcher at $launcher: pass --launcher or set TEEBUILD_LAUNCHER"

version=$(sed -n 's/^slither-analyzer==\([^ ]*\).*/\1/p' "$here/requirements.txt")
[ -n "$version" ] || die "requirements.txt pins no slither-analyzer"

work=$(mktemp -d "${TMPDIR:-/tmp}/slither-pack.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -z "$tree" ]; then
  tree=$work/slither
else
  rm -rf "$tree"
fi
mkdir -p "$tree/bin" "$tree/lib/python$pyver" "$tree/lib/python3/dist-packages"

# The exact, hash-checked dependency set; pip runs from a throwaway venv because Debian's own pip
# refuses to touch a system interpreter. Console scripts are not needed (the launcher runs
# `python3 -m slither`) and their shebang names the throwaway venv, so they go, and so do their
# lines in the RECORD files: the pack must not depend on where it was made.
# A transient registry error must not fail the pack (nor a test fixture): pip retries each
# connection (--retries 5) and the whole install is tried up to 3 times, 5 s apart, from empty.
"$python" -m venv "$work/venv"
for try in 1 2 3; do
  "$work/venv/bin/pip" install --quiet --retries 5 --no-deps --require-hashes --no-compile --only-binary :all: \
    --target "$tree/lib/python3/dist-packages" -r "$here/requirements.txt" && break
  [ "$try" -lt 3 ] || die "pip install failed 3 times"
  echo "make-pack.sh: pip install failed (try $try of 3), retrying" >&2
  rm -rf "$tree/lib/python3/dist-packages" && mkdir -p "$tree/lib/python3/dist-packages"
  sleep 5
done
rm -rf "$tree/lib/python3/dist-packages/bin"
sed -i '\#^\.\./\.\./bin/#d' "$tree"/lib/python3/dist-packages/*.dist-info/RECORD

# The standard library, without what Slither never loads and what varies with the Debian packages
# installed on the machine (distutils, lib2to3, venv, ensurepip), nor the site hooks of the host.
tar -C "/usr/lib/python$pyver" -cf - \
  --exclude=./test --exclude=./idlelib --exclude=./tkinter --exclude=./turtledemo \
  --exclude=./ensurepip --exclude=./lib2to3 --exclude=./distutils --exclude=./venv \
  --exclude=./pydoc_data --exclude='./config-*' --exclude=./site-packages --exclude=./dist-packages \
  --exclude=./sitecustomize.py --exclude=./EXTERNALLY-MANAGED --exclude=__pycache__ \
  --exclude='./lib-dynload/_test*' --exclude='./lib-dynload/_ctypes_test*' \
  --exclude='./lib-dynload/xxlimited*' --exclude='./lib-dynload/_xxtestfuzz*' . |
  tar -C "$tree/lib/python$pyver" -xf -
cp "$python" "$tree/bin/python3"

# The loader and every shared library the interpreter and the extension modules load, found by ldd
# on this machine and copied under their soname, so nothing resolves to the host's /usr.
copy_libs() {
  local elf lib
  for elf in "$@"; do
    if ldd "$elf" | grep -q 'not found'; then
      die "$elf needs a library this machine lacks: $(ldd "$elf" | grep 'not found' | head -1)"
    fi
    ldd "$elf" | awk '$2 == "=>" && $3 ~ /^\// { print $1 " " $3 }' |
      while read -r lib path; do
        [ -e "$tree/lib/$lib" ] || cp -L "$path" "$tree/lib/$lib"
      done
  done
}
mapfile -t elves < <(find "$tree/bin/python3" "$tree/lib" -type f \( -name python3 -o -name '*.so' -o -name '*.so.*' \) | LC_ALL=C sort)
copy_libs "${elves[@]}"
cp -L /lib64/ld-linux-x86-64.so.2 "$tree/lib/ld-linux-x86-64.so.2"

# Byte-compile once, deterministically: the jail's /toolchain is read-only, so without .pyc files
# every run would recompile everything. unchecked-hash pycs carry no mtime; -s/-p record the path
# the pack is mounted at instead of the staging directory; a fixed hash seed keeps set constants
# in one order.
env -i PATH=/usr/bin:/bin PYTHONHASHSEED=0 SOURCE_DATE_EPOCH=0 \
  "$python" -s -m compileall -q -j 0 --invalidation-mode unchecked-hash \
  -s "$tree" -p /toolchain/slither "$tree/lib/python$pyver" "$tree/lib/python3/dist-packages" >/dev/null

cp "$launcher" "$tree/bin/slither"
# One argv item per line. -I: isolated mode. The prefix (stdlib, lib-dynload, dist-packages) is
# found from the interpreter's own path under @ROOT@; no PYTHON* variable, user site or cwd entry
# is honoured, so nothing of a host's Python can leak in.
printf '%s\n' @ROOT@/lib/ld-linux-x86-64.so.2 --library-path @ROOT@/lib @ROOT@/bin/python3 -I -m slither \
  >"$tree/bin/slither.launch"

"$python" -c 'import json, sys; json.dump({"name": "slither", "version": sys.argv[1], "platform": "linux-amd64",
  "entrypoints": ["slither"]}, sys.stdout)' "$version" >"$tree/toolchain.json"

# Smoke test with an empty environment before it is packed.
[ "$(env -i "$tree/bin/slither" --version)" = "$version" ] || die "the packed slither does not run"

store_args=()
[ -z "$store" ] || store_args=(--store "$store")
archive=${out:-$work/slither-$version.tar}
# --mtime 0, the lock's, whatever SOURCE_DATE_EPOCH the caller's environment holds.
"$teebuild" "${store_args[@]}" toolchain pack "$tree" -o "$archive" --mtime 0
digest=$(sha256sum "$archive" | cut -d' ' -f1)
"$teebuild" "${store_args[@]}" toolchain add "$archive" --sha256 "$digest"
echo "slither@$version sha256:$digest"
