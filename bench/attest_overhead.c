/* What attestation adds to a job: everything job_attest does after the jail has ended — start the
 * simulated TEE (a private tee-sim), build and canonicalize the statement over an OUT of N files,
 * make the ephemeral key, sign, get the quote over the binding, write provenance.json and the
 * bundle. Prints the median and p95 over RUNS, after one warm-up (which creates the simulation PKI).
 * usage: tb-bench-attest [RUNS] [FILES]   (prints "median_ms=... p95_ms=...") */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "tests/support/attest_fixture.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void make_out(const char *out, int files, tb_error **err) {
  cleanup_free char *art = xasprintf("%s/artifacts/contracts", out), *logs = xasprintf("%s/logs", out);
  if (tb_mkdir_p(art, 0755, err) < 0 || tb_mkdir_p(logs, 0755, err) < 0)
    abort();
  static char blob[64 << 10];
  memset(blob, 'x', sizeof(blob));
  for (int i = 0; i < files; i++) {
    cleanup_free char *p = xasprintf("%s/C%d.json", art, i);
    if (tb_write_file_atomic(p, blob, sizeof(blob), 0644, err) < 0)
      abort();
  }
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : 50, files = argc > 2 ? atoi(argv[2]) : 20;
  cleanup_error tb_error *err = NULL;
  cleanup_free char *root = NULL;
  if (runs < 1 || tb_mkdtemp_in("/tmp", "tb-bench-attest-", &root, &err) < 0)
    return 2;
  cleanup_free char *out = xasprintf("%s/out", root), *sim = xasprintf("%s/sim", root);
  make_out(out, files, &err);
  double *t = xcalloc((size_t)runs, sizeof(*t));
  int ret = attest_fixture_out(out, sim, "bench", &err); /* warm-up: creates the simulation PKI once */
  for (int i = 0; ret == 0 && i < runs; i++) {
    double start = now_ms();
    ret = attest_fixture_out(out, sim, "bench", &err);
    t[i] = now_ms() - start;
  }
  if (ret < 0)
    tb_error_print(err, stderr);
  qsort(t, (size_t)runs, sizeof(*t), by_value);
  printf("median_ms=%.2f p95_ms=%.2f runs=%d files=%d\n", t[runs / 2], t[(runs * 95) / 100 < runs ? (runs * 95) / 100 : runs - 1], runs, files);
  free(t);
  tb_rm_rf(root, &err);
  return ret < 0;
}
