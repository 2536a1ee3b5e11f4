/* Simulated quotes: made, parsed, verified by the same dcap_verify() against the sim root (ok,
 * marked simulated) and refused against the Intel root at pck-chain; the sim PKI is created once
 * even by concurrent callers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "attest/dcap.h"
#include "attest/dcap_crypto.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/xalloc.h"
#include "tests/dcap/tap.h"

static void check_concurrent_creation(const char *dir) {
  enum { N = 4 };
  for (int i = 0; i < N; i++) {
    if (fork() == 0) {
      unsigned char *der = NULL;
      size_t len = 0;
      tb_error *err = NULL;
      _exit(sim_root_der(dir, &der, &len, &err) < 0);
    }
  }
  int failures = 0, status;
  while (wait(&status) > 0)
    failures += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
  tap_check(failures == 0, "%d concurrent creators of the sim PKI all succeed", N);
}

/* A private key of the sim PKI (PEM file in the sim dir), to forge what only the simulation could sign. */
static EVP_PKEY *sim_key(const char *sim, const char *part) {
  cleanup_free char *path = xasprintf("%s/%s.pem", sim, part);
  FILE *f = fopen(path, "r");
  EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
  if (f)
    (void)fclose(f);
  if (k == NULL)
    tap_bail("cannot read a sim key");
  return k;
}

/* A debug TD, correctly signed by the attestation key: refused at td-attributes. */
static void check_debug_td(const char *sim, const unsigned char *quote, size_t len, const char *coll,
                           const unsigned char *root, size_t root_len, int64_t now) {
  cleanup_free unsigned char *m = xmalloc(len);
  memcpy(m, quote, len);
  m[48 + 120] |= 0x01; /* TD_ATTRIBUTES.TUD.DEBUG */
  cleanup_pkey EVP_PKEY *ak = sim_key(sim, "attestation");
  if (ecdsa_sign_raw(ak, m, 632, m + 636) < 0)
    tap_bail("re-sign");
  cleanup_tdx_quote struct tdx_quote *q = NULL;
  cleanup_error tb_error *err = NULL;
  struct dcap_verdict v;
  int ret = tdx_quote_parse(m, len, &q, &err);
  if (ret == 0)
    ret = dcap_verify(q, coll, root, root_len, now, &v, &err);
  tap_check(ret < 0 && strncmp(err->msg, "td-attributes: ", 15) == 0, "debug TD refused at td-attributes: %s",
            err ? err->msg : "accepted");
}

/* Re-sign a collateral document after edit() changed it, as the sim TCB signing key would. */
static char *resign(const char *coll, const char *name, void (*edit)(json_t *doc), const char *sim) {
  json_t *c = json_loads(coll, 0, NULL);
  json_t *doc = json_loads(json_string_value(json_object_get(c, name)), 0, NULL);
  edit(doc);
  cleanup_free char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  unsigned char sig[64];
  char hex[129];
  cleanup_pkey EVP_PKEY *k = sim_key(sim, "tcb-signing");
  if (ecdsa_sign_raw(k, text, strlen(text), sig) < 0)
    tap_bail("sign");
  tb_hex_encode(sig, 64, hex);
  cleanup_free char *sig_name = xasprintf("%s_signature", name);
  json_object_set_new(c, name, json_string(text));
  json_object_set_new(c, sig_name, json_string(hex));
  char *out = json_dumps(c, 0);
  json_decref(c);
  return out;
}

static void platform_out_of_date(json_t *tcb_info) {
  json_t *level = json_array_get(json_object_get(tcb_info, "tcbLevels"), 0);
  json_object_set_new(level, "tcbStatus", json_string("OutOfDate"));
  json_object_set_new(level, "advisoryIDs", json_pack("[s,s]", "INTEL-SA-00001", "INTEL-SA-00002"));
}

static void qe_sw_hardening(json_t *qe_identity) {
  json_t *level = json_array_get(json_object_get(qe_identity, "tcbLevels"), 0);
  json_object_set_new(level, "tcbStatus", json_string("SWHardeningNeeded"));
  json_object_set_new(level, "advisoryIDs", json_pack("[s,s]", "INTEL-SA-00002", "INTEL-SA-00003"));
}

static void qe_other_signer(json_t *qe_identity) {
  json_object_set_new(qe_identity, "mrsigner", json_string("DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5"));
}

static void platform_svn_too_high(json_t *tcb_info) {
  json_t *level = json_array_get(json_object_get(tcb_info, "tcbLevels"), 0);
  json_object_set_new(level, "tcb", json_pack("{s:[{s:i}],s:i,s:[{s:i}]}", "sgxtcbcomponents", "svn", 99, "pcesvn", 0,
                                              "tdxtcbcomponents", "svn", 0));
}

static void module_out_of_date(json_t *tcb_info) {
  json_t *id = json_array_get(json_object_get(tcb_info, "tdxModuleIdentities"), 0);
  json_t *level = json_array_get(json_object_get(id, "tcbLevels"), 0);
  json_object_set_new(json_object_get(level, "tcb"), "isvsvn", json_integer(200));
}

