/* Filesystem helpers: nothing teebuild publishes is ever left half-written (a file: temp name,
 * fsync, rename; a tree: staged, synced as a whole, renamed). */
#ifndef TB_COMMON_FS_H
#define TB_COMMON_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Write data to path through "path.tmp-XXXXXX" in the same directory, fsync, rename, fsync the
 * directory. On failure the old file (if any) is untouched and no temp file remains. */
int tb_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, tb_error **err);

/* A file inside a staging directory that tb_fsync_tree syncs as a whole before it is renamed into
 * place (or a private temp dir that is never published): nothing in it is visible before then, so
 * it needs neither a temp name nor an fsync of its own (each fsync is a journal commit: ~0.3-3 ms,
 * dozens per build). Created or truncated, never through a symlink. tb_create_staged returns the
 * fd (O_CLOEXEC). */
int tb_create_staged(const char *path, mode_t mode, tb_error **err);
int tb_write_file_staged(const char *path, const void *data, size_t len, mode_t mode, tb_error **err);

/* write(2) until done, retrying EINTR; -1 with errno on failure. */
int tb_write_all(int fd, const void *data, size_t len);

/* Read a whole file; refuse files larger than max bytes. *data is NUL-terminated. */
int tb_read_file(const char *path, size_t max, char **data, size_t *len, tb_error **err);

/* A whole regular file mapped read-only (not NUL-terminated): its pages are the page cache's, not
 * this process's heap. Only for files nothing else writes while mapped (a staged file, once the
 * jail that wrote it is gone): a file shrunk under the mapping faults. tb_unmap_file is a no-op on
 * a zeroed one. */
struct tb_mapped_file {
  const char *data;
  size_t len;
};
int tb_map_file(const char *path, size_t max, struct tb_mapped_file *m, tb_error **err);
void tb_unmap_file(struct tb_mapped_file *m);

int tb_mkdir_p(const char *path, mode_t mode, tb_error **err);

/* Remove a tree without following symlinks. A missing path is not an error. */
int tb_rm_rf(const char *path, tb_error **err);

int tb_fsync_dir(const char *dir, tb_error **err);

/* fsync every regular file and directory below root (before a staging dir is renamed into place),
 * from a few threads at once. Not syncfs(2): that also waits for everyone else's dirty data. */
int tb_fsync_tree(const char *root, tb_error **err);

/* True if path is a directory with no entries; false if missing; error if unreadable. */
int tb_dir_is_empty(const char *path, bool *empty, tb_error **err);

/* Make a fresh directory "<parent>/<prefix>XXXXXX"; *out is malloc'ed. */
int tb_mkdtemp_in(const char *parent, const char *prefix, char **out, tb_error **err);

#endif
