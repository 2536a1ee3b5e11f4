/* runner/sol_imports.c's lexer on arbitrary source text (a build's sources and everything they
 * import are the user's, or a dependency's). Every path it returns must lie inside the input:
 * the lexer copies a string literal's body and decodes nothing. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "runner/sol_imports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cleanup_strv char **paths = sol_imports((const char *)data, size);
  for (size_t i = 0; paths && paths[i]; i++)
    if (memmem(data, size, paths[i], strlen(paths[i])) == NULL)
      fuzz_fail("sol_imports gave a path the source does not hold", NULL);
  return 0;
}
