/* TDX quote v4/v5 parsing: a bounds-checked cursor over the bytes, field by field. */
#include "attest/quote_tdx.h"

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define FORMAT_ERR(err, ...) tb_error_set(err, TB_EXIT_VERIFY, 0, "quote-format: " __VA_ARGS__)

/* A read position that refuses to step past the end it was given. */
struct cursor {
  const unsigned char *base;
  size_t pos, end;
};

/* Every field read goes through here; a plain -EINVAL on failure (the error is recorded first) lets
 * static analysis see that *out is set whenever 0 is returned. */
static int take(struct cursor *c, size_t n, const unsigned char **out, const char *what, tb_error **err) {
  if (n > c->end - c->pos) {
    (void)FORMAT_ERR(err, "truncated at %s (offset %zu needs %zu bytes, %zu left)", what, c->pos, n,
                     c->end - c->pos);
    return -EINVAL;
  }
  *out = c->base + c->pos;
  c->pos += n;
  return 0;
}

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int take_u16(struct cursor *c, uint16_t *v, const char *what, tb_error **err) {
  const unsigned char *p = NULL;
  int ret = take(c, 2, &p, what, err);
  if (ret == 0)
    *v = le16(p);
  return ret;
}

static int take_u32(struct cursor *c, uint32_t *v, const char *what, tb_error **err) {
  const unsigned char *p = NULL;
  int ret = take(c, 4, &p, what, err);
  if (ret == 0)
    *v = le32(p);
  return ret;
}

static int parse_header(struct cursor *c, struct tdx_quote *q, tb_error **err) {
  const unsigned char *h = NULL;
  int ret = take(c, TDX_HEADER_LEN, &h, "header", err);
  if (ret < 0)
    return ret;
  q->version = le16(h);
  q->att_key_type = le16(h + 2);
  q->tee_type = le32(h + 4);
  q->qe_svn = le16(h + 8);
  q->pce_svn = le16(h + 10);
  q->qe_vendor_id = h + 12;
  q->user_data = h + 28;
  if (q->tee_type == 0)
    return FORMAT_ERR(err, "SGX quote (tee_type 0, version %u): only TDX quotes are accepted", q->version);
  if (q->tee_type != TDX_TEE_TYPE)
    return FORMAT_ERR(err, "unknown tee_type 0x%08x", q->tee_type);
  if (q->version != 4 && q->version != 5)
    return FORMAT_ERR(err, "unsupported TDX quote version %u (4 and 5 are known)", q->version);
  if (q->att_key_type != TDX_ATT_KEY_ECDSA_P256)
    return FORMAT_ERR(err, "unsupported attestation key type %u (only 2, ECDSA-256 P-256)", q->att_key_type);
  return 0;
}

/* v4 has an implicit TD 1.0 body; v5 says what follows in a type/size descriptor. */
static int parse_body_descriptor(struct cursor *c, struct tdx_quote *q, tb_error **err) {
  if (q->version == 4) {
    q->body_type = TDX_BODY_TYPE_TD10;
    q->body_size = TDX_TD10_BODY_LEN;
    return 0;
  }
  int ret = take_u16(c, &q->body_type, "body type", err);
  if (ret == 0)
    ret = take_u32(c, &q->body_size, "body size", err);
  if (ret < 0)
    return ret;
  uint32_t want = q->body_type == TDX_BODY_TYPE_TD10 ? TDX_TD10_BODY_LEN
                  : q->body_type == TDX_BODY_TYPE_TD15 ? TDX_TD15_BODY_LEN
                                                       : 0;
  if (want == 0)
    return FORMAT_ERR(err, "unsupported v5 body type %u (2 = TD 1.0, 3 = TD 1.5)", q->body_type);
  if (q->body_size != want)
    return FORMAT_ERR(err, "v5 body type %u with size %u (want %u)", q->body_type, q->body_size, want);
  return 0;
}

static int parse_td_body(struct cursor *c, struct tdx_quote *q, tb_error **err) {
  const unsigned char *b = NULL;
  q->body_offset = c->pos;
  int ret = take(c, q->body_size, &b, "TD report body", err);
  if (ret < 0)
    return ret;
  struct tdx_td_body *t = &q->body;
  t->tee_tcb_svn = b;
  t->mr_seam = b + 16;
  t->mr_signer_seam = b + 64;
  t->seam_attributes = b + 112;
  t->td_attributes = b + 120;
  t->xfam = b + 128;
  t->mr_td = b + 136;
  t->mr_config_id = b + 184;
  t->mr_owner = b + 232;
  t->mr_owner_config = b + 280;
  for (int i = 0; i < 4; i++)
    t->rtmr[i] = b + 328 + (size_t)48 * i;
  t->report_data = b + 520;
  if (q->body_type == TDX_BODY_TYPE_TD15) {
    t->tee_tcb_svn2 = b + 584;
    t->mr_service_td = b + 600;
  }
  return 0;
}

