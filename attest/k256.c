#include "attest/k256.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdint.h>

static void cleanup_ctxp(secp256k1_context **c) {
  if (*c)
    secp256k1_context_destroy(*c);
}
#define cleanup_k256_ctx __attribute__((cleanup(cleanup_ctxp)))

/* Keccak-256 is the permutation below and a sponge around it; written out here rather than taken
 * from a library because OpenSSL 3.0 only pads for SHA-3, and the one library that had it (Botan,
 * with libstdc++ and its own dependencies) cost every teebuild command ~1.5 ms and ~3 MiB at
 * start-up for these few lines. The known answers in tests/tee/test_tee_keys.c pin it. */
#define KECCAK256_RATE 136 /* bytes: 1600 - 2 * 256 bits of capacity */

static uint64_t rotl64(uint64_t x, unsigned n) { return (x << n) | (x >> (64 - n)); }

/* Keccak-f[1600], FIPS 202 section 3 (theta, rho and pi, chi, iota), lanes as x + 5y. */
static void keccak_f1600(uint64_t st[25]) {
  static const uint64_t round_constants[24] = {
      0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
      0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
      0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
      0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
      0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
      0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008};
  /* rho's rotations and pi's lane order, walked as one cycle starting from lane 1. */
  static const unsigned rotations[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                         27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
  static const unsigned lanes[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                     15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};
  for (int round = 0; round < 24; round++) {
    uint64_t c[5];
    for (int x = 0; x < 5; x++)
      c[x] = st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20];
    for (int x = 0; x < 5; x++) {
      uint64_t d = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5)
        st[y + x] ^= d;
    }
    uint64_t carried = st[1];
    for (int i = 0; i < 24; i++) {
      uint64_t next = st[lanes[i]];
      st[lanes[i]] = rotl64(carried, rotations[i]);
      carried = next;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      for (int x = 0; x < 5; x++)
        row[x] = st[y + x];
      for (int x = 0; x < 5; x++)
        st[y + x] ^= ~row[(x + 1) % 5] & row[(x + 2) % 5];
    }
    st[0] ^= round_constants[round];
  }
}

/* XOR one byte into the state at byte offset pos (lanes are little-endian). */
static void keccak_xor_byte(uint64_t st[25], size_t pos, unsigned char b) {
  st[pos / 8] ^= (uint64_t)b << (8 * (pos % 8));
}

int tb_keccak256(const struct tb_bytes *parts, size_t n, unsigned char out[TB_KECCAK256_LEN], tb_error **err) {
  (void)err; /* cannot fail; callers chain it with steps that can */
  uint64_t st[25] = {0};
  size_t pos = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < parts[i].len; j++) {
      keccak_xor_byte(st, pos, ((const unsigned char *)parts[i].data)[j]);
      if (++pos == KECCAK256_RATE) {
        keccak_f1600(st);
        pos = 0;
      }
    }
  /* The original Keccak padding (0x01 ... 0x80) that Ethereum and dstack use; SHA3-256 pads 0x06. */
  keccak_xor_byte(st, pos, 0x01);
  keccak_xor_byte(st, KECCAK256_RATE - 1, 0x80);
  keccak_f1600(st);
  for (size_t i = 0; i < TB_KECCAK256_LEN; i++)
    out[i] = (unsigned char)(st[i / 8] >> (8 * (i % 8)));
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
