/* dcap_verify(): the DCAP checks in order, each failing under its own name (see dcap.h). */
#include <string.h>

#include "attest/dcap_crypto.h"
#include "attest/dcap_internal.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

static void collateral_freep(struct dcap_collateral *c) { dcap_collateral_free(c); }
#define cleanup_collateral __attribute__((cleanup(collateral_freep)))

void dcap_verdict_clear(struct dcap_verdict *v) {
  for (size_t i = 0; i < v->n_advisories; i++)
    free(v->advisory_ids[i]);
  memset(v, 0, sizeof(*v));
}

static int chain_fail(tb_error **err, const char *check, const char *crl_check, int x509_err, int depth) {
  const char *name = crl_check && dcap_x509_err_is_crl(x509_err) ? crl_check : check;
  return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: certificate at depth %d: %s", name, depth,
                      X509_verify_cert_error_string(x509_err));
}

/* The PCK chain: from the collateral if it carries one (PCCS-fetched), else the quote's own. The
 * leaf's CRL is the PCK CA's (depth 0), every other certificate's is the root's. */
static int verify_pck_chain(const struct tdx_quote *q, const struct dcap_collateral *c, X509 *root, int64_t now,
                            STACK_OF(X509) **chain_out, tb_error **err) {
  STACK_OF(X509) *chain = NULL;
  if (c->pck_chain) {
    chain = X509_chain_up_ref(c->pck_chain);
  } else {
    chain = pem_chain_read((const char *)q->cert_data, q->cert_size);
    if (chain == NULL)
      return DCAP_FAIL(err, DCAP_CHECK_PCK_CHAIN, "the quote's certification data holds no PEM certificate");
  }
  cleanup_x509_stack STACK_OF(X509) *owned = chain;
  if (sk_X509_num(chain) < 2)
    return DCAP_FAIL(err, DCAP_CHECK_PCK_CHAIN, "chain too short (%d certificates)", sk_X509_num(chain));
  int x509_err, depth;
  if (dcap_chain_verify(root, chain, c->root_crl, c->pck_crl, now, &x509_err, &depth) < 0)
    return chain_fail(err, DCAP_CHECK_PCK_CHAIN, depth == 0 ? DCAP_CHECK_PCK_CRL : DCAP_CHECK_ROOT_CRL, x509_err,
                      depth);
  *chain_out = steal_pointer(&owned);
  return 0;
}

/* A signed TCB document (tcb_info or qe_identity): issueDate <= now <= nextUpdate, its issuer chain
 * to the root, and the signature over the exact text. */
struct signed_doc {
  const char *window_check, *chain_check, *sig_check;
  const json_t *doc;
  const char *text;
  size_t len;
  const unsigned char *sig;
  STACK_OF(X509) *chain;
};

static int verify_signed_doc(const struct signed_doc *d, const struct dcap_collateral *c, X509 *root, int64_t now,
                             tb_error **err) {
  int64_t issued, next;
  const char *is = json_string_value(json_object_get(d->doc, "issueDate"));
  const char *nu = json_string_value(json_object_get(d->doc, "nextUpdate"));
  if (is == NULL || nu == NULL || dcap_parse_time(is, &issued) < 0 || dcap_parse_time(nu, &next) < 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: issueDate/nextUpdate missing or not RFC 3339", d->window_check);
  if (now < issued)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: issued %s, after the verification time", d->window_check, is);
  if (now > next)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: expired at %s (nextUpdate)", d->window_check, nu);
  int x509_err, depth;
  if (dcap_chain_verify(root, d->chain, c->root_crl, c->pck_crl, now, &x509_err, &depth) < 0)
    return chain_fail(err, d->chain_check, NULL, x509_err, depth);
  EVP_PKEY *key = X509_get0_pubkey(sk_X509_value(d->chain, 0));
  if (key == NULL || !ecdsa_verify_raw(key, d->text, d->len, d->sig))
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: signature does not verify over the document's bytes",
                        d->sig_check);
  return 0;
}