static void parse_qe_report(const unsigned char *r, struct tdx_qe_report *qe) {
  qe->raw = r;
  qe->cpu_svn = r;
  qe->misc_select = le32(r + 16);
  qe->attributes = r + 48;
  qe->mr_enclave = r + 64;
  qe->mr_signer = r + 128;
  qe->isv_prod_id = le16(r + 256);
  qe->isv_svn = le16(r + 258);
  qe->report_data = r + 320;
}

/* The QE report certification data (type 6): QE report, its signature, QE auth data, and the
 * inner certification data that carries the PCK chain. */
static int parse_qe_cert_data(struct cursor *c, struct tdx_quote *q, tb_error **err) {
  const unsigned char *report = NULL;
  int ret = take(c, TDX_SGX_REPORT_LEN, &report, "QE report", err);
  if (ret == 0)
    ret = take(c, TDX_ECDSA_SIG_LEN, &q->qe_report_signature, "QE report signature", err);
  if (ret == 0)
    ret = take_u16(c, &q->qe_auth_data_len, "QE auth data size", err);
  if (ret == 0)
    ret = take(c, q->qe_auth_data_len, &q->qe_auth_data, "QE auth data", err);
  if (ret == 0)
    ret = take_u16(c, &q->cert_type, "certification data type", err);
  if (ret == 0)
    ret = take_u32(c, &q->cert_size, "certification data size", err);
  if (ret == 0)
    ret = take(c, q->cert_size, &q->cert_data, "certification data", err);
  if (ret < 0)
    return ret;
  parse_qe_report(report, &q->qe_report);
  if (q->cert_type != TDX_CERT_TYPE_PCK_CHAIN)
    return FORMAT_ERR(err, "unsupported certification data type %u (only 5, a PEM PCK chain)", q->cert_type);
  return 0;
}

static int parse_signature_data(struct cursor *c, struct tdx_quote *q, tb_error **err) {
  q->signed_len = c->pos;
  int ret = take_u32(c, &q->sig_data_len, "signature data length", err);
  if (ret < 0)
    return ret;
  if (q->sig_data_len > c->end - c->pos)
    return FORMAT_ERR(err, "signature data length %u exceeds the %zu bytes left", q->sig_data_len,
                      c->end - c->pos);
  /* From here on, nothing may be read beyond the signature data: trailing bytes are not ours. */
  struct cursor s = {.base = c->base, .pos = c->pos, .end = c->pos + q->sig_data_len};
  q->end_of_sig_data = s.end;
  ret = take(&s, TDX_ECDSA_SIG_LEN, &q->signature, "quote signature", err);
  if (ret == 0)
    ret = take(&s, TDX_ECDSA_KEY_LEN, &q->attest_key, "attestation key", err);
  if (ret == 0)
    ret = take_u16(&s, &q->outer_cert_type, "outer certification data type", err);
  if (ret == 0)
    ret = take_u32(&s, &q->outer_cert_size, "outer certification data size", err);
  if (ret < 0)
    return ret;
  if (q->outer_cert_type != TDX_CERT_TYPE_QE_REPORT)
    return FORMAT_ERR(err, "unsupported outer certification data type %u (want 6, QE report)", q->outer_cert_type);
  if (q->outer_cert_size > s.end - s.pos)
    return FORMAT_ERR(err, "outer certification data size %u exceeds the signature data", q->outer_cert_size);
  struct cursor inner = {.base = s.base, .pos = s.pos, .end = s.pos + q->outer_cert_size};
  return parse_qe_cert_data(&inner, q, err);
}

int tdx_quote_parse(const unsigned char *buf, size_t len, struct tdx_quote **out, tb_error **err) {
  struct tdx_quote *q = xcalloc(1, sizeof(*q));
  cleanup_tdx_quote struct tdx_quote *owned = q;
  q->raw = xmalloc(len ? len : 1);
  memcpy(q->raw, buf, len);
  q->raw_len = len;
  struct cursor c = {.base = q->raw, .pos = 0, .end = len};
  int ret = parse_header(&c, q, err);
  if (ret == 0)
    ret = parse_body_descriptor(&c, q, err);
  if (ret == 0)
    ret = parse_td_body(&c, q, err);
  if (ret == 0)
    ret = parse_signature_data(&c, q, err);
  if (ret < 0)
    return ret;
  *out = steal_pointer(&owned);
  return 0;
}

void tdx_quote_free(struct tdx_quote *q) {
  if (q == NULL)
    return;
  free(q->raw);
  free(q);
}
