/* Matching the quote against Intel's TCB documents: the QE identity, the platform TCB levels, the
 * TDX module identities, and folding the resulting statuses into one (worst wins, as dcap-qvl). */
#include <stdio.h>
#include <string.h>

#include "attest/dcap_internal.h"
#include "common/hash.h"
#include "common/xalloc.h"

static const char *const statuses[] = {"UpToDate",  "SWHardeningNeeded",           "ConfigurationNeeded",
                                       "ConfigurationAndSWHardeningNeeded", "OutOfDate",
                                       "OutOfDateConfigurationNeeded",      "Revoked"};

int dcap_tcb_status_severity(const char *status) {
  for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
    if (strcmp(status, statuses[i]) == 0)
      return (int)i;
  return 100;
}

/* Fixed-size hex field of a TCB document (Intel writes it upper-case). */
static int hex_field(const json_t *obj, const char *key, unsigned char *out, size_t n) {
  const char *s = json_string_value(json_object_get(obj, key));
  return s && strlen(s) == 2 * n && tb_hex_decode(s, out, n) == 0 ? 0 : -1;
}

static int masked_equal(const unsigned char *a, const unsigned char *b, const unsigned char *mask, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((a[i] & mask[i]) != (b[i] & mask[i]))
      return 0;
  return 1;
}

static void status_of(const json_t *level, struct dcap_status *out) {
  out->status = json_string_value(json_object_get(level, "tcbStatus"));
  out->advisories = json_object_get(level, "advisoryIDs");
  if (out->status == NULL)
    out->status = "";
}

/* First level (Intel lists them newest first) whose tcb.isvsvn is at or below svn. */
static const json_t *isvsvn_level(const json_t *levels, unsigned svn) {
  size_t i;
  const json_t *level;
  json_array_foreach(levels, i, level) {
    const json_t *v = json_object_get(json_object_get(level, "tcb"), "isvsvn");
    if (json_is_integer(v) && json_integer_value(v) <= (json_int_t)svn)
      return level;
  }
  return NULL;
}

int dcap_match_qe_identity(const struct tdx_qe_report *qe, const json_t *id, struct dcap_status *out,
                           tb_error **err) {
  unsigned char mrsigner[32], misc[4], misc_mask[4], attr[16], attr_mask[16];
  if (hex_field(id, "mrsigner", mrsigner, 32) < 0 || hex_field(id, "miscselect", misc, 4) < 0 ||
      hex_field(id, "miscselectMask", misc_mask, 4) < 0 || hex_field(id, "attributes", attr, 16) < 0 ||
      hex_field(id, "attributesMask", attr_mask, 16) < 0)
    return DCAP_FAIL(err, DCAP_CHECK_COLLATERAL, "qe_identity lacks mrsigner/miscselect/attributes and masks");
  if (memcmp(qe->mr_signer, mrsigner, 32) != 0)
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "QE MRSIGNER is not the one in the QE identity");
  if (qe->attributes[0] & 0x02)
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "the Quoting Enclave runs in debug mode");
  const json_t *prod = json_object_get(id, "isvprodid");
  if (!json_is_integer(prod) || json_integer_value(prod) != qe->isv_prod_id)
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "QE ISVPRODID %u is not the QE identity's", qe->isv_prod_id);
  if (!masked_equal(qe->raw + 16, misc, misc_mask, 4))
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "QE MISCSELECT does not match under the mask");
  if (!masked_equal(qe->attributes, attr, attr_mask, 16))
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "QE ATTRIBUTES do not match under the mask");
  const json_t *level = isvsvn_level(json_object_get(id, "tcbLevels"), qe->isv_svn);
  if (level == NULL)
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "QE ISVSVN %u is below every QE identity TCB level", qe->isv_svn);
  status_of(level, out);
  return 0;
}

/* True when every svn[i] is at least the level's components[i].svn (component-wise, as Intel's QVL). */
static int components_at_least(const unsigned char svn[16], const json_t *components) {
  if (!json_is_array(components) || json_array_size(components) == 0)
    return -1;
  size_t i;
  const json_t *c;
  json_array_foreach(components, i, c) {
    if (i >= 16)
      break;
    if ((json_int_t)svn[i] < json_integer_value(json_object_get(c, "svn")))
      return 0;
  }
  return 1;
}

static int check_platform_identity(const struct pck_ext *pck, const json_t *tcb_info, tb_error **err) {
  unsigned char fmspc[6], pce_id[2];
  if (hex_field(tcb_info, "fmspc", fmspc, 6) < 0 || hex_field(tcb_info, "pceId", pce_id, 2) < 0)
    return DCAP_FAIL(err, DCAP_CHECK_COLLATERAL, "tcb_info lacks fmspc/pceId");
  char want[13], got[13];
  tb_hex_encode(fmspc, 6, want);
  tb_hex_encode(pck->fmspc, 6, got);
  if (memcmp(fmspc, pck->fmspc, 6) != 0)
    return DCAP_FAIL(err, DCAP_CHECK_FMSPC, "PCK certificate FMSPC %s, TCB info is for %s", got, want);
  if (memcmp(pce_id, pck->pce_id, 2) != 0)
    return DCAP_FAIL(err, DCAP_CHECK_FMSPC, "PCK certificate PCE-ID differs from the TCB info's");
  const char *id = json_string_value(json_object_get(tcb_info, "id"));
  json_int_t version = json_integer_value(json_object_get(tcb_info, "version"));
  if (id == NULL || strcmp(id, "TDX") != 0 || version < 3)
    return DCAP_FAIL(err, DCAP_CHECK_TCB_LEVEL, "TDX quote with non-TDX TCB info (id %s, version %lld)",
                     id ? id : "?", (long long)version);
  return 0;
}

