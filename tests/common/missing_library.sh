#!/bin/bash
# A library loaded on first use (common/dynlib.h) that lacks what teebuild needs: the commands that
# do not use it are unaffected, those that do fail with one line naming the library and the
# function, exit 127. The stand-in is an empty library found first through LD_LIBRARY_PATH.
. "$TB_SOURCE_DIR/tests/lib.sh"
: "${TB_EMPTY_LIBRARY:?}" "${TB_SONAME_CURL:?}" "${TB_SONAME_MHD:?}" "${TB_SONAME_ARCHIVE:?}"

mkdir -p "$T/lib" "$T/tree"
for soname in "$TB_SONAME_CURL" "$TB_SONAME_MHD" "$TB_SONAME_ARCHIVE"; do
  cp "$TB_EMPTY_LIBRARY" "$T/lib/$soname"
done
echo hello >"$T/tree/file"
broken() { LD_LIBRARY_PATH="$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$TEEBUILD" "$@"; }

expect_exit 0 "--version does not load them" broken --version
expect_exit 127 "toolchain pack without libarchive" broken toolchain pack "$T/tree" -o "$T/tree.tar.zst"
expect_err "^teebuild: .*$TB_SONAME_ARCHIVE has no archive_[a-z_]+ " "names the library and the function"
check "in one line" test "$(wc -l <"$T/last.err")" -eq 1
expect_exit 127 "the dstack agent client without libcurl" \
  env DSTACK_SIMULATOR_ENDPOINT=http://127.0.0.1:9 LD_LIBRARY_PATH="$T/lib" "$TEEBUILD" --tee dstack quote \
  --report-data 00
expect_err "^teebuild: .*$TB_SONAME_CURL has no curl_[a-z_]+ " "names the library and the function"
expect_exit 127 "tee-sim without libmicrohttpd" broken tee-sim --socket "$T/sim.sock" --sim-root "$T/sim"
expect_err "^teebuild: .*$TB_SONAME_MHD has no MHD_[a-z_]+ " "names the library and the function"
check "the socket it bound is removed" test ! -e "$T/sim.sock"
done_testing
