/* The primitives of dstack's key signature chains: secp256k1 ("k256") recoverable ECDSA over
 * Keccak-256, as dstack's guest agent and KMS sign (65 bytes r || s || recid, raw recovery id).
 * libsecp256k1 does the curve, Botan the Keccak-256 that OpenSSL 3.0 lacks. */
#ifndef TB_ATTEST_K256_H
#define TB_ATTEST_K256_H

#include <stddef.h>

#include "common/error.h"

#define TB_K256_SECRET_LEN 32
#define TB_K256_PUBKEY_LEN 33 /* SEC1 compressed */
#define TB_K256_SIG_LEN 65    /* r || s || recovery id (0..3) */
#define TB_KECCAK256_LEN 32

/* Keccak-256 of the concatenation of n parts (the Ethereum hash, not SHA3-256). */
struct tb_bytes {
  const void *data;
  size_t len;
};
int tb_keccak256(const struct tb_bytes *parts, size_t n, unsigned char out[TB_KECCAK256_LEN], tb_error **err);

/* The compressed public key of a secret; fails for a secret outside [1, n-1]. */
int tb_k256_public(const unsigned char secret[TB_K256_SECRET_LEN], unsigned char pub[TB_K256_PUBKEY_LEN],
                   tb_error **err);
int tb_k256_sign(const unsigned char secret[TB_K256_SECRET_LEN], const unsigned char digest[TB_KECCAK256_LEN],
                 unsigned char sig[TB_K256_SIG_LEN], tb_error **err);
/* The compressed public key that made sig over digest; fails (TB_EXIT_VERIFY) when none did. */
int tb_k256_recover(const unsigned char sig[TB_K256_SIG_LEN], const unsigned char digest[TB_KECCAK256_LEN],
                    unsigned char pub[TB_K256_PUBKEY_LEN], tb_error **err);

#endif
