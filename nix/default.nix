# Reproducible build of teebuild with Nix: `nix-build nix/` (or `nix build -f nix/`).
# Pins nothing itself: pass a pinned nixpkgs (e.g. `--arg pkgs 'import (fetchTarball ...) {}'`)
# to get bit-identical outputs; the teebuild binary's digest is recorded in every provenance
# (builderDependencies), so verifiers can compare it with their own Nix build.
{ pkgs ? import <nixpkgs> { } }:

let
  # Loaded on first use by soname (common/dynlib.h), not linked: the linker gives them no RUNPATH
  # entry and fixup's shrink-rpath would drop one, so postFixup adds their directories, where
  # dlopen from teebuild looks first.
  loadedOnUse = [ pkgs.curl pkgs.libmicrohttpd pkgs.libarchive pkgs.botan2 pkgs.secp256k1 ];
in
pkgs.stdenv.mkDerivation {
  pname = "teebuild";
  version = "0.1.0";
  src = pkgs.lib.cleanSource ../.;

  nativeBuildInputs = [ pkgs.cmake pkgs.pkg-config ];
  buildInputs = [
    pkgs.libseccomp
    pkgs.openssl
    pkgs.jansson
    pkgs.glibc.static # the pack launcher is a static executable
  ] ++ loadedOnUse;

  cmakeFlags = [ "-DCMAKE_BUILD_TYPE=RelWithDebInfo" ];
  # The test suite needs namespaces, cgroups and network-free packs of node/Python: not in a Nix sandbox.
  doCheck = false;
  postFixup = ''
    patchelf --add-rpath ${pkgs.lib.makeLibraryPath loadedOnUse} $out/bin/teebuild
  '';
  # Deterministic: no timestamps, build paths are stripped from debug info.
  env.NIX_CFLAGS_COMPILE = "-ffile-prefix-map=${placeholder "out"}=/teebuild";
}
