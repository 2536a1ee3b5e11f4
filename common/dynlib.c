#include "common/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* Tables hold what dlsym returns as function pointers, which POSIX makes the same size. */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function and object pointers differ in size");

/* One lock for every library: loads are rare, and two threads asking for the same library at once
 * must not both fill its table. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_slot(const struct tb_dynlib *lib, const struct tb_dynlib_symbol *s, void *address) {
  memcpy((char *)lib->table + s->offset, &address, sizeof(address));
}

static int load_locked(struct tb_dynlib *lib, tb_error **err) {
  if (lib->loaded)
    return 0;
  void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) /* dlerror() names the library and says why */
    return tb_error_set(err, TB_EXIT_MISSING_LIBRARY, 0, "cannot load a library it needs: %s", dlerror());
  for (size_t i = 0; i < lib->n_symbols; i++) {
    void *address = dlsym(handle, lib->symbols[i].name);
    if (address != NULL) {
      set_slot(lib, &lib->symbols[i], address);
      continue;
    }
    for (size_t j = 0; j < i; j++)
      set_slot(lib, &lib->symbols[j], NULL);
    (void)dlclose(handle);
    return tb_error_set(err, TB_EXIT_MISSING_LIBRARY, 0, "%s has no %s (older than the one teebuild was built with?)",
                        lib->soname, lib->symbols[i].name);
  }
  /* The handle stays open for the life of the process: the table points into it. */
  lib->loaded = true;
  return 0;
}

int tb_dynlib_load(struct tb_dynlib *lib, tb_error **err) {
  (void)pthread_mutex_lock(&load_lock);
  int ret = load_locked(lib, err);
  (void)pthread_mutex_unlock(&load_lock);
  return ret;
}
