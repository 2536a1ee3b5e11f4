/* The archive Slither reads, made from an arbitrary solc output (it comes from a toolchain run in the
 * jail): runner/slither_archive.c finds the ASTs in the text and splices them in unparsed. Whatever
 * the bytes, it must refuse them or write an archive; and when the output is JSON that jansson
 * parses, a written archive must be JSON too, with one source unit per AST (no placeholder left, no
 * AST misplaced). */
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/slither_archive.h"

/* The units the seeds compile, given inline as the archive needs them. */
static const char input[] =
    "{\"language\": \"Solidity\", \"settings\": {\"optimizer\": {\"enabled\": true}}, \"sources\": {"
    "\"A.sol\": {\"content\": \"contract A {}\"}, \"B.sol\": {\"content\": \"contract B {}\"},"
    "\"lib/C.sol\": {\"content\": \"library C {}\"}}}";

static void check_archive(const char *path, const json_t *output) {
  cleanup_json json_t *archive = NULL;
  tb_error *err = NULL;
  if (tb_json_load_file(path, 1u << 26, &archive, &err) < 0)
    fuzz_fail("a JSON output gave an archive that is not JSON", err);
  json_t *units = json_object_get(json_object_get(json_object_get(archive, "compilation_units"), "standard_json"),
                                  "source_units");
  const char *name;
  json_t *unit;
  json_object_foreach(units, name, unit) {
    const json_t *ast = json_object_get(json_object_get(json_object_get(output, "sources"), name), "ast");
    if (!json_equal(json_object_get(unit, "ast"), ast))
      fuzz_fail("a unit's AST in the archive is not the output's", NULL);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cleanup_free char *output = xmalloc(size + 1);
  memcpy(output, data, size);
  output[size] = '\0';
  cleanup_free char *in = xstrdup(input);
  struct slither_build_json json = {in, output, sizeof(input) - 1, size};
  cleanup_free char *path = xasprintf("%s/" SLITHER_ARCHIVE_NAME, fuzz_scratch_dir());
  (void)unlink(path);
  tb_error *err = NULL;
  int r = slither_archive_write(&json, "fuzz", fuzz_scratch_dir(), &err);
  tb_error_free(&err);
  cleanup_json json_t *parsed =
      memchr(data, '\0', size) ? NULL : json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (r == 0 && parsed != NULL)
    check_archive(path, parsed);
  return 0;
}
