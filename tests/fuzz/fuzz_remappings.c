/* remappings.txt (a user's repository's) through runner/remappings.c: loaded, turned into solc's
 * settings, and applied to a few imports from a few units. */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/fs.h"
#include "runner/remappings.h"

static char dir[] = "/dev/shm/tb-fuzz-remap-XXXXXX";

static void remove_dir(void) { (void)tb_rm_rf(dir, NULL); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (dir[sizeof(dir) - 2] == 'X' && (mkdtemp(dir) == NULL || atexit(remove_dir) != 0))
    abort();
  char path[sizeof(dir) + 32];
  (void)snprintf(path, sizeof(path), "%s/remappings.txt", dir);
  tb_error *err = NULL;
  if (tb_write_file_atomic(path, data, size, 0644, &err) < 0)
    abort();
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
