/* remappings.txt (a user's repository's) through runner/remappings.c: loaded, turned into solc's
 * settings, and applied to a few imports from a few units. */
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "runner/remappings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cleanup_free char *path = xasprintf("%s/remappings.txt", fuzz_scratch_dir());
  tb_error *err = NULL;
  if (tb_write_file_atomic(path, data, size, 0644, &err) < 0)
    fuzz_fail("write remappings.txt", err);
  struct remappings r = {0};
  if (remappings_load(path, &r, &err) == 0) {
    json_decref(remappings_json(&r));
    static const char *const importers[] = {"src/A.sol", "lib/x/B.sol", ""};
    static const char *const imports[] = {"@oz/token/ERC20.sol", "lib/x/y.sol", "ds-test/test.sol", ""};
    for (size_t i = 0; i < sizeof(importers) / sizeof(importers[0]); i++)
      for (size_t j = 0; j < sizeof(imports) / sizeof(imports[0]); j++)
        free(remappings_apply(&r, importers[i], imports[j]));
    remappings_clear(&r);
  }
  tb_error_free(&err);
  return 0;
}
