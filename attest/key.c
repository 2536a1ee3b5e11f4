#include "attest/key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
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

static void cleanup_bnp(BIGNUM **b) { BN_clear_free(*b); }
#define cleanup_bn __attribute__((cleanup(cleanup_bnp)))

static int hkdf_sha256(const unsigned char *secret, size_t len, unsigned char *out, size_t out_len) {
  EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
  EVP_KDF_free(kdf);
  static const char SALT[] = "teebuild", INFO[] = "teebuild DSSE signing key P-256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, len),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)SALT, sizeof(SALT) - 1),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)INFO, sizeof(INFO) - 1),
      OSSL_PARAM_construct_end(),
  };
  int ok = ctx != NULL && EVP_KDF_derive(ctx, out, out_len, params) == 1;
  EVP_KDF_CTX_free(ctx);
  return ok ? 0 : -1;
}

/* priv = (bytes mod (n - 1)) + 1 and its public point, as an EVP_PKEY. */
static EVP_PKEY *p256_from_bytes(const unsigned char *bytes, size_t len) {
  EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX *bn = BN_CTX_new();
  cleanup_bn BIGNUM *d = BN_bin2bn(bytes, (int)len, NULL), *n1 = BN_new();
  EC_POINT *pub = group ? EC_POINT_new(group) : NULL;
  unsigned char pub_oct[65];
  EVP_PKEY *key = NULL;
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  if (group && bn && d && n1 && pub && bld && pctx && BN_copy(n1, EC_GROUP_get0_order(group)) &&
      BN_sub_word(n1, 1) && BN_mod(d, d, n1, bn) && BN_add_word(d, 1) &&
      EC_POINT_mul(group, pub, d, NULL, NULL, bn) &&
      EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, pub_oct, sizeof(pub_oct), bn) == sizeof(pub_oct) &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct, sizeof(pub_oct)) &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(pctx) == 1)
    (void)EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_KEYPAIR, params);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY_CTX_free(pctx);
  EC_POINT_free(pub);
  BN_CTX_free(bn);
  EC_GROUP_free(group);
  return key;
}

int tb_key_derive_p256(const unsigned char *secret, size_t len, EVP_PKEY **out, tb_error **err) {
  unsigned char bytes[48]; /* 64 bits past the order's size, so the reduction is unbiased */
  if (hkdf_sha256(secret, len, bytes, sizeof(bytes)) < 0 || (*out = p256_from_bytes(bytes, sizeof(bytes))) == NULL) {
    OPENSSL_cleanse(bytes, sizeof(bytes));
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot derive a P-256 key from the agent's secret");
  }
  OPENSSL_cleanse(bytes, sizeof(bytes));
  return 0;
}
