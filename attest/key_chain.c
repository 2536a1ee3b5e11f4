#include "attest/key_chain.h"

#include <openssl/crypto.h>
#include <string.h>

#include "attest/key.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

static const char KMS_PREFIX[] = "dstack-kms-issued:";
static const char LINK_PREFIX[] = "teebuild-signing-key:";

int tb_key_chain_app_digest(const char *purpose, const unsigned char derived_pub[TB_K256_PUBKEY_LEN],
                            unsigned char digest[TB_KECCAK256_LEN], tb_error **err) {
  char hex[2 * TB_K256_PUBKEY_LEN + 1];
  tb_hex_encode(derived_pub, TB_K256_PUBKEY_LEN, hex);
  const struct tb_bytes parts[] = {{purpose, strlen(purpose)}, {":", 1}, {hex, strlen(hex)}};
  return tb_keccak256(parts, 3, digest, err);
}

int tb_key_chain_kms_digest(const unsigned char app_id[TB_APP_ID_LEN], const unsigned char app_pub[TB_K256_PUBKEY_LEN],
                            unsigned char digest[TB_KECCAK256_LEN], tb_error **err) {
  const struct tb_bytes parts[] = {
      {KMS_PREFIX, sizeof(KMS_PREFIX) - 1}, {app_id, TB_APP_ID_LEN}, {app_pub, TB_K256_PUBKEY_LEN}};
  return tb_keccak256(parts, 3, digest, err);
}

static int link_digest(const unsigned char *spki, size_t spki_len, unsigned char digest[TB_KECCAK256_LEN],
                       tb_error **err) {
  unsigned char sha[TB_SHA256_LEN];
  char hex[TB_SHA256_HEX_LEN + 1];
  tb_sha256_buf(spki, spki_len, sha);
  tb_hex_encode(sha, sizeof(sha), hex);
  const struct tb_bytes parts[] = {{LINK_PREFIX, sizeof(LINK_PREFIX) - 1}, {hex, strlen(hex)}};
  return tb_keccak256(parts, 2, digest, err);
}

/* A fixed-size hex string field; "what" names it in the error. */
static int hex_exact(const char *hex, unsigned char *out, size_t len, int exit_code, const char *what, tb_error **err) {
  if (hex == NULL || strlen(hex) != 2 * len || tb_hex_decode(hex, out, len) < 0)
    return tb_error_set(err, exit_code, 0, "%s is not %zu bytes of hex", what, len);
  return 0;
}

static char *hex_of(const unsigned char *data, size_t len) {
  char *hex = xmalloc(2 * len + 1);
  tb_hex_encode(data, len, hex);
  return hex;
}

/* The derived secret and the two dstack signatures of a GetKey reply. */
static int parse_getkey(const json_t *reply, unsigned char secret[TB_K256_SECRET_LEN], json_t **dstack_sigs,
                        tb_error **err) {
  const char *key = json_string_value(json_object_get(reply, "key"));
  json_t *sigs = json_object_get(reply, "signature_chain");
  unsigned char sig[TB_K256_SIG_LEN];
  int ret = hex_exact(key, secret, TB_K256_SECRET_LEN, TB_EXIT_ATTEST, "GetKey \"key\"", err);
  if (ret < 0)
    return ret;
  if (json_array_size(sigs) != 2)
    return tb_error_set(err, TB_EXIT_ATTEST, 0,
                        "GetKey \"signature_chain\" has %zu signatures, not 2 (app key, KMS root): is this app "
                        "running with a KMS?",
                        json_array_size(sigs));
  for (size_t i = 0; i < 2; i++)
    if ((ret = hex_exact(json_string_value(json_array_get(sigs, i)), sig, sizeof(sig), TB_EXIT_ATTEST,
                         "GetKey \"signature_chain\" entry", err)) < 0)
      return ret;
  *dstack_sigs = json_incref(sigs);
  return 0;
}

static int sign_link(const unsigned char secret[TB_K256_SECRET_LEN], EVP_PKEY *key, char **link_hex, tb_error **err) {
  cleanup_free unsigned char *spki = NULL;
  size_t spki_len = 0;
  unsigned char digest[TB_KECCAK256_LEN], sig[TB_K256_SIG_LEN];
  int ret = tb_key_spki_der(key, &spki, &spki_len, err);
  if (ret < 0 || (ret = link_digest(spki, spki_len, digest, err)) < 0 || (ret = tb_k256_sign(secret, digest, sig, err)) < 0)
    return ret;
  *link_hex = hex_of(sig, sizeof(sig));
  return 0;
}

