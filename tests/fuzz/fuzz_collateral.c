/* DCAP verification of the real v4 sample quote against arbitrary collateral: the QuoteCollateralV3
 * JSON, the TCB info and QE identity inside it, the CRLs and the issuer chains they carry. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "attest/dcap.h"
#include "attest/quote_tdx.h"

static struct tdx_quote *quote;
static char *raw; /* the parsed quote points into it */

static void release(void) {
  tdx_quote_free(quote);
  free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tb_error *err = NULL;
  if (quote == NULL) {
    size_t len = 0;
    raw = fuzz_sample("dcapqvl_tdx_quote.bin", &len);
    if (tdx_quote_parse((const unsigned char *)raw, len, &quote, &err) < 0 || atexit(release) != 0)
      abort();
  }
  char *json = malloc(size + 1);
  if (json == NULL)
    return 0;
  memcpy(json, data, size);
  json[size] = '\0';
  struct dcap_verdict v = {0};
  if (dcap_verify(quote, json, dcap_intel_root_ca_der, dcap_intel_root_ca_der_len, FUZZ_SAMPLE_TIME, &v, &err) == 0)
    dcap_verdict_clear(&v);
  tb_error_free(&err);
  free(json);
  return 0;
}
