/* dcap_verify() on the real samples of testdata/tdx at the times their README states, and every
 * tampering we can think of rejected under the right check name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/dcap.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "tests/dcap/tap.h"

static const char *dir;

struct sample {
  unsigned char *quote;
  size_t len;
  char *collateral;
};

static void load(const char *quote_file, const char *coll_file, struct sample *s) {
  cleanup_error tb_error *err = NULL;
  cleanup_free char *qp = xasprintf("%s/%s", dir, quote_file);
  cleanup_free char *cp = xasprintf("%s/%s", dir, coll_file);
  size_t clen;
  if (tdx_quote_read_file(qp, &s->quote, &s->len, &err) < 0 || tb_read_file(cp, 1 << 20, &s->collateral, &clen, &err) < 0)
    tap_bail(err->msg);
}

/* Verify quote bytes + collateral at now against root; returns the error message or "ok <status>". */
static char *run(const unsigned char *quote, size_t len, const char *coll, const unsigned char *root, size_t root_len,
                 int64_t now, struct dcap_verdict *v) {
  cleanup_error tb_error *err = NULL;
  cleanup_tdx_quote struct tdx_quote *q = NULL;
  *v = (struct dcap_verdict){0}; /* callers read and clear it even when parsing fails */
  if (tdx_quote_parse(quote, len, &q, &err) < 0 ||
      dcap_verify(q, coll, root, root_len, now, v, &err) < 0)
    return xstrdup(err->msg);
  return xasprintf("ok %s", v->status);
}

static char *run_intel(const struct sample *s, const unsigned char *quote, const char *coll, int64_t now) {
  struct dcap_verdict v;
  char *r = run(quote ? quote : s->quote, s->len, coll ? coll : s->collateral, dcap_intel_root_ca_der,
                dcap_intel_root_ca_der_len, now, &v);
  dcap_verdict_clear(&v);
  return r;
}

static void expect_prefix(char *got, const char *want, const char *what) {
  tap_check(strncmp(got, want, strlen(want)) == 0, "%s: %s", what, got);
  free(got);
}

static void check_root_pin(void) {
  unsigned char h[32];
  char hex[65];
  tb_sha256_buf(dcap_intel_root_ca_der, dcap_intel_root_ca_der_len, h);
  tb_hex_encode(h, 32, hex);
  tap_check(strcmp(hex, "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3") == 0,
            "embedded Intel SGX Root CA has the pinned SHA-256");
  cleanup_free char *path = xasprintf("%s/intel_sgx_root_ca.der", dir);
  cleanup_free char *der = NULL;
  size_t len = 0;
  cleanup_error tb_error *err = NULL;
  tap_check(tb_read_file(path, 1 << 16, &der, &len, &err) == 0 && len == dcap_intel_root_ca_der_len &&
                memcmp(der, dcap_intel_root_ca_der, len) == 0,
            "embedded Intel SGX Root CA equals testdata's copy");
}