int tb_key_chain_from_getkey(const json_t *reply, const char *app_id_hex, EVP_PKEY **key, json_t **chain,
                             tb_error **err) {
  unsigned char secret[TB_K256_SECRET_LEN], derived_pub[TB_K256_PUBKEY_LEN], app_id[TB_APP_ID_LEN];
  cleanup_json json_t *dstack_sigs = NULL;
  cleanup_free char *link = NULL, *derived_hex = NULL;
  EVP_PKEY *p256 = NULL;
  int ret = hex_exact(app_id_hex, app_id, sizeof(app_id), TB_EXIT_ATTEST, "Info \"app_id\"", err);
  if (ret == 0)
    ret = parse_getkey(reply, secret, &dstack_sigs, err);
  if (ret == 0 && (ret = tb_k256_public(secret, derived_pub, err)) == 0 &&
      (ret = tb_key_derive_p256(secret, sizeof(secret), &p256, err)) == 0)
    ret = sign_link(secret, p256, &link, err);
  OPENSSL_cleanse(secret, sizeof(secret));
  if (ret < 0) {
    EVP_PKEY_free(p256);
    return tb_error_wrap(err, "--key dstack");
  }
  derived_hex = hex_of(derived_pub, sizeof(derived_pub));
  *chain = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "path", TB_KEY_CHAIN_PATH, "purpose", TB_KEY_CHAIN_PURPOSE,
                     "appId", app_id_hex, "derivedPublicKey", derived_hex, "keyLinkSignature", link,
                     "signatureChain", dstack_sigs);
  *key = p256;
  return 0;
}

/* Recover the signer of digest from the chain field hex and name the link on failure. */
static int recover_link(const char *hex, const unsigned char digest[TB_KECCAK256_LEN], const char *link,
                        unsigned char pub[TB_K256_PUBKEY_LEN], tb_error **err) {
  unsigned char sig[TB_K256_SIG_LEN];
  if (hex_exact(hex, sig, sizeof(sig), TB_EXIT_VERIFY, "the signature", err) < 0 ||
      tb_k256_recover(sig, digest, pub, err) < 0)
    return tb_error_wrap(err, "%s", link);
  return 0;
}

int tb_key_chain_check(const json_t *chain, const unsigned char *spki, size_t spki_len,
                       struct tb_key_chain_claim *claim, tb_error **err) {
  const char *path = NULL, *purpose = NULL, *app_id_hex = NULL, *derived_hex = NULL, *link = NULL, *app_sig = NULL,
             *kms_sig = NULL;
  json_error_t jerr;
  if (json_unpack_ex((json_t *)chain, &jerr, JSON_STRICT, "{s:s, s:s, s:s, s:s, s:s, s:[ss]}", "path", &path,
                     "purpose", &purpose, "appId", &app_id_hex, "derivedPublicKey", &derived_hex, "keyLinkSignature",
                     &link, "signatureChain", &app_sig, &kms_sig) < 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "tee.keySignatureChain: %s", jerr.text);
  unsigned char app_id[TB_APP_ID_LEN], derived[TB_K256_PUBKEY_LEN], signer[TB_K256_PUBKEY_LEN];
  unsigned char digest[TB_KECCAK256_LEN];
  int ret = hex_exact(app_id_hex, app_id, sizeof(app_id), TB_EXIT_VERIFY, "appId", err);
  if (ret < 0 || (ret = hex_exact(derived_hex, derived, sizeof(derived), TB_EXIT_VERIFY, "derivedPublicKey", err)) < 0)
    return ret;
  if ((ret = link_digest(spki, spki_len, digest, err)) < 0 ||
      (ret = recover_link(link, digest, "keyLinkSignature", signer, err)) < 0)
    return ret;
  if (memcmp(signer, derived, sizeof(derived)) != 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0,
                        "keyLinkSignature: the bundle's public key is not signed by derivedPublicKey %s", derived_hex);
  if ((ret = tb_key_chain_app_digest(purpose, derived, digest, err)) < 0 ||
      (ret = recover_link(app_sig, digest, "signatureChain[0] (app key)", claim->app_key, err)) < 0 ||
      (ret = tb_key_chain_kms_digest(app_id, claim->app_key, digest, err)) < 0 ||
      (ret = recover_link(kms_sig, digest, "signatureChain[1] (KMS root)", claim->kms_root, err)) < 0)
    return ret;
  memcpy(claim->app_id_hex, app_id_hex, sizeof(claim->app_id_hex));
  return 0;
}
