/* Deterministic toolchain archives: the same tree packs to the same bytes anywhere. */
#ifndef TB_TOOLCHAINS_PACK_H
#define TB_TOOLCHAINS_PACK_H

#include <stdint.h>

#include "common/error.h"

/* zstd level of every pack: part of the format, since another level gives other bytes. */
#define PACK_ZSTD_LEVEL 12

/* Write dir as a tar.zst at out (atomically): entries in bytewise path order, directories and
 * executables 0755 and other files 0644, every mtime = mtime, uid/gid 0 with empty names, pax
 * (restricted) format, regular files, directories and symlinks only (hard links become copies).
 * hex gets the archive's SHA-256, *size its length. out must not lie inside dir. */
int pack_tree(const char *dir, const char *out, int64_t mtime, char hex[65], uint64_t *size, tb_error **err);

#endif
