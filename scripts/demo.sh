#!/usr/bin/env bash
# The demo: build teebuild, put the pinned solc-js 0.8.24 and Slither 0.11.6 packs in the store,
# build the OpenZeppelin ERC20 example in the jail, audit exactly that build with Slither in the
# jail, each with signed, TEE-bound provenance, and verify both offline.
#
#   scripts/demo.sh [OUT]      (default OUT: build-demo/erc20; the audit goes to OUT.audit)
#
# The store is teebuild's default ($TEEBUILD_STORE, else $XDG_CACHE_HOME/teebuild, else
# ~/.cache/teebuild); the TEE is picked by --tee auto (simulated where there is no TDX, and
# teebuild says so).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
out=${1:-$repo/build-demo/erc20}
audit=$out.audit

bash scripts/deps.sh
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# only what the demo runs: the test programs are not needed here
cmake --build build-demo --target teebuild launcher -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
teebuild=$repo/build-demo/runner/teebuild

if "$teebuild" toolchain list | grep -q '^solc-js[[:space:]]\+0\.8\.24[[:space:]]'; then
  echo "demo: solc-js 0.8.24 is already in the store" >&2
else
  echo "demo: making the solc-js 0.8.24 pack (node + soljson, packed deterministically)" >&2
  bash toolchains/solc-js/make-pack.sh --teebuild "$teebuild" >/dev/null
fi

if "$teebuild" toolchain list | grep -q '^slither[[:space:]]\+0\.11\.6[[:space:]]'; then
  echo "demo: slither 0.11.6 is already in the store" >&2
else
  echo "demo: making the Slither 0.11.6 pack (python + slither-analyzer pinned by hash)" >&2
  bash toolchains/slither/make-pack.sh --teebuild "$teebuild" >/dev/null
fi

echo "demo: teebuild build examples/erc20 --solc 0.8.24 -o $out" >&2
"$teebuild" build examples/erc20 --solc 0.8.24 -o "$out" --force

echo
echo "Artifacts:   $out/artifacts/contracts/ExampleToken.sol/ExampleToken.json"
echo "             $out/artifacts/build-info/ (Hardhat format), solc-input.json, solc-output.json"
echo "Provenance:  $out/provenance.json"
echo "Bundle:      $out/teebuild.bundle.json"

# Anyone can check it offline: signature, binding, quote (here the local simulation root, which
# is why --allow-simulated is needed; a dstack build verifies with --collateral), subjects.
echo >&2
echo "demo: teebuild verify --allow-simulated $out" >&2
"$teebuild" verify --allow-simulated "$out"

# The audit verifies the build's bundle first, then runs Slither on that build's exact compiler
# output; its provenance names the build bundle, so "this bytecode was audited" is one chain.
# --allow-simulated: off TDX the build's evidence is simulated, which the audit refuses unless told.
echo >&2
echo "demo: teebuild audit --build $out --allow-simulated -o $audit" >&2
"$teebuild" audit --build "$out" --allow-simulated -o "$audit" --force
echo "Audit:       $audit/artifacts/slither.json, $audit/artifacts/slither.sarif"

echo >&2
echo "demo: teebuild verify --allow-simulated $audit" >&2
"$teebuild" verify --allow-simulated "$audit"
