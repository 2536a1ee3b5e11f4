/* libarchive, loaded on first use (common/dynlib.h): only `toolchain add|fetch` (unpack.c) and
 * `toolchain pack` (pack.c) read or write archives, and libarchive brings its compressors and XML
 * libraries with it. */
#ifndef TB_TOOLCHAINS_ARCHIVE_LIB_H
#define TB_TOOLCHAINS_ARCHIVE_LIB_H

#include <archive.h>
#include <archive_entry.h>

#include "common/dynlib.h"

#define TB_ARCHIVE_FUNCTIONS(X)                                                                                   \
  X(error_string) X(filter_code)                                                                                   \
  X(read_new) X(read_support_filter_zstd) X(read_support_filter_xz) X(read_support_filter_gzip)                    \
  X(read_support_format_tar) X(read_open_fd) X(read_next_header) X(read_data_block) X(read_free)                   \
  X(write_new) X(write_set_format_pax_restricted) X(write_add_filter_zstd) X(write_set_filter_option)              \
  X(write_open_fd) X(write_header) X(write_data) X(write_finish_entry) X(write_close) X(write_free)                 \
  X(write_disk_new) X(write_disk_set_options) X(write_data_block)                                                  \
  X(entry_new) X(entry_free) X(entry_pathname) X(entry_set_pathname) X(entry_filetype) X(entry_set_filetype)       \
  X(entry_perm) X(entry_set_perm) X(entry_size) X(entry_set_size) X(entry_hardlink) X(entry_set_hardlink)          \
  X(entry_symlink) X(entry_set_symlink) X(entry_set_mtime) X(entry_set_uid) X(entry_set_gid)
#define TB_ARCHIVE_POINTER(name) TB_DYNLIB_POINTER(archive_, name)

/* archive_<name> is tb_archive.<name> once tb_archive_load() has succeeded. */
struct tb_archive_functions {
  TB_ARCHIVE_FUNCTIONS(TB_ARCHIVE_POINTER)
  __typeof__(archive_errno) *error_number; /* archive_errno: errno is a macro, so not a member name */
};
extern struct tb_archive_functions tb_archive;

int tb_archive_load(tb_error **err);

#endif
