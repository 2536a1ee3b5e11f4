/* How commands find the TEE side of things: the simulation root (--sim-root, else STORE/tee-sim)
 * and the signing key (TEEBUILD_SIGNING_KEY=FILE, else an ephemeral key made in memory). */
#ifndef TB_RUNNER_TEE_SETUP_H
#define TB_RUNNER_TEE_SETUP_H

#include <openssl/evp.h>

#include "common/error.h"

/* *out is malloc'ed. sim_root NULL: the store's tee-sim/ directory. */
int tee_sim_dir(const char *store_dir, const char *sim_root, char **out, tb_error **err);

/* The key that signs this run's statement. Made after the job has ended, so nothing the job ran
 * could ever have seen it; it lives in memory only. */
int tee_signing_key(EVP_PKEY **out, tb_error **err);

#endif
