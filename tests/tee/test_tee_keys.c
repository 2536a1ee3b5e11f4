/* The key primitives behind --key dstack, in process: Keccak-256 known answers (the Ethereum hash,
 * not SHA3-256), secp256k1 recoverable signatures (round trip, malleated twin refused), the P-256
 * derivation (stable per secret, distinct across secrets), and a chain made from a GetKey-shaped
 * reply checked against its own key and refused for another. */
#include <string.h>

#include "../attest/check.h"
#include "attest/k256.h"
#include "attest/key.h"
#include "attest/key_chain.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

static bool keccak_is(const char *text, const char *want_hex) {
  unsigned char out[TB_KECCAK256_LEN];
  char hex[2 * TB_KECCAK256_LEN + 1];
  cleanup_error tb_error *e = NULL;
  const struct tb_bytes part = {text, strlen(text)};
  if (tb_keccak256(&part, 1, out, &e) < 0)
    return false;
  tb_hex_encode(out, sizeof(out), hex);
  return strcmp(hex, want_hex) == 0;
}

static void test_keccak(void) {
  /* Keccak-256 as Ethereum uses it; SHA3-256("") would be a7ffc6f8... */
  CHECK(keccak_is("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"), "keccak256(\"\")");
  CHECK(keccak_is("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"), "keccak256(\"abc\")");
  /* Around the 136-byte rate: padding in the last byte of a block, a block of its own, several
   * blocks (answers from @noble/hashes' keccak_256). */
  static const struct {
    size_t len;
    const char *want;
  } long_inputs[] = {{135, "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"},
                     {136, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"},
                     {300, "5b7e0e47a96f32a88b4f14ca177982790807c40e1a105742ba0fc1babe1ef826"}};
  char as[301];
  for (size_t i = 0; i < sizeof(long_inputs) / sizeof(long_inputs[0]); i++) {
    memset(as, 'a', long_inputs[i].len);
    as[long_inputs[i].len] = '\0';
    CHECK(keccak_is(as, long_inputs[i].want), "keccak256 of %zu 'a's", long_inputs[i].len);
  }
  unsigned char one[TB_KECCAK256_LEN], two[TB_KECCAK256_LEN];
  cleanup_error tb_error *e = NULL;
  const struct tb_bytes whole = {"abc", 3}, split[] = {{"a", 1}, {"bc", 2}};
  CHECK(tb_keccak256(&whole, 1, one, &e) == 0 && tb_keccak256(split, 2, two, &e) == 0 && memcmp(one, two, 32) == 0,
        "parts hash as their concatenation");
}

static void test_recoverable(void) {
  unsigned char secret[TB_K256_SECRET_LEN], pub[TB_K256_PUBKEY_LEN], got[TB_K256_PUBKEY_LEN];
  unsigned char digest[TB_KECCAK256_LEN], sig[TB_K256_SIG_LEN];
  memset(secret, 0x11, sizeof(secret));
  memset(digest, 0x22, sizeof(digest));
  cleanup_error tb_error *e = NULL;
  CHECK(tb_k256_public(secret, pub, &e) == 0 && (pub[0] == 2 || pub[0] == 3), "a compressed public key");
  CHECK(tb_k256_sign(secret, digest, sig, &e) == 0 && sig[64] <= 3, "a 65-byte recoverable signature");
  CHECK(tb_k256_recover(sig, digest, got, &e) == 0 && memcmp(got, pub, sizeof(pub)) == 0, "it recovers the signer");
  digest[0] ^= 1;
  CHECK(tb_k256_recover(sig, digest, got, &e) < 0 || memcmp(got, pub, sizeof(pub)) != 0,
        "another digest does not recover the signer");
  tb_error_discard(&e);
  digest[0] ^= 1;
  /* s -> n - s: the malleated twin of a valid signature, which k256 never produces */
  static const unsigned char N[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                      0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  unsigned char twin[TB_K256_SIG_LEN];
  memcpy(twin, sig, sizeof(twin));
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = N[i] - sig[32 + i] - borrow;
    borrow = d < 0;
    twin[32 + i] = (unsigned char)(d + (borrow ? 256 : 0));
  }
  twin[64] ^= 1;
  CHECK(tb_k256_recover(twin, digest, got, &e) < 0 && strstr(e->msg, "high-S"), "the high-S twin is refused: %s",
        e ? e->msg : "(accepted)");
  tb_error_discard(&e);
  unsigned char zero[TB_K256_SECRET_LEN] = {0};
  CHECK(tb_k256_public(zero, pub, &e) < 0, "a zero secret is refused");
}

static char *spki_hex_of(EVP_PKEY *key) {
  cleanup_free unsigned char *der = NULL;
  size_t len = 0;
  cleanup_error tb_error *e = NULL;
  if (tb_key_spki_der(key, &der, &len, &e) < 0)
    return xstrdup("");
  char *hex = xmalloc(2 * len + 1);
  tb_hex_encode(der, len, hex);
  return hex;
}

static void test_derive_p256(void) {
  unsigned char a[32], b[32];
  memset(a, 0xaa, sizeof(a));
  memset(b, 0xbb, sizeof(b));
  cleanup_pkey EVP_PKEY *k1 = NULL, *k2 = NULL, *k3 = NULL;
  cleanup_error tb_error *e = NULL;
  CHECK(tb_key_derive_p256(a, sizeof(a), &k1, &e) == 0 && tb_key_derive_p256(a, sizeof(a), &k2, &e) == 0 &&
            tb_key_derive_p256(b, sizeof(b), &k3, &e) == 0,
        "P-256 keys derive");
  if (k1 == NULL || k2 == NULL || k3 == NULL)
    return;
  cleanup_free char *h1 = spki_hex_of(k1), *h2 = spki_hex_of(k2), *h3 = spki_hex_of(k3);
  CHECK(strcmp(h1, h2) == 0, "the same secret gives the same key");
  CHECK(strcmp(h1, h3) != 0, "another secret gives another key");
}

/* A GetKey reply as the simulator makes it: an app key signs the derived key, a KMS root the app key. */
static json_t *getkey_reply(const unsigned char app_id[TB_APP_ID_LEN], unsigned char kms_pub[TB_K256_PUBKEY_LEN]) {
  unsigned char root[32], app[32], derived[32], app_pub[TB_K256_PUBKEY_LEN], derived_pub[TB_K256_PUBKEY_LEN];
  unsigned char digest[TB_KECCAK256_LEN], sig0[TB_K256_SIG_LEN], sig1[TB_K256_SIG_LEN];
  memset(root, 1, 32), memset(app, 2, 32), memset(derived, 3, 32);
  cleanup_error tb_error *e = NULL;
  if (tb_k256_public(root, kms_pub, &e) < 0 || tb_k256_public(app, app_pub, &e) < 0 ||
      tb_k256_public(derived, derived_pub, &e) < 0 ||
      tb_key_chain_app_digest(TB_KEY_CHAIN_PURPOSE, derived_pub, digest, &e) < 0 ||
      tb_k256_sign(app, digest, sig0, &e) < 0 || tb_key_chain_kms_digest(app_id, app_pub, digest, &e) < 0 ||
      tb_k256_sign(root, digest, sig1, &e) < 0)
    return NULL;
  char key_hex[65], s0[131], s1[131];
  tb_hex_encode(derived, 32, key_hex), tb_hex_encode(sig0, 65, s0), tb_hex_encode(sig1, 65, s1);
  return json_pack("{s:s, s:[s, s]}", "key", key_hex, "signature_chain", s0, s1);
}

static void test_chain(void) {
  unsigned char app_id[TB_APP_ID_LEN], kms_pub[TB_K256_PUBKEY_LEN];
  memset(app_id, 0x5a, sizeof(app_id));
  char app_id_hex[2 * TB_APP_ID_LEN + 1];
  tb_hex_encode(app_id, sizeof(app_id), app_id_hex);
  cleanup_json json_t *reply = getkey_reply(app_id, kms_pub), *chain = NULL;
  cleanup_pkey EVP_PKEY *key = NULL, *other = NULL;
  cleanup_error tb_error *e = NULL;
  CHECK(reply && tb_key_chain_from_getkey(reply, app_id_hex, &key, &chain, &e) == 0, "a chain from a GetKey reply");
  if (key == NULL)
    return;
  cleanup_free unsigned char *spki = NULL, *other_spki = NULL;
  size_t spki_len = 0, other_len = 0;
  struct tb_key_chain_claim claim;
  (void)tb_key_spki_der(key, &spki, &spki_len, &e);
  CHECK(tb_key_chain_check(chain, spki, spki_len, &claim, &e) == 0, "it checks against its own key");
  CHECK(memcmp(claim.kms_root, kms_pub, sizeof(kms_pub)) == 0, "and recovers the KMS root that signed it");
  CHECK(strcmp(claim.app_id_hex, app_id_hex) == 0, "for the app it names");
  (void)tb_key_generate(&other, &e);
  (void)tb_key_spki_der(other, &other_spki, &other_len, &e);
  CHECK(tb_key_chain_check(chain, other_spki, other_len, &claim, &e) < 0 && strstr(e->msg, "keyLinkSignature"),
        "another key is refused: %s", e ? e->msg : "(accepted)");
  tb_error_discard(&e);
  json_object_set_new(reply, "signature_chain", json_array());
  CHECK(tb_key_chain_from_getkey(reply, app_id_hex, &other, &chain, &e) < 0 && strstr(e->msg, "0 signatures"),
        "a reply without a chain is refused: %s", e ? e->msg : "(accepted)");
}

int main(void) {
  test_keccak();
  test_recoverable();
  test_derive_p256();
  test_chain();
  return check_done();
}