static int verify_tcb_documents(const struct dcap_collateral *c, X509 *root, int64_t now, tb_error **err) {
  const struct signed_doc tcb = {DCAP_CHECK_TCB_INFO_WINDOW, DCAP_CHECK_TCB_INFO_CHAIN, DCAP_CHECK_TCB_INFO_SIG,
                                 c->tcb_info, c->tcb_info_text, c->tcb_info_len, c->tcb_info_sig, c->tcb_chain};
  const struct signed_doc qe = {DCAP_CHECK_QE_IDENTITY_WINDOW, DCAP_CHECK_QE_IDENTITY_CHAIN,
                                DCAP_CHECK_QE_IDENTITY_SIG,    c->qe_identity,
                                c->qe_identity_text,           c->qe_identity_len,
                                c->qe_identity_sig,            c->qe_identity_chain};
  int ret = verify_signed_doc(&tcb, c, root, now, err);
  if (ret == 0)
    ret = verify_signed_doc(&qe, c, root, now, err);
  if (ret < 0)
    return ret;
  const char *id = json_string_value(json_object_get(c->qe_identity, "id"));
  json_int_t version = json_integer_value(json_object_get(c->qe_identity, "version"));
  if (id == NULL || strcmp(id, "TD_QE") != 0 || (version != 2 && version != 3))
    return DCAP_FAIL(err, DCAP_CHECK_QE_IDENTITY, "QE identity is %s version %lld, not TD_QE 2 or 3", id ? id : "?",
                     (long long)version);
  return 0;
}

/* The QE report is signed by the PCK key, and its report_data commits to the attestation key. */
static int verify_qe_report(const struct tdx_quote *q, X509 *pck, tb_error **err) {
  EVP_PKEY *key = X509_get0_pubkey(pck);
  if (key == NULL || !ecdsa_verify_raw(key, q->qe_report.raw, TDX_SGX_REPORT_LEN, q->qe_report_signature))
    return DCAP_FAIL(err, DCAP_CHECK_QE_REPORT_SIG, "the QE report is not signed by the PCK certificate's key");
  unsigned char want[32];
  tb_sha256_ctx *h = tb_sha256_new();
  tb_sha256_update(h, q->attest_key, TDX_ECDSA_KEY_LEN);
  tb_sha256_update(h, q->qe_auth_data, q->qe_auth_data_len);
  tb_sha256_final(h, want);
  if (memcmp(want, q->qe_report.report_data, 32) != 0)
    return DCAP_FAIL(err, DCAP_CHECK_ATT_KEY_HASH,
                     "QE report_data is not SHA-256(attestation key || QE auth data)");
  return 0;
}

static int verify_quote_signature(const struct tdx_quote *q, tb_error **err) {
  cleanup_pkey EVP_PKEY *key = ec_pubkey_from_raw(q->attest_key);
  if (key == NULL)
    return DCAP_FAIL(err, DCAP_CHECK_QUOTE_SIG, "the attestation key is not a P-256 point");
  if (!ecdsa_verify_raw(key, q->raw, q->signed_len, q->signature))
    return DCAP_FAIL(err, DCAP_CHECK_QUOTE_SIG, "the signature over header and TD report does not verify");
  return 0;
}

/* TD_ATTRIBUTES (little-endian u64): bits 0-7 TUD (bit 0 DEBUG), 8-31 SEC (28 SEPT_VE_DISABLE,
 * 8-27 and 29 reserved), 32-63 OTHER (63 PERFMON, the rest reserved). The same rules as dcap-qvl. */
