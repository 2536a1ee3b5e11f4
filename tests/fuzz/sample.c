#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "attest/quote_tdx.h"
#include "common/fs.h"

char *fuzz_sample(const char *name, size_t *len) {
  const char *dir = getenv("TB_TESTDATA");
  char path[4096];
  (void)snprintf(path, sizeof(path), "%s/tdx/%s", dir ? dir : "../shared/testdata", name);
  char *data = NULL;
  size_t n = 0;
  if (tb_read_file(path, 1u << 20, &data, &n, NULL) < 0) {
    (void)fprintf(stderr, "fuzz: cannot read the sample %s (set TB_TESTDATA)\n", path);
    abort();
  }
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
      tdx_quote_parse(sample_quote_bytes, raw_len, &sample_quote, &err) < 0 || atexit(release_sample_quote) != 0) {
    (void)fprintf(stderr, "fuzz: the sample %s is not a quote: %s\n", name, err ? err->msg : "");
    abort();
  }
  free(text);
  return sample_quote;
}
