#include "attest/dsse.h"

#include <stdio.h>
#include <string.h>

#include "attest/base64.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

void tb_dsse_pae(const char *payload_type, const void *payload, size_t len, unsigned char **out, size_t *out_len) {
  size_t type_len = strlen(payload_type);
  cleanup_free char *head = xasprintf("DSSEv1 %zu %s %zu ", type_len, payload_type, len);
  size_t head_len = strlen(head);
  /* The header is copied with its NUL, which the payload then overwrites (or which ends it). */
  unsigned char *buf = xmalloc(head_len + len + 1);
  memcpy(buf, head, head_len + 1);
  if (len)
    memcpy(buf + head_len, payload, len);
  *out = buf;
  *out_len = head_len + len;
}

static void cleanup_md_ctxp(EVP_MD_CTX **c) { EVP_MD_CTX_free(*c); }
#define cleanup_md_ctx __attribute__((cleanup(cleanup_md_ctxp)))

int tb_dsse_sign(EVP_PKEY *key, const char *payload_type, const void *payload, size_t len, unsigned char **sig,
                 size_t *sig_len, tb_error **err) {
  cleanup_free unsigned char *pae = NULL;
  size_t pae_len = 0;
  tb_dsse_pae(payload_type, payload, len, &pae, &pae_len);
  cleanup_md_ctx EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  size_t n = 0;
  if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
      EVP_DigestSign(ctx, NULL, &n, pae, pae_len) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot sign the DSSE envelope");
  cleanup_free unsigned char *buf = xmalloc(n);
  if (EVP_DigestSign(ctx, buf, &n, pae, pae_len) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot sign the DSSE envelope");
  *sig = steal_pointer(&buf);
  *sig_len = n;
  return 0;
}

int tb_dsse_verify(EVP_PKEY *key, const char *payload_type, const void *payload, size_t len,
                   const unsigned char *sig, size_t sig_len, tb_error **err) {
  cleanup_free unsigned char *pae = NULL;
  size_t pae_len = 0;
  tb_dsse_pae(payload_type, payload, len, &pae, &pae_len);
  cleanup_md_ctx EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == NULL || EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) != 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "cannot set up signature verification");
  if (EVP_DigestVerify(ctx, sig, sig_len, pae, pae_len) != 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "signature does not verify with the bundle's public key");
  return 0;
}

json_t *tb_dsse_envelope_new(const char *payload_type, const void *payload, size_t len, const char *keyid,
                             const unsigned char *sig, size_t sig_len) {
  cleanup_free char *payload_b64 = tb_base64_encode(payload, len);
  cleanup_free char *sig_b64 = tb_base64_encode(sig, sig_len);
  return json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payloadType", payload_type, "payload", payload_b64,
                   "signatures", "keyid", keyid, "sig", sig_b64);
}

void tb_dsse_parsed_clear(struct tb_dsse_parsed *p) {
  free(p->payload);
  free(p->sig);
  memset(p, 0, sizeof(*p));
}

int tb_dsse_envelope_parse(const json_t *envelope, struct tb_dsse_parsed *out, tb_error **err) {
  const char *payload_b64 = NULL, *sig_b64 = NULL;
  json_t *sigs = NULL;
  json_error_t jerr;
  memset(out, 0, sizeof(*out));
  if (json_unpack_ex((json_t *)envelope, &jerr, JSON_STRICT, "{s:s, s:s, s:o}", "payloadType", &out->payload_type,
                     "payload", &payload_b64, "signatures", &sigs) < 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "malformed DSSE envelope: %s", jerr.text);
  if (!json_is_array(sigs) || json_array_size(sigs) != 1)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "DSSE envelope must carry exactly one signature");
  if (json_unpack_ex(json_array_get(sigs, 0), &jerr, JSON_STRICT, "{s:s, s:s}", "keyid", &out->keyid, "sig",
                     &sig_b64) < 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "malformed DSSE signature: %s", jerr.text);
  if (tb_base64_decode(payload_b64, &out->payload, &out->payload_len, TB_EXIT_VERIFY, err) < 0 ||
      tb_base64_decode(sig_b64, &out->sig, &out->sig_len, TB_EXIT_VERIFY, err) < 0) {
    tb_dsse_parsed_clear(out);
    return tb_error_wrap(err, "DSSE envelope");
  }
  return 0;
}
