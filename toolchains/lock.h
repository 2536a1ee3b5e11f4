/* Lock entries: the pinned origin and digest of a toolchain, one JSON file each in toolchains/locks. */
#ifndef TB_TOOLCHAINS_LOCK_H
#define TB_TOOLCHAINS_LOCK_H

#include "common/error.h"
#include "toolchains/store.h"

struct lock_entry {
  char *name, *version, *platform;
  char *url;    /* NULL when the toolchain is built locally (a pack made by a make-pack.sh) */
  char *sha256; /* of the file at url: the toolchain's identity in the store */
  enum toolchain_kind kind;
  char **entrypoints; /* NULL-terminated */
};

void lock_entry_clear(struct lock_entry *lock);

/* Parse one lock file strictly: unknown keys and wrong types fail with TB_EXIT_INPUT naming them. */
int lock_load(const char *path, struct lock_entry *out, tb_error **err);

/* Where lock entries live: $TEEBUILD_LOCKS_DIR, else <binary>/../share/teebuild/locks when that
 * exists (an installed teebuild), else the source tree's toolchains/locks (a build tree). */
char *locks_default_dir(void);

/* The lock entry in dir for NAME@VERSION; TB_EXIT_INPUT when there is none. */
int locks_find(const char *dir, const char *ref, struct lock_entry *out, tb_error **err);

/* The digests of every lock entry in dir, NULL-terminated (what gc keeps). */
int locks_digests(const char *dir, char ***out, tb_error **err);

#endif
