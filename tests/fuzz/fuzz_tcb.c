/* DCAP verification where the TCB documents are arbitrary but validly signed: the input, after a
 * first byte that picks the document ('Q' the QE identity, anything else the TCB info), is signed
 * with the simulation PKI's TCB signing key and put in the simulated collateral of a simulated
 * quote. Signatures then hold, so the input reaches what real collateral's signatures guard: the
 * TCB levels, the TDX module identities, the QE identity's fields and their matching. */
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/dcap.h"
#include "attest/dcap_crypto.h"
#include "attest/quote_tdx.h"
#include "attest/sim_pki.h"
#include "attest/sim_quote.h"
#include "common/fs.h"
#include "common/hex.h"

struct fixture {
  struct sim_pki pki;
  unsigned char *quote_bytes, *root;
  size_t quote_len, root_len;
  struct tdx_quote *quote;
  json_t *collateral;
};

static struct fixture f;

static void release(void) {
  json_decref(f.collateral);
  tdx_quote_free(f.quote);
  free(f.quote_bytes);
  free(f.root);
  sim_pki_close(&f.pki);
}

static void fixture_open(void) {
  tb_error *err = NULL;
  unsigned char report_data[64] = {0};
  char *json = NULL;
  const char *sim_dir = fuzz_scratch_dir();
  if (atexit(release) != 0 || sim_pki_open(sim_dir, &f.pki, &err) < 0 ||
      sim_quote_make(sim_dir, report_data, &f.quote_bytes, &f.quote_len, &err) < 0 ||
      tdx_quote_parse(f.quote_bytes, f.quote_len, &f.quote, &err) < 0 ||
      sim_collateral_json(sim_dir, FUZZ_SAMPLE_TIME, &json, &err) < 0 ||
      sim_root_der(sim_dir, &f.root, &f.root_len, &err) < 0)
    fuzz_fail("make the simulated quote and collateral", err);
  f.collateral = json_loads(json, 0, NULL);
  free(json);
  if (f.collateral == NULL)
    fuzz_fail("the simulated collateral is not JSON", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (f.collateral == NULL)
    fixture_open();
  if (size < 1)
    return 0;
  const char *name = data[0] == 'Q' ? "qe_identity" : "tcb_info";
  const char *sig_name = data[0] == 'Q' ? "qe_identity_signature" : "tcb_info_signature";
  unsigned char sig[64];
  char sig_hex[129];
  if (ecdsa_sign_raw(f.pki.tcb_key, data + 1, size - 1, sig) < 0)
    return 0;
  tb_hex_encode(sig, sizeof(sig), sig_hex);
  json_t *coll = json_deep_copy(f.collateral);
  json_object_set_new(coll, name, json_stringn((const char *)data + 1, size - 1));
  json_object_set_new(coll, sig_name, json_string(sig_hex));
  char *text = json_dumps(coll, JSON_COMPACT);
  json_decref(coll);
  tb_error *err = NULL;
  struct dcap_verdict v = {0};
  if (text && dcap_verify(f.quote, text, f.root, f.root_len, FUZZ_SAMPLE_TIME, &v, &err) == 0)
    dcap_verdict_clear(&v);
  tb_error_free(&err);
  free(text);
  return 0;
}
