/* Every quote in testdata/tdx parses to the fields in expected_parsed_fields.json; SGX quotes and
 * malformed quotes are refused with a quote-format error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/quote_tdx.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "tests/dcap/tap.h"

static char *hex(const unsigned char *p, size_t n) {
  char *s = xmalloc(2 * n + 1);
  tb_hex_encode(p, n, s);
  return s;
}

static void expect_hex(const json_t *want, const char *key, const unsigned char *p, size_t n, const char *file) {
  const char *w = json_string_value(json_object_get(want, key));
  if (w == NULL)
    return; /* not every quote lists every field */
  cleanup_free char *got = hex(p, n);
  tap_check(strcmp(w, got) == 0, "%s: %s", file, key);
}

static void expect_int(const json_t *want, const char *key, long long got, const char *file) {
  const json_t *w = json_object_get(want, key);
  if (w == NULL)
    return;
  tap_check(json_integer_value(w) == got, "%s: %s = %lld (want %lld)", file, key, got, json_integer_value(w));
}

static void check_fields(const struct tdx_quote *q, const json_t *w, const char *file) {
  const struct tdx_td_body *b = &q->body;
  char tee_type[16];
  (void)snprintf(tee_type, sizeof(tee_type), "0x%x", q->tee_type);
  tap_check(strcmp(tee_type, json_string_value(json_object_get(w, "tee_type"))) == 0, "%s: tee_type", file);
  expect_int(w, "version", q->version, file);
  expect_int(w, "att_key_type", q->att_key_type, file);
  expect_int(w, "body_offset", (long long)q->body_offset, file);
  expect_int(w, "body_type", q->body_type, file);
  expect_int(w, "body_size", q->body_size, file);
  expect_int(w, "signed_len", (long long)q->signed_len, file);
  expect_int(w, "sig_data_len", q->sig_data_len, file);
  expect_int(w, "outer_cert_type", q->outer_cert_type, file);
  expect_int(w, "outer_cert_size", q->outer_cert_size, file);
  expect_int(w, "qe_report_isv_prod_id", q->qe_report.isv_prod_id, file);
  expect_int(w, "qe_report_isv_svn", q->qe_report.isv_svn, file);
  expect_int(w, "qe_auth_data_len", q->qe_auth_data_len, file);
  expect_int(w, "inner_cert_type", q->cert_type, file);
  expect_int(w, "inner_cert_size", q->cert_size, file);
  expect_int(w, "end_of_sig_data", (long long)q->end_of_sig_data, file);
  expect_int(w, "total_len", (long long)q->raw_len, file);
  expect_int(w, "trailing_bytes", (long long)(q->raw_len - q->end_of_sig_data), file);
  expect_hex(w, "qe_vendor_id", q->qe_vendor_id, 16, file);
  expect_hex(w, "user_data", q->user_data, 20, file);
  expect_hex(w, "tee_tcb_svn", b->tee_tcb_svn, 16, file);
  expect_hex(w, "mr_seam", b->mr_seam, 48, file);
  expect_hex(w, "mr_signer_seam", b->mr_signer_seam, 48, file);
  expect_hex(w, "seam_attributes", b->seam_attributes, 8, file);
  expect_hex(w, "td_attributes", b->td_attributes, 8, file);
  expect_hex(w, "xfam", b->xfam, 8, file);
  expect_hex(w, "mr_td", b->mr_td, 48, file);
  expect_hex(w, "mr_config_id", b->mr_config_id, 48, file);
  expect_hex(w, "mr_owner", b->mr_owner, 48, file);
  expect_hex(w, "mr_owner_config", b->mr_owner_config, 48, file);
  static const char *const rtmr_keys[4] = {"rt_mr0", "rt_mr1", "rt_mr2", "rt_mr3"};
  for (int i = 0; i < 4; i++)
    expect_hex(w, rtmr_keys[i], b->rtmr[i], 48, file);
  expect_hex(w, "report_data", b->report_data, 64, file);
  expect_hex(w, "qe_report_mr_signer", q->qe_report.mr_signer, 32, file);
  if (b->tee_tcb_svn2) {
    expect_hex(w, "tee_tcb_svn2", b->tee_tcb_svn2, 16, file);
    expect_hex(w, "mr_service_td", b->mr_service_td, 48, file);
  }
  unsigned char digest[32];
  tb_sha256_buf(q->raw, q->raw_len, digest);
  expect_hex(w, "sha256_of_quote_bytes", digest, 32, file);
}

