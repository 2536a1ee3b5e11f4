#include "attest/k256.h"

#include <botan/ffi.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

static void cleanup_ctxp(secp256k1_context **c) {
  if (*c)
    secp256k1_context_destroy(*c);
}
#define cleanup_k256_ctx __attribute__((cleanup(cleanup_ctxp)))

static void cleanup_hashp(botan_hash_t *h) {
  if (*h)
    botan_hash_destroy(*h);
}

int tb_keccak256(const struct tb_bytes *parts, size_t n, unsigned char out[TB_KECCAK256_LEN], tb_error **err) {
  __attribute__((cleanup(cleanup_hashp))) botan_hash_t h = NULL;
  /* Botan's "Keccak-1600(256)" is the original Keccak padding Ethereum and dstack use. */
  if (botan_hash_init(&h, "Keccak-1600(256)", 0) != 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "Keccak-256 is not available");
  for (size_t i = 0; i < n; i++)
    if (botan_hash_update(h, parts[i].data, parts[i].len) != 0)
      return tb_error_set(err, TB_EXIT_ATTEST, 0, "Keccak-256 failed");
  if (botan_hash_final(h, out) != 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "Keccak-256 failed");
  return 0;
}

static int serialize_compressed(const secp256k1_context *ctx, const secp256k1_pubkey *pk,
                                unsigned char pub[TB_K256_PUBKEY_LEN]) {
  size_t len = TB_K256_PUBKEY_LEN;
  return secp256k1_ec_pubkey_serialize(ctx, pub, &len, pk, SECP256K1_EC_COMPRESSED) == 1 ? 0 : -1;
}

int tb_k256_public(const unsigned char secret[TB_K256_SECRET_LEN], unsigned char pub[TB_K256_PUBKEY_LEN],
                   tb_error **err) {
  cleanup_k256_ctx secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_pubkey pk;
  if (ctx == NULL || secp256k1_ec_pubkey_create(ctx, &pk, secret) != 1 || serialize_compressed(ctx, &pk, pub) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "not a secp256k1 secret key");
  return 0;
}

int tb_k256_sign(const unsigned char secret[TB_K256_SECRET_LEN], const unsigned char digest[TB_KECCAK256_LEN],
                 unsigned char sig[TB_K256_SIG_LEN], tb_error **err) {
  cleanup_k256_ctx secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_ecdsa_recoverable_signature rs;
  int recid = 0;
  /* RFC 6979 nonces (libsecp256k1's default), low-S as k256 produces them. */
  if (ctx == NULL || secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, secret, NULL, NULL) != 1 ||
      secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "secp256k1 signing failed");
  sig[64] = (unsigned char)recid;
  return 0;
}

int tb_k256_recover(const unsigned char sig[TB_K256_SIG_LEN], const unsigned char digest[TB_KECCAK256_LEN],
                    unsigned char pub[TB_K256_PUBKEY_LEN], tb_error **err) {
  secp256k1_ecdsa_recoverable_signature rs;
  secp256k1_ecdsa_signature plain;
  secp256k1_pubkey pk;
  const secp256k1_context *ctx = secp256k1_context_static;
  if (sig[64] > 3 || secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, sig[64]) != 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "not a recoverable secp256k1 signature");
  /* k256 signs low-S only; a high-S twin is a malleated signature, refused as dstack's SDK does. */
  secp256k1_ecdsa_recoverable_signature_convert(ctx, &plain, &rs);
  if (secp256k1_ecdsa_signature_normalize(ctx, NULL, &plain) == 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "non-canonical (high-S) secp256k1 signature");
  if (secp256k1_ecdsa_recover(ctx, &pk, &rs, digest) != 1 || serialize_compressed(ctx, &pk, pub) < 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "no public key recovers from the secp256k1 signature");
  return 0;
}
