/* A quote as a user hands it over: raw, hex or a GetQuote JSON response, then the TDX parser. */
#include "fuzz.h"

#include <stdlib.h>

#include "attest/quote_tdx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tb_error *err = NULL;
  struct tdx_quote *q = NULL;
  if (tdx_quote_parse(data, size, &q, &err) == 0)
    tdx_quote_free(q);
  tb_error_free(&err);
  unsigned char *raw = NULL;
  size_t raw_len = 0;
  if (tdx_quote_decode_input((const char *)data, size, &raw, &raw_len, &err) == 0) {
    q = NULL;
    if (tdx_quote_parse(raw, raw_len, &q, &err) == 0)
      tdx_quote_free(q);
    free(raw);
  }
  tb_error_free(&err);
  return 0;
}
