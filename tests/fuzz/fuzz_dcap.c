/* DCAP verification of an arbitrary quote against the real v4 sample's collateral: the quote
 * carries the PCK chain (PEM, then X.509 and the SGX extensions' ASN.1), the QE report and the
 * signatures, so every field of it reaches a parser or a check. */
#include "fuzz.h"

#include <stdlib.h>

#include "attest/dcap.h"
#include "attest/quote_tdx.h"

static char *collateral; /* the same for every input */

static void release(void) { free(collateral); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (collateral == NULL && ((collateral = fuzz_sample("dcapqvl_tdx_quote_collateral.json", NULL)) == NULL ||
                             atexit(release) != 0))
    fuzz_fail("atexit", NULL);
  tb_error *err = NULL;
  struct tdx_quote *q = NULL;
  if (tdx_quote_parse(data, size, &q, &err) == 0) {
    struct dcap_verdict v = {0};
    if (dcap_verify(q, collateral, dcap_intel_root_ca_der, dcap_intel_root_ca_der_len, FUZZ_SAMPLE_TIME, &v,
                    &err) == 0)
      dcap_verdict_clear(&v);
    tdx_quote_free(q);
  }
  tb_error_free(&err);
  return 0;
}
