#include "runner/tee_setup.h"

#include <stdlib.h>

#include "attest/key.h"
#include "common/xalloc.h"
#include "toolchains/store.h"

int tee_sim_dir(const char *store_dir, const char *sim_root, char **out, tb_error **err) {
  if (sim_root != NULL) {
    *out = xstrdup(sim_root);
    return 0;
  }
  struct store *store = NULL;
  int ret = store_open(store_dir, &store, err);
  if (ret < 0)
    return ret;
  *out = xasprintf("%s/tee-sim", store_path(store));
  store_close(store);
  return 0;
}

int tee_signing_key(EVP_PKEY **out, tb_error **err) {
  const char *path = getenv("TEEBUILD_SIGNING_KEY");
  if (path && *path)
    return tb_key_load_private_file(path, out, err);
  return tb_key_generate(out, err);
}
