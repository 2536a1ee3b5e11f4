#!/usr/bin/env bash
# Install everything teebuild needs to build, test and demo, on Debian/Ubuntu, as root (or via
# sudo). Idempotent: what is already there is left alone, so running it again is cheap.
#   - the C libraries (-dev), cmake, pkg-config, compilers, linters
#   - busybox-static, bubblewrap, zstd: used by the tests and the toolchain packs
#   - node/npm, python3.11 (+venv): to make the solc-js and Slither packs
#   - `npm ci` in every directory of the repo that pins npm packages with a package-lock.json
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

packages=(
  build-essential cmake pkg-config file
  libseccomp-dev libarchive-dev libssl-dev libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev
  libsecp256k1-dev libbotan-2-dev
  busybox-static bubblewrap zstd xz-utils
  python3 python3.11 python3.11-venv
  clang-tidy cppcheck
)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# tests/audit: SARIF schema validation with Debian's jsonschema (the Slither pack itself needs python3.11 + venv).
packages+=(python3-jsonschema)
# tests/tee: the FUSE stand-in for configfs-tsm.
packages+=(fuse3 python3-fusepy)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only where the lock changed since the last install (node_modules carries a stamp).
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  sum=$(sha256sum "$lock" | cut -d' ' -f1)
  stamp=$dir/node_modules/.teebuild-lock-sha256
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    continue
  fi
  echo "deps.sh: npm ci in ${dir#"$repo"/}" >&2
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  echo "$sum" >"$stamp"
done < <(find "$repo" -name package-lock.json -not -path '*/node_modules/*' -not -path "$repo/build*" | sort)

# attest tests: independent verifiers (securesystemslib, in-toto-attestation) pinned by hash in a
# venv under build-deps/, and the npm ones (@sigstore/core, @phala/dstack-sdk) from their lock.
bash "$repo/tests/attest/install-deps.sh"
