#!/bin/bash
# Install the attest tests' third-party verifiers, pinned: Python ones with --require-hashes into
# BUILD_DIR/attest-venv, npm ones from package-lock.json into BUILD_DIR/attest-node.
# Usage: tests/attest/install-deps.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: install-deps.sh BUILD_DIR}
mkdir -p "$build"
if [ ! -x "$build/attest-venv/bin/python" ]; then
  python3 -m venv "$build/attest-venv"
fi
"$build/attest-venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$here/requirements.txt"
mkdir -p "$build/attest-node"
cp "$here/package.json" "$here/package-lock.json" "$build/attest-node/"
(cd "$build/attest-node" && npm ci --no-audit --no-fund --loglevel=error)