static void check_outcomes(void) {
  struct sample v4, near, v5;
  load("dcapqvl_tdx_quote.bin", "dcapqvl_tdx_quote_collateral.json", &v4);
  load("dcapqvl_near_tdx_quote.hex", "dcapqvl_near_tdx_quote_collateral.json", &near);
  load("dcapqvl_tdx_quote_outdated_v5.bin", "dcapqvl_tdx_quote_outdated_v5_collateral.json", &v5);

  struct dcap_verdict v;
  char *r = run(v4.quote, v4.len, v4.collateral, dcap_intel_root_ca_der, dcap_intel_root_ca_der_len, 1752919234, &v);
  tap_check(strcmp(r, "ok UpToDate") == 0 && v.n_advisories == 0 && !v.simulated, "v4 sample at 1752919234: %s", r);
  free(r);
  dcap_verdict_clear(&v);
  expect_prefix(run_intel(&near, NULL, NULL, 1759388630), "ok UpToDate", "NEAR v4 sample at 1759388630");
  expect_prefix(run_intel(&v5, NULL, NULL, 1774003274), "tcb-level: No matching TCB level found",
                "v5 outdated sample at 1774003274");

  /* Windows: the last valid second, one past the PCK CRL nextUpdate, one before the QE identity issueDate. */
  /* Deliberately stricter than dcap-qvl by one second: OpenSSL counts a CRL as expired at its
   * nextUpdate instant, dcap-qvl (Rust) only after it. */
  expect_prefix(run_intel(&v4, NULL, NULL, 1752919235), "pck-crl: ", "v4 at PCK CRL nextUpdate itself (stricter than dcap-qvl by 1 s)");
  expect_prefix(run_intel(&v4, NULL, NULL, 1752919236), "pck-crl: ", "v4 one second past PCK CRL nextUpdate");
  expect_prefix(run_intel(&v4, NULL, NULL, 1750329146), "qe-identity-window: ", "v4 one second before QE identity issueDate");
  expect_prefix(run_intel(&v4, NULL, NULL, 1750329147), "ok UpToDate", "v4 at QE identity issueDate");
  expect_prefix(run_intel(&v4, NULL, NULL, 1752920164), "pck-crl: ", "v4 past tcb_info nextUpdate (CRL expired first)");
  expect_prefix(run_intel(&v5, NULL, NULL, 1774003276), "pck-crl: ", "v5 one second past PCK CRL nextUpdate");

  /* Flipped bytes in each signed region. */
  unsigned char *m = xmalloc(v4.len);
  struct { size_t off; const char *want, *what; } flips[] = {
      {2 + 8, "quote-signature: ", "header byte (qe_svn)"},
      {28, "quote-signature: ", "header user_data"},
      {48 + 136, "quote-signature: ", "body mr_td"},
      {568, "quote-signature: ", "body report_data (offset 568)"},
      {631, "quote-signature: ", "last signed byte"},
      {636, "quote-signature: ", "quote signature r"},
      {636 + 64, "attestation-key-hash: ", "attestation key"},
      {636 + 128 + 6 + 100, "qe-report-signature: ", "QE report"},
      {636 + 128 + 6 + 384, "qe-report-signature: ", "QE report signature"},
      {636 + 128 + 6 + 384 + 64 + 2, "attestation-key-hash: ", "QE auth data"},
  };
  for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
    memcpy(m, v4.quote, v4.len);
    m[flips[i].off] ^= 0x01;
    char *what = xasprintf("flipped %s rejected", flips[i].what);
    expect_prefix(run_intel(&v4, m, NULL, 1752919234), flips[i].want, what);
    free(what);
  }
  /* Trailing bytes are outside every signature: changing them changes nothing. */
  memcpy(m, v4.quote, v4.len);
  m[v4.len - 1] ^= 0xff;
  expect_prefix(run_intel(&v4, m, NULL, 1752919234), "ok UpToDate", "trailing byte changed: still verifies");
  /* Debug TD: the TUD debug bit is inside the signed body, so it can only be seen on a re-signed
   * quote; the simulated-quote test covers it. Here: the signature catches it first. */
  memcpy(m, v4.quote, v4.len);
  m[48 + 120] |= 0x01;
  expect_prefix(run_intel(&v4, m, NULL, 1752919234), "quote-signature: ", "debug bit set in a real quote");
  free(m);

  /* A certificate swapped: the NEAR quote's PCK chain (another platform's, issued later) inside the
   * v4 quote's bytes; the chain no longer holds at the v4 time. */
  {
    cleanup_tdx_quote struct tdx_quote *a = NULL, *b = NULL;
    cleanup_error tb_error *err = NULL;
    if (tdx_quote_parse(v4.quote, v4.len, &a, &err) < 0 || tdx_quote_parse(near.quote, near.len, &b, &err) < 0)
      tap_bail(err->msg);
    /* Same size chains in both quotes? Then splice; otherwise report why not. */
    if (a->cert_size == b->cert_size) {
      unsigned char *s = xmalloc(v4.len);
      memcpy(s, v4.quote, v4.len);
      memcpy(s + (a->cert_data - a->raw), b->cert_data, b->cert_size);
      expect_prefix(run_intel(&v4, s, NULL, 1752919234), "pck-chain: ", "PCK chain swapped for another platform's");
      free(s);
    } else {
      tap_check(1, "# SKIP chain sizes differ (%u vs %u)", a->cert_size, b->cert_size);
    }
  }

  /* Collateral tampering. */
  cleanup_json json_t *coll = NULL;
  cleanup_error tb_error *err = NULL;
  if (tb_json_load_buf("collateral", v4.collateral, strlen(v4.collateral), &coll, &err) < 0)
    tap_bail(err->msg);
  struct { const char *key; size_t off; const char *want, *what; } ctamper[] = {
      {"tcb_info_signature", 10, "tcb-info-signature: ", "tcb_info signature flipped"},
      {"qe_identity_signature", 70, "qe-identity-signature: ", "qe_identity signature flipped"},
      {"tcb_info", 200, "tcb-info-signature: ", "tcb_info text changed by one byte"},
      {"qe_identity", 0, "qe-identity-signature: ", "qe_identity text changed by one byte (in mrsigner)"},
      {"pck_crl", 300, "pck-crl: ", "PCK CRL byte changed"},
      {"root_ca_crl", 150, "root-crl: ", "root CA CRL byte changed"},
  };
  for (size_t i = 0; i < sizeof(ctamper) / sizeof(ctamper[0]); i++) {
    cleanup_json json_t *c = json_deep_copy(coll);
    cleanup_free char *s = xstrdup(json_string_value(json_object_get(c, ctamper[i].key)));
    size_t off = ctamper[i].off ? ctamper[i].off : (size_t)(strstr(s, "\"mrsigner\":\"") - s) + 12;
    s[off] = s[off] == '1' ? '2' : '1';
    json_object_set_new(c, ctamper[i].key, json_string(s));
    cleanup_free char *text = json_dumps(c, 0);
    expect_prefix(run_intel(&v4, NULL, text, 1752919234), ctamper[i].want, ctamper[i].what);
  }
  /* Re-serializing the signed text (same JSON value, different bytes) must fail too. */
  {
    cleanup_json json_t *c = json_deep_copy(coll);
    cleanup_json json_t *doc = json_loads(json_string_value(json_object_get(c, "tcb_info")), 0, NULL);
    cleanup_free char *reser = json_dumps(doc, JSON_INDENT(1));
    json_object_set_new(c, "tcb_info", json_string(reser));
    cleanup_free char *text = json_dumps(c, 0);
    expect_prefix(run_intel(&v4, NULL, text, 1752919234), "tcb-info-signature: ", "tcb_info re-serialized");
  }
  /* The v5 sample's collateral is for another FMSPC. */
  expect_prefix(run_intel(&v4, NULL, v5.collateral, 1752919234), "pck-crl: ",
                "v4 quote with the v5 collateral at v4 time (its CRLs are not yet valid)");
  expect_prefix(run_intel(&v4, NULL, near.collateral, 1752919234), "",
                "v4 quote with NEAR collateral rejected");

  /* An unrelated root. */
  {
    struct dcap_verdict vv;
    char *r2 = run(v4.quote, v4.len, v4.collateral, (const unsigned char *)"junk", 4, 1752919234, &vv);
    expect_prefix(r2, "root-ca: ", "a trust anchor that is not a certificate");
  }
  free(v4.quote); free(v4.collateral); free(near.quote); free(near.collateral); free(v5.quote); free(v5.collateral);
}

int main(void) {
  const char *td = getenv("TB_TESTDATA");
  if (td == NULL)
    tap_bail("TB_TESTDATA is not set");
  cleanup_free char *d = xasprintf("%s/tdx", td);
  dir = d;
  check_root_pin();
  check_outcomes();
  return tap_done();
}
