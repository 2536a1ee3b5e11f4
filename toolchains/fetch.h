/* Downloading a lock entry's source with libcurl, checked while it streams, then installing it. */
#ifndef TB_TOOLCHAINS_FETCH_H
#define TB_TOOLCHAINS_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "toolchains/lock.h"
#include "toolchains/store.h"

#define FETCH_DEFAULT_MAX_BYTES (UINT64_C(2) << 30)
#define FETCH_DEFAULT_CONNECT_TIMEOUT_S 30L
#define FETCH_DEFAULT_STALL_TIMEOUT_S 60L /* abort when under 1 KiB/s for this long */
#define FETCH_DEFAULT_TIMEOUT_S 3600L

struct fetch_options {
  uint64_t max_bytes; /* 0: FETCH_DEFAULT_MAX_BYTES */
  long timeout_s;     /* whole transfer; 0: FETCH_DEFAULT_TIMEOUT_S */
};

/* Only https, except plain http to 127.0.0.1, localhost or [::1] (local mirrors and tests):
 * anything else could be read or altered on the way, and the digest check would be the only guard. */
int fetch_check_url(const char *url, tb_error **err);

/* Download url into fd, hashing as it streams; fails (TB_EXIT_INPUT) on a transfer error, a short
 * transfer, more than max bytes, or a digest other than sha256 (naming expected and actual). */
int fetch_url(const char *url, int fd, const char *sha256, const struct fetch_options *opts, tb_error **err);

/* Fetch the lock entry's source into STORE/tmp and install it under the lock's name and version.
 * Downloads nothing when the digest is already installed (*already_installed tells). The download
 * is removed whatever happens; the store changes only if the whole install succeeds. */
int fetch_install(struct store *store, const struct lock_entry *lock, const struct fetch_options *opts,
                  struct toolchain_info *out, bool *already_installed, tb_error **err);

#endif
