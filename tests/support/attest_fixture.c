#include "tests/support/attest_fixture.h"

#include <jansson.h>

#include "attest/bundle.h"
#include "attest/key.h"
#include "attest/provenance.h"
#include "attest/tee.h"
#include "common/cleanup.h"

int attest_fixture_out(const char *out, const char *sim_dir, const char *teebuild_version, tb_error **err) {
  struct tb_tee_config cfg = {.sim_dir = sim_dir};
  cleanup_tee struct tb_tee *tee = NULL;
  cleanup_json json_t *ext = json_pack("{s:s}", "solc", "0.8.24"), *internal = json_object(), *deps = json_array();
  cleanup_json json_t *bundle = NULL;
  cleanup_free char *payload = NULL;
  cleanup_pkey EVP_PKEY *key = NULL;
  size_t len = 0;
  struct tb_provenance_params p = {.build_type = "https://teebuild.dev/solc-build/v1", .external_parameters = ext,
                                   .internal_parameters = internal, .resolved_dependencies = deps,
                                   .teebuild_version = teebuild_version, .out_dir = out};
  if (tb_tee_open("simulated", &cfg, &tee, err) < 0)
    return -1;
  p.tee_provider = tb_tee_provider(tee);
  if (tb_provenance_payload(&p, &payload, &len, err) < 0 || tb_key_generate(&key, err) < 0 ||
      tb_bundle_seal(tee, key, payload, len, &bundle, err) < 0 || tb_bundle_write(out, payload, len, bundle, err) < 0)
    return -1;
  return 0;
}
