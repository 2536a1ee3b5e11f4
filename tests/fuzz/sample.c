#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "attest/quote_tdx.h"
#include "common/fs.h"

void fuzz_fail(const char *why, const struct tb_error *err) {
  (void)fprintf(stderr, "fuzz: %s%s%s\n", why, err && err->msg ? ": " : "", err && err->msg ? err->msg : "");
  abort();
}

static char *scratch;

static void remove_scratch(void) {
  (void)tb_rm_rf(scratch, NULL);
  free(scratch);
}

const char *fuzz_scratch_dir(void) {
  if (scratch)
    return scratch;
  struct stat st;
  const char *base = getenv("TMPDIR");
  if (base == NULL || *base == '\0')
    base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
  tb_error *err = NULL;
  if (tb_mkdtemp_in(base, "tb-fuzz-", &scratch, &err) < 0)
    fuzz_fail("a scratch directory", err);
  if (atexit(remove_scratch) != 0)
    fuzz_fail("atexit", NULL);
  return scratch;
}

char *fuzz_sample(const char *name, size_t *len) {
  const char *dir = getenv("TB_TESTDATA");
  char path[4096];
  (void)snprintf(path, sizeof(path), "%s/tdx/%s", dir ? dir : "../shared/testdata", name);
  char *data = NULL;
  size_t n = 0;
  tb_error *err = NULL;
  if (tb_read_file(path, 1u << 20, &data, &n, &err) < 0)
    fuzz_fail("cannot read a sample (set TB_TESTDATA)", err);
  if (len)
    *len = n;
  return data;
}

static struct tdx_quote *sample_quote;
static unsigned char *sample_quote_bytes; /* the parsed quote points into them */

static void release_sample_quote(void) {
  tdx_quote_free(sample_quote);
  free(sample_quote_bytes);
}

const struct tdx_quote *fuzz_sample_quote(const char *name) {
  if (sample_quote)
    return sample_quote;
  size_t len = 0, raw_len = 0;
  char *text = fuzz_sample(name, &len);
  tb_error *err = NULL;
  if (tdx_quote_decode_input(text, len, &sample_quote_bytes, &raw_len, &err) < 0 ||
      tdx_quote_parse(sample_quote_bytes, raw_len, &sample_quote, &err) < 0 || atexit(release_sample_quote) != 0)
    fuzz_fail("a sample is not a quote", err);
  free(text);
  return sample_quote;
}