static int check_td_attributes(const struct tdx_quote *q, tb_error **err) {
  uint64_t a = 0;
  for (int i = 7; i >= 0; i--)
    a = a << 8 | q->body.td_attributes[i];
  if (a & 0xff)
    return DCAP_FAIL(err, DCAP_CHECK_TD_ATTRIBUTES, "the TD runs in debug mode (TUD bits 0x%02x)", (unsigned)(a & 0xff));
  if (a & (0x0fffff00ull | 1ull << 29 | 0x7fffffff00000000ull))
    return DCAP_FAIL(err, DCAP_CHECK_TD_ATTRIBUTES, "reserved TD attribute bits are set");
  if (!(a & 1ull << 28))
    return DCAP_FAIL(err, DCAP_CHECK_TD_ATTRIBUTES, "SEPT_VE_DISABLE is not set");
  if (q->body.mr_service_td) {
    static const unsigned char zero[48];
    if (memcmp(q->body.mr_service_td, zero, 48) != 0)
      return DCAP_FAIL(err, DCAP_CHECK_TD_ATTRIBUTES, "MR_SERVICE_TD is not zero");
  }
  return 0;
}

static int is_simulated(X509 *root) {
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(root), NID_commonName, cn, sizeof(cn));
  return strncmp(cn, SIM_CN_PREFIX, strlen(SIM_CN_PREFIX)) == 0;
}

/* Everything after the certificates: QE, quote signature, TCB levels, module, status, attributes. */
static int verify_evidence(const struct tdx_quote *q, const struct dcap_collateral *c, X509 *pck,
                           struct dcap_verdict *v, tb_error **err) {
  struct pck_ext ext = {0};
  struct dcap_status qe = {.status = ""}, platform = {.status = ""}, module = {.status = NULL};
  int ret = verify_qe_report(q, pck, err);
  if (ret == 0)
    ret = dcap_match_qe_identity(&q->qe_report, c->qe_identity, &qe, err);
  if (ret == 0)
    ret = verify_quote_signature(q, err);
  if (ret == 0)
    ret = pck_ext_read(pck, &ext, err);
  if (ret == 0)
    ret = dcap_match_tcb_level(q, &ext, c->tcb_info, &platform, err);
  if (ret == 0)
    ret = dcap_match_tdx_module(q, c->tcb_info, &module, err);
  if (ret < 0)
    return ret;
  (void)snprintf(v->platform_status, sizeof(v->platform_status), "%s", platform.status);
  (void)snprintf(v->qe_status, sizeof(v->qe_status), "%s", qe.status);
  dcap_merge_status(v, &platform);
  if (module.status) {
    (void)snprintf(v->module_status, sizeof(v->module_status), "%s", module.status);
    dcap_merge_status(v, &module);
  }
  dcap_merge_status(v, &qe);
  if (dcap_tcb_status_severity(v->status) >= 100)
    return DCAP_FAIL(err, DCAP_CHECK_TCB_LEVEL, "unknown TCB status \"%s\"", v->status);
  memcpy(v->fmspc, ext.fmspc, sizeof(v->fmspc));
  memcpy(v->pce_id, ext.pce_id, sizeof(v->pce_id));
  return check_td_attributes(q, err);
}

int dcap_verify(const struct tdx_quote *q, const char *collateral_json, const unsigned char *root_der,
                size_t root_len, int64_t now, struct dcap_verdict *out, tb_error **err) {
  memset(out, 0, sizeof(*out));
  const unsigned char *p = root_der;
  cleanup_x509 X509 *root = d2i_X509(NULL, &p, (long)root_len);
  if (root == NULL)
    return DCAP_FAIL(err, DCAP_CHECK_ROOT_CA, "the trust anchor is not a DER certificate");
  cleanup_collateral struct dcap_collateral c;
  int ret = dcap_collateral_parse(collateral_json, &c, err);
  if (ret < 0)
    return ret;
  cleanup_x509_stack STACK_OF(X509) *pck_chain = NULL;
  ret = verify_pck_chain(q, &c, root, now, &pck_chain, err);
  if (ret == 0)
    ret = verify_tcb_documents(&c, root, now, err);
  if (ret == 0)
    ret = verify_evidence(q, &c, sk_X509_value(pck_chain, 0), out, err);
  if (ret < 0) {
    dcap_verdict_clear(out);
    return ret;
  }
  out->simulated = is_simulated(root);
  return 0;
}
