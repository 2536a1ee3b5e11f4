/* Walking a directory tree in a fixed order, sealing it read-only and digesting it. */
#ifndef TB_TOOLCHAINS_TREE_H
#define TB_TOOLCHAINS_TREE_H

#include <sys/stat.h>

#include "common/error.h"

/* Called for every entry below the root (not the root itself), parents before children, siblings
 * in bytewise name order; rel is the path relative to the root, st its lstat. Symlinks are not
 * followed. A negative return stops the walk and is returned. */
typedef int (*tree_visit_fn)(const char *rel, const char *path, const struct stat *st, void *ctx, tb_error **err);

int tree_walk(const char *root, tree_visit_fn visit, void *ctx, tb_error **err);

/* Make every directory and file read-only: 0555 for directories and executables, 0444 otherwise. */
int tree_seal(const char *root, tb_error **err);

/* SHA-256 over (type, path, permission bits, content digest or symlink target) of every entry, in
 * walk order, as lowercase hex. Any changed byte, name, mode or link shows in the digest. */
int tree_digest(const char *root, char hex[65], tb_error **err);

/* SHA-256 over what lstat says of the root and every entry (path, inode, type and mode, size,
 * mtime, ctime), in walk order; reads no content. Any write, chmod, rename, link or unlink in the
 * tree moves a ctime, which no system call sets back, so this is a cheap "unchanged since" check
 * for a tree whose full digest was taken when this was. */
int tree_stat_digest(const char *root, char hex[65], tb_error **err);

#endif
