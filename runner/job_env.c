#include "runner/job_env.h"

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static char *toolchain_path(const struct job_spec *spec) {
  char *path = xstrdup("/usr/bin:/bin");
  for (size_t i = spec->n_toolchains; i-- > 0;) {
    char *longer = xasprintf("/toolchain/%s/bin:%s", spec->toolchains[i].name, path);
    free(path);
    path = longer;
  }
  return path;
}

/* Order "KEY=VALUE" strings by KEY alone (whole-string order would put "A1=" before "A="). */
static int cmp_key(const void *a, const void *b) {
  const char *x = *(char *const *)a, *y = *(char *const *)b;
  size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
  int c = memcmp(x, y, nx < ny ? nx : ny);
  return c != 0 ? c : (nx > ny) - (nx < ny);
}

char **job_env_build(const struct job_spec *spec) {
  cleanup_free char *path = toolchain_path(spec);
  const struct job_env_var fixed[] = {
      {"PATH", path},         {"HOME", "/tmp"},        {"TZ", "UTC"},
      {"LC_ALL", "C.UTF-8"},  {"LANG", "C.UTF-8"},     {"SOURCE_DATE_EPOCH", "0"},
  };
  size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
  /* a JSON object is the merge: later sets replace earlier ones */
  cleanup_json json_t *merged = json_object();
  for (size_t i = 0; i < n_fixed; i++)
    json_object_set_new(merged, fixed[i].key, json_string(fixed[i].value));
  for (size_t i = 0; i < spec->n_env; i++)
    json_object_set_new(merged, spec->env[i].key, json_string(spec->env[i].value));
  char **env = xcalloc(json_object_size(merged) + 1, sizeof(*env));
  size_t n = 0;
  const char *key;
  json_t *v;
  json_object_foreach(merged, key, v) env[n++] = xasprintf("%s=%s", key, json_string_value(v));
  qsort(env, n, sizeof(*env), cmp_key);
  return env;
}
