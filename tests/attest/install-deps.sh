#!/bin/bash
# Install the attest tests' third-party verifiers, pinned: the Python ones with --require-hashes
# into build-deps/attest-venv (one venv shared by every build type), the npm ones from
# package-lock.json into tests/attest/node_modules. Idempotent. scripts/deps.sh runs it; the tests
# run it too when it has not been run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=$repo/build-deps/attest-venv
stamp=$venv/.teebuild-requirements-sha256
sum=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$here/requirements.txt"
  echo "$sum" >"$stamp"
fi
if [ ! -d "$here/node_modules/@phala/dstack-sdk" ]; then
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
