/* `teebuild verify` of an OUT whose bundle or provenance is hostile. The fixture is a real OUT:
 * two files attested with the simulated TEE (a private tee-sim and simulation PKI), verified with
 * --allow-simulated. The first input byte says what the rest is: 'P' the whole provenance.json,
 * 'M' a JSON object merged into the bundle (recursively: the untouched parts stay validly signed,
 * so the checks after the envelope's are reached), anything else the whole bundle. */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/bundle.h"
#include "attest/verify.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "tests/support/attest_fixture.h"

static char *out, *sim, *bundle_path, *provenance_path, *bundle_text, *provenance_text;
static json_t *bundle;
static int64_t attested_at;

static void release(void) {
  free(bundle_text);
  free(provenance_text);
  json_decref(bundle);
  free(out);
  free(sim);
  free(bundle_path);
  free(provenance_path);
}

/* Two artifacts, attested with the simulated TEE. */
static void attest_fixture(void) {
  tb_error *err = NULL;
  cleanup_free char *art = xasprintf("%s/artifacts", out);
  cleanup_free char *a = xasprintf("%s/a.json", art), *b = xasprintf("%s/b.bin", art);
  if (tb_mkdir_p(art, 0755, &err) < 0 || tb_write_file_atomic(a, "{\"abi\": []}\n", 12, 0644, &err) < 0 ||
      tb_write_file_atomic(b, "\x00\x01\x02", 3, 0644, &err) < 0 || attest_fixture_out(out, sim, "fuzz", &err) < 0)
    fuzz_fail("attest the fixture", err);
}

static void fixture_open(void) {
  tb_error *err = NULL;
  if (atexit(release) != 0)
    fuzz_fail("atexit", NULL);
  out = xasprintf("%s/out", fuzz_scratch_dir());
  sim = xasprintf("%s/sim", fuzz_scratch_dir());
  bundle_path = xasprintf("%s/" TB_BUNDLE_FILE, out);
  provenance_path = xasprintf("%s/" TB_PROVENANCE_FILE, out);
  attest_fixture();
  attested_at = (int64_t)time(NULL);
  if (tb_read_file(bundle_path, 1u << 20, &bundle_text, NULL, &err) < 0 ||
      tb_read_file(provenance_path, 1u << 20, &provenance_text, NULL, &err) < 0 ||
      (bundle = json_loads(bundle_text, 0, NULL)) == NULL)
    fuzz_fail("read the fixture back", err);
}

static void put(const char *path, const void *data, size_t len) {
  tb_error *err = NULL;
  if (tb_write_file_atomic(path, data, len, 0644, &err) < 0)
    fuzz_fail("write a bundle file", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (bundle == NULL)
    fixture_open();
  if (size < 1)
    return 0;
  const char *rest = (const char *)data + 1;
  size_t n = size - 1;
  if (data[0] == 'P') {
    put(provenance_path, rest, n);
  } else if (data[0] == 'M') {
    json_t *patch = json_loadb(rest, n, 0, NULL);
    json_t *patched = json_deep_copy(bundle);
    if (json_is_object(patch))
      json_object_update_recursive(patched, patch);
    char *text = json_dumps(patched, JSON_COMPACT);
    put(bundle_path, text, text ? strlen(text) : 0);
    free(text);
    json_decref(patched);
    json_decref(patch);
  } else {
    put(bundle_path, rest, n);
  }
  struct tb_verify_options opts = {.out_dir = out, .now = attested_at, .allow_simulated = true, .sim_dir = sim};
  struct tb_verify_report report = {0};
  tb_error *err = NULL;
  (void)tb_verify(&opts, &report, &err);
  tb_verify_report_clear(&report);
  tb_error_free(&err);
  put(bundle_path, bundle_text, strlen(bundle_text));
  put(provenance_path, provenance_text, strlen(provenance_text));
  return 0;
}