/* A CRL by the sim part issuer_part revoking serial, as hex DER, valid around now. */
static char *crl_revoking(const char *sim, const char *issuer_part, long serial, int64_t now) {
  cleanup_free char *path = xasprintf("%s/%s.pem", sim, issuer_part);
  FILE *f = fopen(path, "r");
  EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
  X509 *issuer = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
  if (f)
    (void)fclose(f);
  if (key == NULL || issuer == NULL)
    tap_bail("cannot read a sim issuer");
  X509_CRL *crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer));
  ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(now - 60));
  X509_CRL_set1_lastUpdate(crl, t);
  ASN1_TIME_set(t, (time_t)(now + 3600));
  X509_CRL_set1_nextUpdate(crl, t);
  X509_REVOKED *r = X509_REVOKED_new();
  ASN1_INTEGER *sn = ASN1_INTEGER_new();
  ASN1_INTEGER_set(sn, serial);
  X509_REVOKED_set_serialNumber(r, sn);
  X509_REVOKED_set_revocationDate(r, t);
  X509_CRL_add0_revoked(crl, r);
  X509_CRL_sign(crl, key, EVP_sha256());
  unsigned char *der = NULL;
  int len = i2d_X509_CRL(crl, &der);
  char *hex = xmalloc(2 * (size_t)len + 1);
  tb_hex_encode(der, (size_t)len, hex);
  OPENSSL_free(der);
  ASN1_INTEGER_free(sn);
  ASN1_TIME_free(t);
  X509_CRL_free(crl);
  X509_free(issuer);
  EVP_PKEY_free(key);
  return hex;
}

static char *verify_text(const struct tdx_quote *q, const char *coll, const unsigned char *root, size_t root_len,
                         int64_t now) {
  struct dcap_verdict v;
  cleanup_error tb_error *err = NULL;
  if (dcap_verify(q, coll, root, root_len, now, &v, &err) < 0)
    return xstrdup(err->msg);
  char *s = xasprintf("%s", v.status);
  for (size_t i = 0; i < v.n_advisories; i++) {
    char *t = xasprintf("%s %s", s, v.advisory_ids[i]);
    free(s);
    s = t;
  }
  dcap_verdict_clear(&v);
  return s;
}

