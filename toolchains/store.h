/* The content-addressed toolchain store. Calls only common/. */
#ifndef TB_TOOLCHAINS_STORE_H
#define TB_TOOLCHAINS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "toolchains/unpack.h"

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
  char **entrypoints;   /* NULL-terminated program names under root/bin, malloc'ed */
};

void toolchain_info_clear(struct toolchain_info *info);

/* dir NULL: design.md's rules ($TEEBUILD_STORE, $XDG_CACHE_HOME/teebuild, ~/.cache/teebuild). */
int store_open(const char *dir, struct store **out, tb_error **err);
void store_close(struct store *store);
const char *store_path(const struct store *store);

/* Resolve "NAME@VERSION" or "sha256:HEX" to an installed toolchain. TB_EXIT_INPUT naming the
 * reference when it is not installed. Marks it used (for gc). */
int store_resolve(struct store *store, const char *ref, struct toolchain_info *out, tb_error **err);

/* What `toolchain add` (and fetch, after downloading) installs. */
enum toolchain_kind {
  TOOLCHAIN_KIND_AUTO,    /* a tar (plain, zstd, xz, gzip) is an archive; anything else a single file */
  TOOLCHAIN_KIND_FILE,    /* a single program, installed as bin/<entrypoint> */
  TOOLCHAIN_KIND_ARCHIVE, /* a tar, unpacked */
};

struct store_add_request {
  const char *path;             /* local file or archive */
  const char *sha256;           /* required: expected SHA-256 of path (hex); mismatch is TB_EXIT_INPUT */
  const char *name, *version;   /* override the pack's toolchain.json; required for a single file */
  const char *platform;         /* NULL: toolchain.json's, else "linux-amd64" */
  const char *entrypoint;       /* single file: its name under bin/ (NULL: the name) */
  const char *uri;              /* recorded origin (NULL: "file:<base name of path>") */
  enum toolchain_kind kind;
  struct unpack_limits limits;  /* zero fields take the defaults */
};

/* Check the digest, unpack into STORE/tmp, seal the tree read-only, then move it into place under
 * the store lock. The store is unchanged unless this succeeds. Installing a digest that is already
 * there only refreshes its use stamp (*already_installed tells, if non-NULL); its name stays. An
 * installed tree that fails store_check_sealed is replaced instead. */
int store_add(struct store *store, const struct store_add_request *req, struct toolchain_info *out,
              bool *already_installed, tb_error **err);

/* Every installed toolchain, sorted by name, version, digest. Free with toolchain_info_free_array. */
int store_list(struct store *store, struct toolchain_info **out, size_t *n, tb_error **err);
void toolchain_info_free_array(struct toolchain_info *items, size_t n);

/* Re-digest an installed tree; *intact is false (and actual holds the digest found) when it no
 * longer matches tree_sha256. */
int store_check_tree(const struct toolchain_info *info, bool *intact, char actual[65], tb_error **err);

/* Before a job uses a toolchain: its tree must still be the one tree_sha256 names. Cheap when the
 * seal written at install holds (tree_stat_digest: nothing in the tree was written, chmod'ed,
 * linked or renamed since); otherwise the tree is digested whole, and if it still matches the seal
 * is renewed. TB_EXIT_INPUT naming both digests when it does not match. */
int store_check_sealed(const struct toolchain_info *info, tb_error **err);

/* Remove every toolchain whose digest is not in referenced (a NULL-terminated list of hex digests)
 * and which was not used (resolved or installed) after used_since; also stale staging dirs.
 * *removed (NULL-terminated, malloc'ed) lists "NAME@VERSION sha256:HEX" of what went. */
int store_gc(struct store *store, char *const *referenced, int64_t used_since, char ***removed, tb_error **err);

/* A new empty file in STORE/tmp for a download (*path malloc'ed, *fd open for writing); the caller
 * unlinks it. Staging inside the store keeps the final rename on one filesystem. */
int store_tmpfile(struct store *store, const char *prefix, char **path, int *fd, tb_error **err);

#endif
