#include "attest/k256.h"

#include <botan/ffi.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "common/dynlib.h"

/* Both libraries are loaded on first use (common/dynlib.h): only dstack key signature chains need
 * them (--key dstack, verifying a chain, tee-sim's KMS), and Botan brings libstdc++ with it. */
#define BOTAN_FUNCTIONS(X) X(hash_init) X(hash_update) X(hash_final) X(hash_destroy)
#define BOTAN_POINTER(name) TB_DYNLIB_POINTER(botan_, name)
#define BOTAN_SYMBOL(name) TB_DYNLIB_SYMBOL(struct botan_functions, botan_, name)
static struct botan_functions {
  BOTAN_FUNCTIONS(BOTAN_POINTER)
} botan;
static const struct tb_dynlib_symbol botan_symbols[] = {BOTAN_FUNCTIONS(BOTAN_SYMBOL)};
static struct tb_dynlib botan_lib = TB_DYNLIB(TB_SONAME_BOTAN, botan, botan_symbols);

#define SECP_FUNCTIONS(X)                                                                                         \
  X(context_static) X(context_create) X(context_destroy) X(ec_pubkey_create) X(ec_pubkey_serialize)              \
  X(ecdsa_sign_recoverable) X(ecdsa_recoverable_signature_serialize_compact)                                      \
  X(ecdsa_recoverable_signature_parse_compact) X(ecdsa_recoverable_signature_convert)                             \
  X(ecdsa_signature_normalize) X(ecdsa_recover)
/* secp.context_static is the address of the variable secp256k1_context_static, as dlsym gives it. */
#define SECP_POINTER(name) TB_DYNLIB_POINTER(secp256k1_, name)
#define SECP_SYMBOL(name) TB_DYNLIB_SYMBOL(struct secp_functions, secp256k1_, name)
static struct secp_functions {
  SECP_FUNCTIONS(SECP_POINTER)
} secp;
static const struct tb_dynlib_symbol secp_symbols[] = {SECP_FUNCTIONS(SECP_SYMBOL)};
static struct tb_dynlib secp_lib = TB_DYNLIB(TB_SONAME_SECP256K1, secp, secp_symbols);

static void cleanup_ctxp(secp256k1_context **c) {
  if (*c)
    secp.context_destroy(*c);
}
#define cleanup_k256_ctx __attribute__((cleanup(cleanup_ctxp)))

static void cleanup_hashp(botan_hash_t *h) {
  if (*h)
    botan.hash_destroy(*h);
}

int tb_keccak256(const struct tb_bytes *parts, size_t n, unsigned char out[TB_KECCAK256_LEN], tb_error **err) {
  int ret = tb_dynlib_load(&botan_lib, err);
  if (ret < 0)
    return ret;
  __attribute__((cleanup(cleanup_hashp))) botan_hash_t h = NULL;
  /* Botan's "Keccak-1600(256)" is the original Keccak padding Ethereum and dstack use. */
  if (botan.hash_init(&h, "Keccak-1600(256)", 0) != 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "Keccak-256 is not available");
  for (size_t i = 0; i < n; i++)
    if (botan.hash_update(h, parts[i].data, parts[i].len) != 0)
      return tb_error_set(err, TB_EXIT_ATTEST, 0, "Keccak-256 failed");
  if (botan.hash_final(h, out) != 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "Keccak-256 failed");
  return 0;
}

static int serialize_compressed(const secp256k1_context *ctx, const secp256k1_pubkey *pk,
                                unsigned char pub[TB_K256_PUBKEY_LEN]) {
  size_t len = TB_K256_PUBKEY_LEN;
  return secp.ec_pubkey_serialize(ctx, pub, &len, pk, SECP256K1_EC_COMPRESSED) == 1 ? 0 : -1;
}

int tb_k256_public(const unsigned char secret[TB_K256_SECRET_LEN], unsigned char pub[TB_K256_PUBKEY_LEN],
                   tb_error **err) {
  int ret = tb_dynlib_load(&secp_lib, err);
  if (ret < 0)
    return ret;
  cleanup_k256_ctx secp256k1_context *ctx = secp.context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_pubkey pk;
  if (ctx == NULL || secp.ec_pubkey_create(ctx, &pk, secret) != 1 || serialize_compressed(ctx, &pk, pub) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "not a secp256k1 secret key");
  return 0;
}

int tb_k256_sign(const unsigned char secret[TB_K256_SECRET_LEN], const unsigned char digest[TB_KECCAK256_LEN],
                 unsigned char sig[TB_K256_SIG_LEN], tb_error **err) {
  int ret = tb_dynlib_load(&secp_lib, err);
  if (ret < 0)
    return ret;
  cleanup_k256_ctx secp256k1_context *ctx = secp.context_create(SECP256K1_CONTEXT_NONE);
  secp256k1_ecdsa_recoverable_signature rs;
  int recid = 0;
  /* RFC 6979 nonces (libsecp256k1's default), low-S as k256 produces them. */
  if (ctx == NULL || secp.ecdsa_sign_recoverable(ctx, &rs, digest, secret, NULL, NULL) != 1 ||
      secp.ecdsa_recoverable_signature_serialize_compact(ctx, sig, &recid, &rs) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "secp256k1 signing failed");
  sig[64] = (unsigned char)recid;
  return 0;
}

int tb_k256_recover(const unsigned char sig[TB_K256_SIG_LEN], const unsigned char digest[TB_KECCAK256_LEN],
                    unsigned char pub[TB_K256_PUBKEY_LEN], tb_error **err) {
  int ret = tb_dynlib_load(&secp_lib, err);
  if (ret < 0)
    return ret;
  secp256k1_ecdsa_recoverable_signature rs;
  secp256k1_ecdsa_signature plain;
  secp256k1_pubkey pk;
  const secp256k1_context *ctx = *secp.context_static;
  if (sig[64] > 3 || secp.ecdsa_recoverable_signature_parse_compact(ctx, &rs, sig, sig[64]) != 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "not a recoverable secp256k1 signature");
  /* k256 signs low-S only; a high-S twin is a malleated signature, refused as dstack's SDK does. */
  secp.ecdsa_recoverable_signature_convert(ctx, &plain, &rs);
  if (secp.ecdsa_signature_normalize(ctx, NULL, &plain) == 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "non-canonical (high-S) secp256k1 signature");
  if (secp.ecdsa_recover(ctx, &pk, &rs, digest) != 1 || serialize_compressed(ctx, &pk, pub) < 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "no public key recovers from the secp256k1 signature");
  return 0;
}
