#include "runner/tee_setup.h"

#include <stdlib.h>
#include <string.h>

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

int tee_signing_key(const char *key_option, struct tb_tee *tee, EVP_PKEY **out, json_t **chain, tb_error **err) {
  *chain = NULL;
  if (key_option && strcmp(key_option, "dstack") == 0)
    return tb_tee_derive_key(tee, out, chain, err);
  const char *path = key_option ? key_option : getenv("TEEBUILD_SIGNING_KEY");
  if (path && *path)
    return tb_key_load_private_file(path, out, err);
  return tb_key_generate(out, err);
}
