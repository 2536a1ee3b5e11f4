/* Filesystem helpers: nothing teebuild writes is ever left half-written (temp name, fsync, rename). */
#ifndef TB_COMMON_FS_H
#define TB_COMMON_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Write data to path through "path.tmp-XXXXXX" in the same directory, fsync, rename, fsync the
 * directory. On failure the old file (if any) is untouched and no temp file remains. */
int tb_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, tb_error **err);

/* Read a whole file; refuse files larger than max bytes. *data is NUL-terminated. */
int tb_read_file(const char *path, size_t max, char **data, size_t *len, tb_error **err);

int tb_mkdir_p(const char *path, mode_t mode, tb_error **err);

/* Remove a tree without following symlinks. A missing path is not an error. */
int tb_rm_rf(const char *path, tb_error **err);

int tb_fsync_dir(const char *dir, tb_error **err);

/* fsync every regular file and directory below root (before a staging dir is renamed into place). */
int tb_fsync_tree(const char *root, tb_error **err);

/* True if path is a directory with no entries; false if missing; error if unreadable. */
int tb_dir_is_empty(const char *path, bool *empty, tb_error **err);

/* Make a fresh directory "<parent>/<prefix>XXXXXX"; *out is malloc'ed. */
int tb_mkdtemp_in(const char *parent, const char *prefix, char **out, tb_error **err);

#endif
