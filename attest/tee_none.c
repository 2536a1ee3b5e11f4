/* Provider "none": no TEE evidence at all. The bundle is still signed, but `verify` fails its TEE
 * checks: this is for trying teebuild out, never for publishing. */
#include "attest/tee.h"

static bool none_available(const struct tb_tee_config *cfg) {
  (void)cfg;
  return true;
}

static int none_open(const struct tb_tee_config *cfg, void **state, tb_error **err) {
  (void)cfg;
  (void)err;
  *state = NULL;
  return 0;
}

static int none_quote(void *state, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
                      tb_error **err) {
  (void)state;
  (void)report_data;
  (void)out;
  (void)err;
  return 0;
}

const struct tb_tee_ops tb_tee_none_ops = {
    .name = "none", .available = none_available, .open = none_open, .quote = none_quote, .close = NULL};
