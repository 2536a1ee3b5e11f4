#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/fs.h"

char *fuzz_sample(const char *name, size_t *len) {
  const char *dir = getenv("TB_TESTDATA");
  char path[4096];
  (void)snprintf(path, sizeof(path), "%s/tdx/%s", dir ? dir : "../shared/testdata", name);
  char *data = NULL;
  size_t n = 0;
  if (tb_read_file(path, 1u << 20, &data, &n, NULL) < 0) {
    (void)fprintf(stderr, "fuzz: cannot read the sample %s (set TB_TESTDATA)\n", path);
    abort();
  }
  if (len)
    *len = n;
  return data;
}
