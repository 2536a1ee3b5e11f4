/* Simulated quotes: made, parsed, verified by the same dcap_verify() against the sim root (ok,
 * marked simulated) and refused against the Intel root at pck-chain; the sim PKI is created once
 * even by concurrent callers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attest/dcap.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/fs.h"
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

  /* Collateral outlives its 30 days: refused like real collateral. */
  ret = dcap_verify(q, coll, root, root_len, now + 31 * 24 * 3600, &v, &err);
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
