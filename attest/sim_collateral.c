/* QuoteCollateralV3 for the simulation PKI: CRLs and TCB documents issued at now - 1h for 30 days,
 * signed by the sim keys in exactly the encodings Intel's PCS uses (hex DER CRLs, raw r || s). */
#include <openssl/x509.h>
#include <string.h>
#include <time.h>

#include "attest/dcap_crypto.h"
#include "attest/sim_pki.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

#define ISSUED_BEFORE_NOW 3600
#define VALID_FOR ((int64_t)30 * 24 * 3600)

static char *hex_of(const unsigned char *p, size_t n) {
  char *s = xmalloc(2 * n + 1);
  tb_hex_encode(p, n, s);
  return s;
}

static char *upper_hex_of(const unsigned char *p, size_t n) {
  char *s = hex_of(p, n);
  for (char *c = s; *c; c++)
    if (*c >= 'a' && *c <= 'f')
      *c = (char)(*c - 'a' + 'A');
  return s;
}

static void rfc3339(int64_t t, char out[32]) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  (void)strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* An empty CRL (nothing revoked) by issuer, as lowercase hex of its DER. */
static char *make_crl_hex(X509 *issuer, EVP_PKEY *key, int64_t now) {
  X509_CRL *crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
  ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(now - ISSUED_BEFORE_NOW));
  X509_CRL_set1_lastUpdate(crl, t);
  ASN1_TIME_set(t, (time_t)(now - ISSUED_BEFORE_NOW + VALID_FOR));
  X509_CRL_set1_nextUpdate(crl, t);
  ASN1_TIME_free(t);
  char *hex = NULL;
  unsigned char *der = NULL;
  int len = 0;
  if (X509_CRL_sign(crl, key, EVP_sha256()) > 0 && (len = i2d_X509_CRL(crl, &der)) > 0)
    hex = hex_of(der, (size_t)len);
  OPENSSL_free(der);
  X509_CRL_free(crl);
  return hex;
}

static json_t *svn_components(const unsigned char svn[16]) {
  json_t *a = json_array();
  for (int i = 0; i < 16; i++)
    json_array_append_new(a, json_pack("{s:i}", "svn", svn[i]));
  return a;
}

static json_t *tcb_info_doc(const char *issued, const char *next) {
  cleanup_free char *fmspc = upper_hex_of(sim_fmspc, 6);
  cleanup_free char *pce_id = upper_hex_of(sim_pce_id, 2);
  char zeros48[97];
  memset(zeros48, '0', 96);
  zeros48[96] = '\0';
  json_t *module_levels = json_pack("[{s:{s:i},s:s,s:s}]", "tcb", "isvsvn", sim_tee_tcb_svn[0], "tcbDate",
                                    "2024-03-13T00:00:00Z", "tcbStatus", "UpToDate");
  char module_id[16];
  (void)snprintf(module_id, sizeof(module_id), "TDX_%02X", sim_tee_tcb_svn[1]);
  return json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:i,s:i,s:{s:s,s:s,s:s},s:[{s:s,s:s,s:s,s:s,s:o}],"
                   "s:[{s:{s:o,s:i,s:o},s:s,s:s}]}",
                   "id", "TDX", "version", 3, "issueDate", issued, "nextUpdate", next, "fmspc", fmspc, "pceId",
                   pce_id, "tcbType", 0, "tcbEvaluationDataNumber", 1, "tdxModule", "mrsigner", zeros48,
                   "attributes", "0000000000000000", "attributesMask", "FFFFFFFFFFFFFFFF", "tdxModuleIdentities",
                   "id", module_id, "mrsigner", zeros48, "attributes", "0000000000000000", "attributesMask",
                   "FFFFFFFFFFFFFFFF", "tcbLevels", module_levels, "tcbLevels", "tcb", "sgxtcbcomponents",
                   svn_components(sim_cpu_svn), "pcesvn", sim_pce_svn, "tdxtcbcomponents",
                   svn_components(sim_tee_tcb_svn), "tcbDate", "2024-03-13T00:00:00Z", "tcbStatus", "UpToDate");
}

static json_t *qe_identity_doc(const char *issued, const char *next) {
  cleanup_free char *mrsigner = upper_hex_of(sim_qe_mrsigner, 32);
  return json_pack("{s:s,s:i,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:i,s:[{s:{s:i},s:s,s:s}]}", "id", "TD_QE", "version", 2,
                   "issueDate", issued, "nextUpdate", next, "tcbEvaluationDataNumber", 1, "miscselect", "00000000",
                   "miscselectMask", "FFFFFFFF", "attributes", "11000000000000000000000000000000", "attributesMask",
                   "FBFFFFFFFFFFFFFF0000000000000000", "mrsigner", mrsigner, "isvprodid", sim_qe_isv_prod_id,
                   "tcbLevels", "tcb", "isvsvn", sim_qe_isv_svn, "tcbDate", "2024-03-13T00:00:00Z", "tcbStatus",
                   "UpToDate");
}

/* Set key to the string s and free s. */
static void set_taking(json_t *obj, const char *key, char *s) {
  json_object_set_new(obj, key, json_string(s));
  free(s);
}

/* Serialize doc, sign those exact bytes, and set "<name>" and "<name>_signature". */
static int add_signed(json_t *coll, const char *name, json_t *doc, EVP_PKEY *key) {
  cleanup_free char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  unsigned char sig[64];
  if (text == NULL || ecdsa_sign_raw(key, text, strlen(text), sig) < 0)
    return -1;
  cleanup_free char *sig_name = xasprintf("%s_signature", name);
  json_object_set_new(coll, name, json_string(text));
  set_taking(coll, sig_name, hex_of(sig, 64));
  return 0;
}

int sim_collateral_json(const char *sim_dir, int64_t now, char **json, tb_error **err) {
  struct sim_pki pki;
  int ret = sim_pki_open(sim_dir, &pki, err);
  if (ret < 0)
    return ret;
  char issued[32], next[32];
  rfc3339(now - ISSUED_BEFORE_NOW, issued);
  rfc3339(now - ISSUED_BEFORE_NOW + VALID_FOR, next);
  X509 *pck_issuers[] = {pki.pck_ca, pki.root}, *tcb_issuers[] = {pki.tcb, pki.root};
  char *root_crl = make_crl_hex(pki.root, pki.root_key, now);
  char *pck_crl = make_crl_hex(pki.pck_ca, pki.pck_ca_key, now);
  cleanup_json json_t *coll = json_object();
  if (root_crl == NULL || pck_crl == NULL)
    ret = tb_error_set(err, TB_EXIT_ATTEST, 0, "simulated collateral: sign the CRLs");
  set_taking(coll, "pck_crl_issuer_chain", sim_pki_pem(pck_issuers, 2));
  set_taking(coll, "root_ca_crl", root_crl);
  set_taking(coll, "pck_crl", pck_crl);
  set_taking(coll, "tcb_info_issuer_chain", sim_pki_pem(tcb_issuers, 2));
  set_taking(coll, "qe_identity_issuer_chain", sim_pki_pem(tcb_issuers, 2));
  if (ret == 0 && (add_signed(coll, "tcb_info", tcb_info_doc(issued, next), pki.tcb_key) < 0 ||
                   add_signed(coll, "qe_identity", qe_identity_doc(issued, next), pki.tcb_key) < 0))
    ret = tb_error_set(err, TB_EXIT_ATTEST, 0, "simulated collateral: sign the TCB documents");
  sim_pki_close(&pki);
  if (ret < 0)
    return ret;
  *json = json_dumps(coll, JSON_INDENT(1));
  return 0;
}