int dcap_match_tcb_level(const struct tdx_quote *q, const struct pck_ext *pck, const json_t *tcb_info,
                         struct dcap_status *out, tb_error **err) {
  int ret = check_platform_identity(pck, tcb_info, err);
  if (ret < 0)
    return ret;
  size_t i;
  const json_t *level;
  json_array_foreach(json_object_get(tcb_info, "tcbLevels"), i, level) {
    const json_t *tcb = json_object_get(level, "tcb");
    if ((json_int_t)pck->pce_svn < json_integer_value(json_object_get(tcb, "pcesvn")))
      continue;
    int sgx = components_at_least(pck->cpu_svn, json_object_get(tcb, "sgxtcbcomponents"));
    int tdx = components_at_least(q->body.tee_tcb_svn, json_object_get(tcb, "tdxtcbcomponents"));
    if (sgx < 0 || tdx < 0)
      return DCAP_FAIL(err, DCAP_CHECK_COLLATERAL, "TCB level %zu lacks SGX or TDX components", i);
    if (sgx && tdx) {
      status_of(level, out);
      return 0;
    }
  }
  return DCAP_FAIL(err, DCAP_CHECK_TCB_LEVEL, "No matching TCB level found (PCESVN %u)", pck->pce_svn);
}

static const json_t *module_identity(const json_t *tcb_info, const char *id) {
  size_t i;
  const json_t *m;
  json_array_foreach(json_object_get(tcb_info, "tdxModuleIdentities"), i, m) {
    const char *mid = json_string_value(json_object_get(m, "id"));
    if (mid && strcasecmp(mid, id) == 0)
      return m;
  }
  return NULL;
}

/* The module's signer and SEAM attributes against an identity object of the TCB info. */
static int check_module_signer(const struct tdx_quote *q, const json_t *m, const char *id, tb_error **err) {
  unsigned char mrsigner[48], attr[8], mask[8];
  if (hex_field(m, "mrsigner", mrsigner, 48) < 0 || hex_field(m, "attributes", attr, 8) < 0 ||
      hex_field(m, "attributesMask", mask, 8) < 0)
    return DCAP_FAIL(err, DCAP_CHECK_COLLATERAL, "TDX module identity %s lacks mrsigner/attributes", id);
  if (memcmp(mrsigner, q->body.mr_signer_seam, 48) != 0)
    return DCAP_FAIL(err, DCAP_CHECK_TDX_MODULE, "MRSIGNER_SEAM is not %s's", id);
  if (!masked_equal(q->body.seam_attributes, attr, mask, 8))
    return DCAP_FAIL(err, DCAP_CHECK_TDX_MODULE, "SEAM attributes do not match %s under the mask", id);
  return 0;
}

int dcap_match_tdx_module(const struct tdx_quote *q, const json_t *tcb_info, struct dcap_status *out,
                          tb_error **err) {
  out->status = NULL;
  unsigned major = q->body.tee_tcb_svn[1], isvsvn = q->body.tee_tcb_svn[0];
  if (major == 0) {
    /* A TDX 1.0 module has no identity levels: its status is the tdxtcbcomponents'; only its
     * signer is checked, against "tdxModule" when the TCB info names one. */
    const json_t *m = json_object_get(tcb_info, "tdxModule");
    return m ? check_module_signer(q, m, "tdxModule", err) : 0;
  }
  char id[16];
  (void)snprintf(id, sizeof(id), "TDX_%02X", major);
  const json_t *m = module_identity(tcb_info, id);
  if (m == NULL)
    return DCAP_FAIL(err, DCAP_CHECK_TDX_MODULE, "the TCB info has no identity %s for this TDX module", id);
  int ret = check_module_signer(q, m, id, err);
  if (ret < 0)
    return ret;
  const json_t *level = isvsvn_level(json_object_get(m, "tcbLevels"), isvsvn);
  if (level == NULL)
    return DCAP_FAIL(err, DCAP_CHECK_TDX_MODULE, "module ISVSVN %u is below every %s TCB level", isvsvn, id);
  status_of(level, out);
  return 0;
}

static int has_advisory(const struct dcap_verdict *v, const char *id) {
  for (size_t i = 0; i < v->n_advisories; i++)
    if (strcmp(v->advisory_ids[i], id) == 0)
      return 1;
  return 0;
}

void dcap_merge_status(struct dcap_verdict *v, const struct dcap_status *s) {
  if (v->status[0] == '\0' || dcap_tcb_status_severity(s->status) > dcap_tcb_status_severity(v->status))
    (void)snprintf(v->status, sizeof(v->status), "%s", s->status);
  size_t i;
  const json_t *a;
  json_array_foreach(s->advisories, i, a) {
    const char *id = json_string_value(a);
    if (id && !has_advisory(v, id) && v->n_advisories < DCAP_MAX_ADVISORIES)
      v->advisory_ids[v->n_advisories++] = xstrdup(id);
  }
}
