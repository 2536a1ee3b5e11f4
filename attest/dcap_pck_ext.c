/* SGX PCK certificate extension: generic ASN.1 (SEQUENCE of SEQUENCE {OID, ANY}) through OpenSSL. */
#include "attest/dcap_pck_ext.h"

#include <errno.h>
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <string.h>

#define EXT_ERR(err, ...) tb_error_set(err, TB_EXIT_VERIFY, 0, "pck-chain: SGX extension: " __VA_ARGS__)

static void free_seq(ASN1_SEQUENCE_ANY **s) {
  if (*s)
    sk_ASN1_TYPE_pop_free(*s, ASN1_TYPE_free);
}
#define cleanup_seq __attribute__((cleanup(free_seq)))

/* The "1.2.840.113741.1.13.1[.suffix]" text of an element's OID. */
static void oid_text(const ASN1_OBJECT *o, char *buf, size_t len) { OBJ_obj2txt(buf, (int)len, o, 1); }

static ASN1_SEQUENCE_ANY *decode_seq(const unsigned char *der, long len) {
  const unsigned char *p = der;
  return d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
}

/* Split a (OID, value) pair; returns the OID suffix after the SGX extension OID, or NULL. */
static const char *pair_suffix(const ASN1_TYPE *t, ASN1_SEQUENCE_ANY **pair, char *buf, size_t len) {
  if (t->type != V_ASN1_SEQUENCE)
    return NULL;
  *pair = decode_seq(t->value.sequence->data, t->value.sequence->length);
  if (*pair == NULL || sk_ASN1_TYPE_num(*pair) != 2 || sk_ASN1_TYPE_value(*pair, 0)->type != V_ASN1_OBJECT)
    return NULL;
  oid_text(sk_ASN1_TYPE_value(*pair, 0)->value.object, buf, len);
  size_t n = strlen(SGX_EXT_OID);
  if (strncmp(buf, SGX_EXT_OID, n) != 0 || buf[n] != '.')
    return NULL;
  return buf + n + 1;
}

static int octets(const ASN1_TYPE *v, unsigned char *out, size_t len, const char *what, tb_error **err) {
  if (v->type != V_ASN1_OCTET_STRING || (size_t)v->value.octet_string->length != len)
    return EXT_ERR(err, "%s is not a %zu-byte OCTET STRING", what, len);
  memcpy(out, v->value.octet_string->data, len);
  return 0;
}

static int small_int(const ASN1_TYPE *v, long max, long *out, const char *what, tb_error **err) {
  if (v->type != V_ASN1_INTEGER)
    return EXT_ERR(err, "%s is not an INTEGER", what);
  long x = ASN1_INTEGER_get(v->value.integer);
  if (x < 0 || x > max)
    return EXT_ERR(err, "%s out of range", what);
  *out = x;
  return 0;
}

static int read_tcb(const ASN1_TYPE *v, struct pck_ext *out, unsigned *seen, tb_error **err) {
  if (v->type != V_ASN1_SEQUENCE)
    return EXT_ERR(err, "TCB is not a SEQUENCE");
  cleanup_seq ASN1_SEQUENCE_ANY *tcb = decode_seq(v->value.sequence->data, v->value.sequence->length);
  if (tcb == NULL)
    return EXT_ERR(err, "TCB does not parse");
  for (int i = 0; i < sk_ASN1_TYPE_num(tcb); i++) {
    cleanup_seq ASN1_SEQUENCE_ANY *pair = NULL;
    char buf[128];
    const char *sfx = pair_suffix(sk_ASN1_TYPE_value(tcb, i), &pair, buf, sizeof(buf));
    if (sfx == NULL)
      return EXT_ERR(err, "TCB element %d is not an SGX (OID, value) pair", i);
    const ASN1_TYPE *val = sk_ASN1_TYPE_value(pair, 1);
    long x = 0;
    if (strcmp(sfx, "2.17") == 0) {
      if (small_int(val, 0xffff, &x, "PCESVN", err) < 0)
        return -EINVAL;
      out->pce_svn = (uint16_t)x;
      *seen |= 1;
    } else if (strcmp(sfx, "2.18") == 0) {
      if (octets(val, out->cpu_svn, sizeof(out->cpu_svn), "CPUSVN", err) < 0)
        return -EINVAL;
      *seen |= 2;
    }
  }
  return 0;
}

