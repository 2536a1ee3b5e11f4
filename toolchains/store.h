/* The content-addressed toolchain store. Calls only common/. */
#ifndef TB_TOOLCHAINS_STORE_H
#define TB_TOOLCHAINS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct store;

/* A toolchain installed in the store. */
struct toolchain_info {
  char name[64];
  char version[64];
  char platform[32];
  char sha256[65];      /* digest of the archive/file as installed: the toolchain's identity */
  uint64_t size;        /* bytes of the archive/file */
  char tree_sha256[65]; /* digest of the unpacked tree, re-checked by `toolchain verify` */
  char *uri;            /* where it came from (lock entry URL or "file:NAME"), malloc'ed */
  char *root;           /* absolute path of the unpacked, read-only tree, malloc'ed */
};

void toolchain_info_clear(struct toolchain_info *info);

/* dir NULL: design.md's rules ($TEEBUILD_STORE, $XDG_CACHE_HOME/teebuild, ~/.cache/teebuild). */
int store_open(const char *dir, struct store **out, tb_error **err);
void store_close(struct store *store);
const char *store_path(const struct store *store);

/* Resolve "NAME@VERSION" or "sha256:HEX" to an installed toolchain. TB_EXIT_INPUT naming the
 * reference when it is not installed. Marks it used (for gc). */
int store_resolve(struct store *store, const char *ref, struct toolchain_info *out, tb_error **err);

#endif
