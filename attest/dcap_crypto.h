/* The few ECDSA P-256 operations DCAP needs on top of OpenSSL: Intel encodes signatures as raw
 * r || s (32 bytes each) and public keys as raw x || y, where OpenSSL speaks DER and EVP_PKEY. */
#ifndef TB_ATTEST_DCAP_CRYPTO_H
#define TB_ATTEST_DCAP_CRYPTO_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>

/* True when sig (raw r || s) is a valid ECDSA-SHA256 signature of msg by key. */
bool ecdsa_verify_raw(EVP_PKEY *key, const void *msg, size_t len, const unsigned char sig[64]);

/* Sign msg with ECDSA-SHA256; sig gets raw r || s. Returns 0 or -1. */
int ecdsa_sign_raw(EVP_PKEY *key, const void *msg, size_t len, unsigned char sig[64]);

/* A P-256 public key from raw x || y; NULL when the point is not on the curve. */
EVP_PKEY *ec_pubkey_from_raw(const unsigned char xy[64]);

/* Raw x || y of a P-256 key. Returns 0 or -1. */
int ec_pubkey_to_raw(EVP_PKEY *key, unsigned char xy[64]);

/* Every certificate of a PEM chain, in order; NULL when there is none or one does not parse. */
STACK_OF(X509) *pem_chain_read(const char *pem, size_t len);

static inline void evp_pkey_freep(EVP_PKEY **k) { EVP_PKEY_free(*k); }
static inline void x509_freep(X509 **x) { X509_free(*x); }
static inline void x509_stack_freep(STACK_OF(X509) **s) {
  if (*s)
    sk_X509_pop_free(*s, X509_free);
}
#define cleanup_pkey __attribute__((cleanup(evp_pkey_freep)))
#define cleanup_x509 __attribute__((cleanup(x509_freep)))
#define cleanup_x509_stack __attribute__((cleanup(x509_stack_freep)))

#endif
