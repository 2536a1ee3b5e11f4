#include "attest/key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/xalloc.h"

static void cleanup_biop(BIO **b) { BIO_free(*b); }
#define cleanup_bio __attribute__((cleanup(cleanup_biop)))

int tb_key_generate(EVP_PKEY **out, tb_error **err) {
  EVP_PKEY *key = EVP_EC_gen("P-256");
  if (key == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot generate a P-256 signing key");
  *out = key;
  return 0;
}

static int require_p256(EVP_PKEY *key, const char *what, int exit_code, tb_error **err) {
  char group[32] = "";
  if (!EVP_PKEY_is_a(key, "EC") ||
      !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
      strcmp(group, "prime256v1") != 0)
    return tb_error_set(err, exit_code, 0, "%s: not an ECDSA P-256 key", what);
  return 0;
}

int tb_key_load_private_file(const char *path, EVP_PKEY **out, tb_error **err) {
  cleanup_free char *pem = NULL;
  size_t len = 0;
  int ret = tb_read_file(path, 1 << 20, &pem, &len, err);
  if (ret < 0)
    return tb_error_wrap(err, "--key");
  cleanup_bio BIO *bio = BIO_new_mem_buf(pem, (int)len);
  cleanup_pkey EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
  if (key == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "--key %s: not a PEM private key", path);
  ret = require_p256(key, path, TB_EXIT_INPUT, err);
  if (ret < 0)
    return ret;
  *out = steal_pointer(&key);
  return 0;
}

int tb_key_load_public_pem(const char *pem, EVP_PKEY **out, tb_error **err) {
  cleanup_bio BIO *bio = BIO_new_mem_buf(pem, -1);
  cleanup_pkey EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
  if (key == NULL)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "publicKey is not a PEM public key");
  int ret = require_p256(key, "publicKey", TB_EXIT_VERIFY, err);
  if (ret < 0)
    return ret;
  *out = steal_pointer(&key);
  return 0;
}

int tb_key_spki_der(EVP_PKEY *key, unsigned char **der, size_t *len, tb_error **err) {
  unsigned char *buf = NULL;
  int n = i2d_PUBKEY(key, &buf);
  if (n <= 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot encode the public key");
  /* OPENSSL_malloc'ed: hand the caller plain malloc memory so cleanup_free applies. */
  *der = xmalloc((size_t)n);
  memcpy(*der, buf, (size_t)n);
  OPENSSL_free(buf);
  *len = (size_t)n;
  return 0;
}

int tb_key_public_pem(EVP_PKEY *key, char **pem, tb_error **err) {
  cleanup_bio BIO *bio = BIO_new(BIO_s_mem());
  if (bio == NULL || PEM_write_bio_PUBKEY(bio, key) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot encode the public key as PEM");
  char *data = NULL;
  long n = BIO_get_mem_data(bio, &data);
  *pem = xstrndup(data, (size_t)n);
  return 0;
}

void tb_key_id(const unsigned char *spki_der, size_t len, char out[TB_KEYID_LEN]) {
  unsigned char digest[TB_SHA256_LEN];
  tb_sha256_buf(spki_der, len, digest);
  char hex[TB_SHA256_HEX_LEN + 1];
  tb_hex_encode(digest, sizeof(digest), hex);
  (void)snprintf(out, TB_KEYID_LEN, "sha256:%s", hex);
}