int pck_ext_read(X509 *pck, struct pck_ext *out, tb_error **err) {
  memset(out, 0, sizeof(*out));
  ASN1_OBJECT *oid = OBJ_txt2obj(SGX_EXT_OID, 1);
  int idx = X509_get_ext_by_OBJ(pck, oid, -1);
  ASN1_OBJECT_free(oid);
  if (idx < 0)
    return EXT_ERR(err, "the PCK certificate has none");
  const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(X509_get_ext(pck, idx));
  cleanup_seq ASN1_SEQUENCE_ANY *top = decode_seq(data->data, data->length);
  if (top == NULL)
    return EXT_ERR(err, "does not parse as a SEQUENCE");
  unsigned seen = 0; /* bits: PCESVN, CPUSVN, PCE-ID, FMSPC */
  for (int i = 0; i < sk_ASN1_TYPE_num(top); i++) {
    cleanup_seq ASN1_SEQUENCE_ANY *pair = NULL;
    char buf[128];
    const char *sfx = pair_suffix(sk_ASN1_TYPE_value(top, i), &pair, buf, sizeof(buf));
    if (sfx == NULL)
      return EXT_ERR(err, "element %d is not an SGX (OID, value) pair", i);
    const ASN1_TYPE *val = sk_ASN1_TYPE_value(pair, 1);
    int ret = 0;
    if (strcmp(sfx, "1") == 0)
      ret = octets(val, out->ppid, sizeof(out->ppid), "PPID", err);
    else if (strcmp(sfx, "2") == 0)
      ret = read_tcb(val, out, &seen, err);
    else if (strcmp(sfx, "3") == 0 && (ret = octets(val, out->pce_id, sizeof(out->pce_id), "PCE-ID", err)) == 0)
      seen |= 4;
    else if (strcmp(sfx, "4") == 0 && (ret = octets(val, out->fmspc, sizeof(out->fmspc), "FMSPC", err)) == 0)
      seen |= 8;
    if (ret < 0)
      return ret;
  }
  if (seen != 15)
    return EXT_ERR(err, "PCESVN, CPUSVN, PCE-ID or FMSPC missing");
  return 0;
}

/* Writer side. Each helper appends one element to a stack and owns nothing afterwards. */
static ASN1_TYPE *wrap_seq(ASN1_SEQUENCE_ANY *s) {
  unsigned char *der = NULL;
  int len = i2d_ASN1_SEQUENCE_ANY(s, &der);
  sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
  if (len <= 0)
    return NULL;
  ASN1_STRING *str = ASN1_STRING_new();
  ASN1_STRING_set0(str, der, len);
  ASN1_TYPE *t = ASN1_TYPE_new();
  ASN1_TYPE_set(t, V_ASN1_SEQUENCE, str);
  return t;
}

static ASN1_TYPE *pair(const char *sfx, ASN1_TYPE *value) {
  char oid[128];
  (void)snprintf(oid, sizeof(oid), "%s.%s", SGX_EXT_OID, sfx);
  ASN1_TYPE *o = ASN1_TYPE_new();
  ASN1_TYPE_set(o, V_ASN1_OBJECT, OBJ_txt2obj(oid, 1));
  ASN1_SEQUENCE_ANY *s = sk_ASN1_TYPE_new_null();
  sk_ASN1_TYPE_push(s, o);
  sk_ASN1_TYPE_push(s, value);
  return wrap_seq(s);
}

static ASN1_TYPE *octet_value(const unsigned char *p, int len) {
  ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(s, p, len);
  ASN1_TYPE *t = ASN1_TYPE_new();
  ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, s);
  return t;
}

static ASN1_TYPE *int_value(long x) {
  ASN1_INTEGER *i = ASN1_INTEGER_new();
  ASN1_INTEGER_set(i, x);
  ASN1_TYPE *t = ASN1_TYPE_new();
  ASN1_TYPE_set(t, V_ASN1_INTEGER, i);
  return t;
}

static ASN1_TYPE *tcb_value(const struct pck_ext *e) {
  ASN1_SEQUENCE_ANY *s = sk_ASN1_TYPE_new_null();
  char sfx[16];
  for (int i = 0; i < 16; i++) {
    (void)snprintf(sfx, sizeof(sfx), "2.%d", i + 1);
    sk_ASN1_TYPE_push(s, pair(sfx, int_value(e->cpu_svn[i])));
  }
  sk_ASN1_TYPE_push(s, pair("2.17", int_value(e->pce_svn)));
  sk_ASN1_TYPE_push(s, pair("2.18", octet_value(e->cpu_svn, 16)));
  return wrap_seq(s);
}

int pck_ext_encode(const struct pck_ext *e, unsigned char **der, int *der_len, tb_error **err) {
  ASN1_SEQUENCE_ANY *top = sk_ASN1_TYPE_new_null();
  sk_ASN1_TYPE_push(top, pair("1", octet_value(e->ppid, 16)));
  sk_ASN1_TYPE_push(top, pair("2", tcb_value(e)));
  sk_ASN1_TYPE_push(top, pair("3", octet_value(e->pce_id, 2)));
  sk_ASN1_TYPE_push(top, pair("4", octet_value(e->fmspc, 6)));
  *der = NULL;
  *der_len = i2d_ASN1_SEQUENCE_ANY(top, der);
  sk_ASN1_TYPE_pop_free(top, ASN1_TYPE_free);
  if (*der_len <= 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "encode the SGX PCK extension");
  return 0;
}
