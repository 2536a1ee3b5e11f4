/* How commands find the TEE side of things: the simulation root (--sim-root, else STORE/tee-sim)
 * and the signing key (--key FILE|dstack, else TEEBUILD_SIGNING_KEY=FILE, else an ephemeral key
 * made in memory). */
#ifndef TB_RUNNER_TEE_SETUP_H
#define TB_RUNNER_TEE_SETUP_H

#include <openssl/evp.h>

#include "attest/tee.h"
#include "common/error.h"

/* *out is malloc'ed. sim_root NULL: the store's tee-sim/ directory. */
int tee_sim_dir(const char *store_dir, const char *sim_root, char **out, tb_error **err);

/* The key that signs this run's statement. Made (or derived, or read) after the job has ended, so
 * nothing the job ran could ever have seen it; it lives in memory only. With --key dstack, *chain
 * is its signature chain for the bundle; otherwise NULL. */
int tee_signing_key(const char *key_option, struct tb_tee *tee, EVP_PKEY **out, json_t **chain, tb_error **err);

#endif
