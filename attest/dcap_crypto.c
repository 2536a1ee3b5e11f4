/* ECDSA P-256 in Intel's raw encodings, through OpenSSL 3. */
#include "attest/dcap_crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

bool ecdsa_verify_raw(EVP_PKEY *key, const void *msg, size_t len, const unsigned char sig[64]) {
  ECDSA_SIG *s = ECDSA_SIG_new();
  ECDSA_SIG_set0(s, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
  unsigned char *der = NULL;
  int der_len = i2d_ECDSA_SIG(s, &der);
  ECDSA_SIG_free(s);
  if (der_len <= 0)
    return false;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
            EVP_DigestVerify(ctx, der, (size_t)der_len, msg, len) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  return ok;
}

int ecdsa_sign_raw(EVP_PKEY *key, const void *msg, size_t len, unsigned char sig[64]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char der[80];
  size_t der_len = sizeof(der);
  int ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
           EVP_DigestSign(ctx, der, &der_len, msg, len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok)
    return -1;
  const unsigned char *p = der;
  ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
  if (s == NULL)
    return -1;
  ok = BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32) == 32 && BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32) == 32;
  ECDSA_SIG_free(s);
  return ok ? 0 : -1;
}

EVP_PKEY *ec_pubkey_from_raw(const unsigned char xy[64]) {
  unsigned char point[65] = {0x04};
  memcpy(point + 1, xy, 64);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)),
      OSSL_PARAM_construct_end(),
  };
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  EVP_PKEY *key = NULL;
  if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
    key = NULL;
  EVP_PKEY_CTX_free(ctx);
  return key;
}

int ec_pubkey_to_raw(EVP_PKEY *key, unsigned char xy[64]) {
  unsigned char point[65];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof(point), &len) != 1 ||
      len != 65 || point[0] != 0x04)
    return -1;
  memcpy(xy, point + 1, 64);
  return 0;
}

STACK_OF(X509) *pem_chain_read(const char *pem, size_t len) {
  BIO *bio = BIO_new_mem_buf(pem, (int)len);
  STACK_OF(X509) *chain = sk_X509_new_null();
  X509 *x;
  while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
    sk_X509_push(chain, x);
  BIO_free(bio);
  ERR_clear_error(); /* the loop ends on an expected "no start line" */
  if (sk_X509_num(chain) == 0) {
    sk_X509_free(chain);
    return NULL;
  }
  return chain;
}
