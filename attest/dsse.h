/* DSSE (Dead Simple Signing Envelope) v1: the pre-authentication encoding, ECDSA P-256/SHA-256
 * signatures over it (ASN.1 DER), and the envelope as JSON with base64 payload and signature. */
#ifndef TB_ATTEST_DSSE_H
#define TB_ATTEST_DSSE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

#include "common/error.h"

#define TB_DSSE_PAYLOAD_TYPE "application/vnd.in-toto+json"

/* PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in ASCII decimal.
 * *out is malloc'ed. */
void tb_dsse_pae(const char *payload_type, const void *payload, size_t len, unsigned char **out, size_t *out_len);

/* Sign PAE(payload_type, payload) with key; *sig is malloc'ed DER. */
int tb_dsse_sign(EVP_PKEY *key, const char *payload_type, const void *payload, size_t len, unsigned char **sig,
                 size_t *sig_len, tb_error **err);
/* 0 when sig is a valid signature of PAE(payload_type, payload) by key; TB_EXIT_VERIFY otherwise. */
int tb_dsse_verify(EVP_PKEY *key, const char *payload_type, const void *payload, size_t len,
                   const unsigned char *sig, size_t sig_len, tb_error **err);

/* {"payloadType", "payload": base64, "signatures": [{"keyid", "sig": base64}]} */
json_t *tb_dsse_envelope_new(const char *payload_type, const void *payload, size_t len, const char *keyid,
                             const unsigned char *sig, size_t sig_len);

/* An envelope taken apart: exactly one signature is expected (teebuild signs with one key). */
struct tb_dsse_parsed {
  const char *payload_type; /* borrowed from the JSON */
  const char *keyid;        /* borrowed */
  unsigned char *payload;   /* malloc'ed */
  size_t payload_len;
  unsigned char *sig; /* malloc'ed */
  size_t sig_len;
};
int tb_dsse_envelope_parse(const json_t *envelope, struct tb_dsse_parsed *out, tb_error **err);
void tb_dsse_parsed_clear(struct tb_dsse_parsed *p);

#endif