static void check_expected(const char *dir) {
  cleanup_free char *path = xasprintf("%s/expected_parsed_fields.json", dir);
  cleanup_json json_t *all = NULL;
  cleanup_error tb_error *err = NULL;
  if (tb_json_load_file(path, 1 << 20, &all, &err) < 0)
    tap_bail(err->msg);
  const char *file;
  json_t *want;
  json_object_foreach(all, file, want) {
    cleanup_free char *qpath = xasprintf("%s/%s", dir, file);
    cleanup_free unsigned char *bytes = NULL;
    size_t len = 0;
    cleanup_tdx_quote struct tdx_quote *q = NULL;
    if (tdx_quote_read_file(qpath, &bytes, &len, &err) < 0 || tdx_quote_parse(bytes, len, &q, &err) < 0) {
      tap_check(0, "%s parses: %s", file, err->msg);
      tb_error_free(&err);
      continue;
    }
    check_fields(q, want, file);
  }
}

static void expect_refused(const unsigned char *bytes, size_t len, const char *needle, const char *what) {
  cleanup_tdx_quote struct tdx_quote *q = NULL;
  cleanup_error tb_error *err = NULL;
  int ret = tdx_quote_parse(bytes, len, &q, &err);
  tap_check(ret < 0 && err && err->exit_code == TB_EXIT_VERIFY && strncmp(err->msg, "quote-format: ", 14) == 0 &&
                strstr(err->msg, needle) != NULL,
            "%s refused (%s)", what, err ? err->msg : "accepted");
}

static void check_refusals(const char *dir) {
  cleanup_free char *sgx_path = xasprintf("%s/dcapqvl_sgx_quote.bin", dir);
  cleanup_free unsigned char *sgx = NULL;
  size_t sgx_len = 0;
  cleanup_error tb_error *err = NULL;
  if (tdx_quote_read_file(sgx_path, &sgx, &sgx_len, &err) < 0)
    tap_bail(err->msg);
  expect_refused(sgx, sgx_len, "SGX quote", "SGX quote (tee_type 0)");

  cleanup_free char *v4_path = xasprintf("%s/dcapqvl_tdx_quote.bin", dir);
  cleanup_free unsigned char *v4 = NULL;
  size_t v4_len = 0;
  if (tdx_quote_read_file(v4_path, &v4, &v4_len, &err) < 0)
    tap_bail(err->msg);
  unsigned char *m = xmalloc(v4_len);
  memcpy(m, v4, v4_len);
  m[0] = 3;
  expect_refused(m, v4_len, "version 3", "unknown version");
  memcpy(m, v4, v4_len);
  m[2] = 3;
  expect_refused(m, v4_len, "attestation key type 3", "unknown attestation key type");
  memcpy(m, v4, v4_len);
  expect_refused(m, 4936 - 1, "exceeds", "signature data cut one byte short");
  expect_refused(m, 600, "truncated", "quote cut inside the body");
  m[632] = 0xff; /* sig_data_len now far beyond the buffer */
  m[633] = 0xff;
  expect_refused(m, v4_len, "exceeds", "signature data length past the end");
  free(m);
}

int main(void) {
  const char *td = getenv("TB_TESTDATA");
  if (td == NULL)
    tap_bail("TB_TESTDATA is not set");
  cleanup_free char *dir = xasprintf("%s/tdx", td);
  check_expected(dir);
  check_refusals(dir);
  return tap_done();
}
