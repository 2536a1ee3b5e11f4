/* Decoding dcap-qvl's QuoteCollateralV3 JSON. The tcb_info and qe_identity strings are kept exactly
 * as they arrived: their signatures cover those bytes, and re-serializing would break (or worse,
 * launder) them. */
#include <errno.h>
#include <openssl/pem.h>
#include <string.h>
#include <time.h>

#include "attest/dcap_crypto.h"
#include "attest/dcap_internal.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define COLL_ERR(err, ...) DCAP_FAIL(err, DCAP_CHECK_COLLATERAL, __VA_ARGS__)

/* A plain -EINVAL on failure (the error recorded first) shows static analysis that *text is set on 0. */
static int get_text(const json_t *doc, const char *key, const char **text, size_t *len, tb_error **err) {
  const json_t *v = json_object_get(doc, key);
  if (!json_is_string(v)) {
    (void)COLL_ERR(err, "\"%s\" missing or not a string", key);
    return -EINVAL;
  }
  *text = json_string_value(v);
  *len = json_string_length(v);
  return 0;
}

static int get_sig(const json_t *doc, const char *key, unsigned char sig[64], tb_error **err) {
  const char *hex = NULL;
  size_t len = 0;
  int ret = get_text(doc, key, &hex, &len, err);
  if (ret < 0)
    return ret;
  if (len != 128 || tb_hex_decode(hex, sig, 64) < 0)
    return COLL_ERR(err, "\"%s\" is not 64 bytes of hex (raw r || s)", key);
  return 0;
}

static int get_chain(const json_t *doc, const char *key, STACK_OF(X509) **chain, tb_error **err) {
  const char *pem = NULL;
  size_t len = 0;
  int ret = get_text(doc, key, &pem, &len, err);
  if (ret < 0)
    return ret;
  *chain = pem_chain_read(pem, len);
  if (*chain == NULL)
    return COLL_ERR(err, "\"%s\" holds no PEM certificate", key);
  return 0;
}

/* CRLs arrive as hex of the DER (what PCS returns and dcap-qvl stores); PEM text is accepted too. */
static int get_crl(const json_t *doc, const char *key, X509_CRL **crl, tb_error **err) {
  const char *text = NULL;
  size_t len = 0;
  int ret = get_text(doc, key, &text, &len, err);
  if (ret < 0)
    return ret;
  if (strncmp(text, "-----BEGIN", 10) == 0) {
    BIO *bio = BIO_new_mem_buf(text, (int)len);
    *crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL);
    BIO_free(bio);
  } else if (len % 2 == 0) {
    cleanup_free unsigned char *der = xmalloc(len / 2 + 1);
    const unsigned char *p = der;
    if (tb_hex_decode(text, der, len / 2) == 0)
      *crl = d2i_X509_CRL(NULL, &p, (long)(len / 2));
  }
  if (*crl == NULL)
    return COLL_ERR(err, "\"%s\" is not a CRL (hex DER or PEM)", key);
  return 0;
}

static int parse_signed_doc(const char *what, const char *text, size_t len, json_t **out, tb_error **err) {
  int ret = tb_json_load_buf(what, text, len, out, err);
  if (ret < 0)
    return tb_error_wrap(err, DCAP_CHECK_COLLATERAL);
  if (!json_is_object(*out))
    return COLL_ERR(err, "%s is not a JSON object", what);
  return 0;
}

int dcap_collateral_parse(const char *json, struct dcap_collateral *c, tb_error **err) {
  memset(c, 0, sizeof(*c));
  int ret = tb_json_load_buf("collateral", json, strlen(json), &c->doc, err);
  if (ret < 0)
    return tb_error_wrap(err, DCAP_CHECK_COLLATERAL);
  if (!json_is_object(c->doc))
    return COLL_ERR(err, "not a JSON object");
  ret = get_text(c->doc, "tcb_info", &c->tcb_info_text, &c->tcb_info_len, err);
  if (ret == 0)
    ret = get_text(c->doc, "qe_identity", &c->qe_identity_text, &c->qe_identity_len, err);
  if (ret == 0)
    ret = get_sig(c->doc, "tcb_info_signature", c->tcb_info_sig, err);
  if (ret == 0)
    ret = get_sig(c->doc, "qe_identity_signature", c->qe_identity_sig, err);
  if (ret == 0)
    ret = get_chain(c->doc, "tcb_info_issuer_chain", &c->tcb_chain, err);
  if (ret == 0)
    ret = get_chain(c->doc, "qe_identity_issuer_chain", &c->qe_identity_chain, err);
  if (ret == 0 && json_is_string(json_object_get(c->doc, "pck_certificate_chain")))
    ret = get_chain(c->doc, "pck_certificate_chain", &c->pck_chain, err);
  if (ret == 0)
    ret = get_crl(c->doc, "root_ca_crl", &c->root_crl, err);
  if (ret == 0)
    ret = get_crl(c->doc, "pck_crl", &c->pck_crl, err);
  if (ret == 0)
    ret = parse_signed_doc("tcb_info", c->tcb_info_text, c->tcb_info_len, &c->tcb_info, err);
  if (ret == 0)
    ret = parse_signed_doc("qe_identity", c->qe_identity_text, c->qe_identity_len, &c->qe_identity, err);
  if (ret < 0)
    dcap_collateral_free(c);
  return ret;
}

void dcap_collateral_free(struct dcap_collateral *c) {
  x509_stack_freep(&c->tcb_chain);
  x509_stack_freep(&c->qe_identity_chain);
  x509_stack_freep(&c->pck_chain);
  X509_CRL_free(c->root_crl);
  X509_CRL_free(c->pck_crl);
  json_decref(c->tcb_info);
  json_decref(c->qe_identity);
  json_decref(c->doc);
  memset(c, 0, sizeof(*c));
}

int dcap_parse_time(const char *s, int64_t *out) {
  struct tm tm = {0};
  const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == NULL)
    return -1;
  if (*rest == '.')
    for (rest++; *rest >= '0' && *rest <= '9'; rest++)
      ;
  if (strcmp(rest, "Z") != 0 && strcmp(rest, "+00:00") != 0)
    return -1;
  *out = (int64_t)timegm(&tm);
  return 0;
}
