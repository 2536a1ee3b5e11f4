/* `--key dstack`: the signing key derived through the dstack agent's GetKey, and the signature
 * chain that ties it to the app and its KMS (bundle field tee.keySignatureChain):
 *
 *   KMS root k256 key --signs--> app key     keccak256("dstack-kms-issued:" || app_id || app_pub)
 *   app key           --signs--> derived key keccak256(purpose ":" hex(derived_pub))
 *   derived key       --signs--> P-256 key   keccak256("teebuild-signing-key:" hex(SHA-256(SPKI)))
 *
 * The first two links are dstack's (GetKey's signature_chain[1] and [0]); the last is ours, since
 * DSSE signs with P-256 and GetKey derives a secp256k1 key. Every link is a recoverable signature,
 * so the chain always "recovers" some KMS root: it proves something only when that root is one
 * the verifier already trusts. */
#ifndef TB_ATTEST_KEY_CHAIN_H
#define TB_ATTEST_KEY_CHAIN_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

#include "attest/k256.h"
#include "common/error.h"

/* What teebuild asks GetKey for: one stable key per app. */
#define TB_KEY_CHAIN_PATH "teebuild/dsse-signing-key"
#define TB_KEY_CHAIN_PURPOSE "teebuild-dsse"

#define TB_APP_ID_LEN 20

/* From a GetKey reply {"key": hex, "signature_chain": [hex, hex]} and the app's id (Info): the
 * P-256 signing key and the chain object for the bundle. Failures are TB_EXIT_ATTEST. */
int tb_key_chain_from_getkey(const json_t *reply, const char *app_id_hex, EVP_PKEY **key, json_t **chain,
                             tb_error **err);

/* What a chain says once its links are checked. */
struct tb_key_chain_claim {
  unsigned char kms_root[TB_K256_PUBKEY_LEN]; /* recovered: trust it only if it is one you pinned */
  unsigned char app_key[TB_K256_PUBKEY_LEN];
  char app_id_hex[2 * TB_APP_ID_LEN + 1];
};

/* Check the chain's shape and that its last link signs exactly spki (the bundle's public key), and
 * recover the app key and KMS root. Failures are TB_EXIT_VERIFY. */
int tb_key_chain_check(const json_t *chain, const unsigned char *spki, size_t spki_len,
                       struct tb_key_chain_claim *claim, tb_error **err);

/* The messages of the two dstack links, hashed (shared with the simulator that signs them). */
int tb_key_chain_app_digest(const char *purpose, const unsigned char derived_pub[TB_K256_PUBKEY_LEN],
                            unsigned char digest[TB_KECCAK256_LEN], tb_error **err);
int tb_key_chain_kms_digest(const unsigned char app_id[TB_APP_ID_LEN], const unsigned char app_pub[TB_K256_PUBKEY_LEN],
                            unsigned char digest[TB_KECCAK256_LEN], tb_error **err);

#endif
