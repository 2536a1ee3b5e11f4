/* DCAP verification of the real v4 sample quote against arbitrary collateral: the QuoteCollateralV3
 * JSON, the TCB info and QE identity inside it, the CRLs and the issuer chains they carry. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "attest/dcap.h"
#include "attest/quote_tdx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct tdx_quote *quote = fuzz_sample_quote("dcapqvl_tdx_quote.bin");
  tb_error *err = NULL;
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
