/* The signing key: ECDSA P-256, made in memory for one run (never written to disk) or loaded from
 * a PEM file with --key; its public half travels as PEM and is named by its keyid. */
#ifndef TB_ATTEST_KEY_H
#define TB_ATTEST_KEY_H

#include <openssl/evp.h>
#include <stddef.h>

#include "common/error.h"

/* "sha256:" + 64 hex + NUL */
#define TB_KEYID_LEN (7 + 64 + 1)

static inline void tb_cleanup_pkeyp(EVP_PKEY **k) { EVP_PKEY_free(*k); }
#define cleanup_pkey __attribute__((cleanup(tb_cleanup_pkeyp)))

int tb_key_generate(EVP_PKEY **out, tb_error **err);
/* Load a PEM private key; only P-256 EC keys are accepted (the signature suite is fixed). */
int tb_key_load_private_file(const char *path, EVP_PKEY **out, tb_error **err);
/* The P-256 key a secret stands for, the same for the same secret (HKDF-SHA256 to 48 bytes, reduced
 * into [1, n-1] as FIPS 186-5 A.2.1 does): a dstack GetKey secret becomes a stable signing key. */
int tb_key_derive_p256(const unsigned char *secret, size_t len, EVP_PKEY **out, tb_error **err);
/* Parse a PEM public key (as carried in a bundle); exit class TB_EXIT_VERIFY on failure. */
int tb_key_load_public_pem(const char *pem, EVP_PKEY **out, tb_error **err);

/* DER SubjectPublicKeyInfo, malloc'ed. */
int tb_key_spki_der(EVP_PKEY *key, unsigned char **der, size_t *len, tb_error **err);
/* "-----BEGIN PUBLIC KEY-----..." malloc'ed, NUL-terminated. */
int tb_key_public_pem(EVP_PKEY *key, char **pem, tb_error **err);
/* keyid = "sha256:" + hex SHA-256 of the DER SubjectPublicKeyInfo. */
void tb_key_id(const unsigned char *spki_der, size_t len, char out[TB_KEYID_LEN]);

#endif