/* Status rules on collateral the simulation re-signs: worst status wins, advisories merged once. */
static void check_status_rules(const char *sim, const struct tdx_quote *q, const char *coll, const unsigned char *root,
                               size_t root_len, int64_t now) {
  struct {
    const char *doc;
    void (*edit)(json_t *);
    const char *want, *what;
  } cases[] = {
      {"tcb_info", platform_out_of_date, "OutOfDate INTEL-SA-00001 INTEL-SA-00002", "platform level OutOfDate with advisories"},
      {"qe_identity", qe_sw_hardening, "SWHardeningNeeded INTEL-SA-00002 INTEL-SA-00003", "QE level SWHardeningNeeded"},
      {"qe_identity", qe_other_signer, "qe-identity: QE MRSIGNER", "QE identity of another signer"},
      {"tcb_info", platform_svn_too_high, "tcb-level: No matching TCB level found", "no platform level low enough"},
      {"tcb_info", module_out_of_date, "tdx-module: module ISVSVN", "TDX module below every level"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    cleanup_free char *c = resign(coll, cases[i].doc, cases[i].edit, sim);
    cleanup_free char *got = verify_text(q, c, root, root_len, now);
    tap_check(strncmp(got, cases[i].want, strlen(cases[i].want)) == 0, "%s: %s", cases[i].what, got);
  }
  /* Both at once: the worse status, and the advisory both name appears once. */
  cleanup_free char *c1 = resign(coll, "tcb_info", platform_out_of_date, sim);
  cleanup_free char *c2 = resign(c1, "qe_identity", qe_sw_hardening, sim);
  cleanup_free char *got = verify_text(q, c2, root, root_len, now);
  tap_check(strcmp(got, "OutOfDate INTEL-SA-00001 INTEL-SA-00002 INTEL-SA-00003") == 0,
            "platform OutOfDate + QE SWHardeningNeeded merge: %s", got);
}

/* Revocation: the PCK leaf in the PCK CRL, the PCK CA or the root itself in the root CRL. */
static void check_revocation(const char *sim, const struct tdx_quote *q, const char *coll, const unsigned char *root,
                             size_t root_len, int64_t now) {
  struct {
    const char *field, *issuer;
    long serial; /* sim_pki.c numbers the certificates root 1, PCK CA 2, PCK 3, TCB signing 4 */
    const char *want, *what;
  } cases[] = {
      {"pck_crl", "pck-ca", 3, "pck-crl: certificate at depth 0: certificate revoked", "revoked PCK certificate"},
      {"root_ca_crl", "root", 2, "root-crl: certificate at depth 1: certificate revoked", "revoked PCK CA"},
      {"root_ca_crl", "root", 1, "root-crl: certificate at depth 2: certificate revoked", "revoked root CA itself"},
      {"root_ca_crl", "root", 4, "tcb-info-chain: certificate at depth 0: certificate revoked", "revoked TCB signing certificate"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    json_t *c = json_loads(coll, 0, NULL);
    char *hex = crl_revoking(sim, cases[i].issuer, cases[i].serial, now);
    json_object_set_new(c, cases[i].field, json_string(hex));
    free(hex);
    cleanup_free char *text = json_dumps(c, 0);
    json_decref(c);
    cleanup_free char *got = verify_text(q, text, root, root_len, now);
    tap_check(strcmp(got, cases[i].want) == 0, "%s: %s", cases[i].what, got);
  }
}

int main(void) {
  cleanup_error tb_error *err = NULL;
  cleanup_free char *dir = NULL;
  if (tb_mkdtemp_in("/tmp", "tb-simquote-", &dir, &err) < 0)
    tap_bail(err->msg);
  cleanup_free char *sim = xasprintf("%s/sim", dir);
  check_concurrent_creation(sim);

  unsigned char rd[64];
  for (int i = 0; i < 64; i++)
    rd[i] = (unsigned char)(0xa0 + i);
  cleanup_free unsigned char *quote = NULL;
  size_t len = 0;
  if (sim_quote_make(sim, rd, &quote, &len, &err) < 0)
    tap_bail(err->msg);
  cleanup_tdx_quote struct tdx_quote *q = NULL;
  tap_check(tdx_quote_parse(quote, len, &q, &err) == 0, "simulated quote parses");
  if (q == NULL)
    tap_bail(err->msg);
  tap_check(q->version == 4 && q->tee_type == TDX_TEE_TYPE && q->signed_len == 632 && q->cert_type == 5,
            "simulated quote is TDX v4 with a type-5 PCK chain");
  tap_check(memcmp(q->body.report_data, rd, 64) == 0, "report_data carried into the TD body");

  int64_t now = (int64_t)time(NULL);
  cleanup_free char *coll = NULL;
  cleanup_free unsigned char *root = NULL;
  size_t root_len = 0;
  if (sim_collateral_json(sim, now, &coll, &err) < 0 || sim_root_der(sim, &root, &root_len, &err) < 0)
    tap_bail(err->msg);

  struct dcap_verdict v;
  int ret = dcap_verify(q, coll, root, root_len, now, &v, &err);
  tap_check(ret == 0 && strcmp(v.status, "UpToDate") == 0 && v.simulated, "sim quote verifies against the sim root: %s",
            ret == 0 ? v.status : err->msg);
  tap_check(ret == 0 && strcmp(v.module_status, "UpToDate") == 0, "TDX module identity path exercised");
  dcap_verdict_clear(&v);
  tb_error_free(&err);

  ret = dcap_verify(q, coll, dcap_intel_root_ca_der, dcap_intel_root_ca_der_len, now, &v, &err);
  tap_check(ret < 0 && strncmp(err->msg, "pck-chain: ", 11) == 0, "sim quote against the Intel root fails at pck-chain: %s",
            err ? err->msg : "accepted");
  tb_error_free(&err);

  /* The same PKI serves later quotes: a second quote verifies with the first collateral. */
  cleanup_free unsigned char *quote2 = NULL;
  size_t len2 = 0;
  cleanup_tdx_quote struct tdx_quote *q2 = NULL;
  if (sim_quote_make(sim, rd, &quote2, &len2, &err) < 0 || tdx_quote_parse(quote2, len2, &q2, &err) < 0)
    tap_bail(err->msg);
  ret = dcap_verify(q2, coll, root, root_len, now, &v, &err);
  tap_check(ret == 0, "a second quote from the same sim dir verifies with the same collateral");
  dcap_verdict_clear(&v);
  tb_error_free(&err);

  check_debug_td(sim, quote, len, coll, root, root_len, now);
  check_status_rules(sim, q, coll, root, root_len, now);
  check_revocation(sim, q, coll, root, root_len, now);

  /* Collateral outlives its 30 days: refused like real collateral. */
  ret = dcap_verify(q, coll, root, root_len, now + 31L * 24 * 3600, &v, &err);
  tap_check(ret < 0, "sim collateral expires like real collateral: %s", err ? err->msg : "accepted");
  tb_error_free(&err);

  /* Flip a report_data byte: the quote signature catches it. */
  quote[568] ^= 1;
  cleanup_tdx_quote struct tdx_quote *bad = NULL;
  if (tdx_quote_parse(quote, len, &bad, &err) < 0)
    tap_bail(err->msg);
  ret = dcap_verify(bad, coll, root, root_len, now, &v, &err);
  tap_check(ret < 0 && strncmp(err->msg, "quote-signature: ", 17) == 0, "tampered sim quote fails at quote-signature");
  tb_error_free(&err);

  tb_rm_rf(dir, &err);
  return tap_done();
}
