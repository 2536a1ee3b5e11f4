/* The job file (design.md "A job file"): strict parsing, so that what the provenance records is
 * exactly what ran. Unknown keys and wrong types are errors naming the key. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/job.h"
#include "runner/paths.h"

#define JOB_FILE_MAX (1u << 20)
#define LIMIT_MAX 4294967295u

static const char *const top_keys[] = {"toolchains", "argv", "inputs", "stdin", "stdout", "env", "limits", "seccomp"};

struct limit_key {
  const char *name;
  size_t offset;
};
static const struct limit_key limit_keys[] = {
    {"wall_s", offsetof(struct jail_limits, wall_s)},       {"cpu_s", offsetof(struct jail_limits, cpu_s)},
    {"memory_mb", offsetof(struct jail_limits, memory_mb)}, {"pids", offsetof(struct jail_limits, pids)},
    {"output_mb", offsetof(struct jail_limits, output_mb)}, {"nofile", offsetof(struct jail_limits, nofile)},
};

static bool in_list(const char *key, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(key, list[i]) == 0)
      return true;
  return false;
}

static int check_keys(const json_t *obj, const char *prefix, const char *const *allowed, size_t n, const char *what,
                      tb_error **err) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    if (!in_list(key, allowed, n))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: unknown key \"%s%s\"", what, prefix, key);
  }
  return 0;
}

/* A string without embedded NULs (JSON allows \u0000; C and execve do not). */
static int get_string(const json_t *v, const char *key, const char *what, const char **out, tb_error **err) {
  if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"%s\" must be a string", what, key);
  *out = json_string_value(v);
  return 0;
}

static int get_optional_string(const json_t *doc, const char *key, const char *what, const char **out,
                               tb_error **err) {
  json_t *v = json_object_get(doc, key);
  *out = NULL;
  return v == NULL ? 0 : get_string(v, key, what, out, err);
}

static bool is_toolchain_name(const char *s) {
  if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strlen(s) > 63)
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
      return false;
  return true;
}

static bool is_toolchain_ref(const char *s) {
  if (strncmp(s, "sha256:", 7) == 0)
    return tb_is_sha256_hex(s + 7);
  const char *at = strchr(s, '@');
  return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL && strchr(s, '/') == NULL;
}

static int cmp_toolchain_ref(const void *a, const void *b) {
  return strcmp(((const struct job_toolchain_ref *)a)->name, ((const struct job_toolchain_ref *)b)->name);
}

static int parse_toolchains(const json_t *doc, const char *what, struct job_spec *spec, tb_error **err) {
  json_t *tc = json_object_get(doc, "toolchains");
  if (tc == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: missing key \"toolchains\"", what);
  if (!json_is_object(tc))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"toolchains\" must be an object", what);
  spec->toolchains = xcalloc(json_object_size(tc), sizeof(*spec->toolchains));
  const char *name;
  json_t *v;
  json_object_foreach(tc, name, v) {
    struct job_toolchain_ref *t = &spec->toolchains[spec->n_toolchains++];
    t->name = name;
    if (!is_toolchain_name(name))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: toolchain name \"%s\" must be letters, digits, '-', '_', '.'",
                          what, name);
    int ret = get_string(v, "toolchains", what, &t->ref, err);
    if (ret < 0)
      return ret;
    if (!is_toolchain_ref(t->ref))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"toolchains.%s\": \"%s\" is not NAME@VERSION or sha256:HEX",
                          what, name, t->ref);
  }
  qsort(spec->toolchains, spec->n_toolchains, sizeof(*spec->toolchains), cmp_toolchain_ref);
  return 0;
}

static int parse_argv(const json_t *doc, const char *what, struct job_spec *spec, tb_error **err) {
  json_t *argv = json_object_get(doc, "argv");
  if (argv == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: missing key \"argv\"", what);
  if (!json_is_array(argv) || json_array_size(argv) == 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"argv\" must be a non-empty array of strings", what);
  spec->argv = xcalloc(json_array_size(argv) + 1, sizeof(*spec->argv));
  size_t i;
  json_t *v;
  json_array_foreach(argv, i, v) {
    if (get_string(v, "argv", what, &spec->argv[i], err) < 0)
      return tb_error_wrap(err, "element %zu", i);
  }
  if (spec->argv[0][0] != '/')
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"argv\"[0] must be an absolute path inside the jail, not \"%s\"",
                        what, spec->argv[0]);
  return 0;
}

static bool is_env_key(const char *s) {
  if (!isalpha((unsigned char)*s) && *s != '_')
    return false;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_')
      return false;
  return true;
}

static int parse_env(const json_t *doc, const char *what, struct job_spec *spec, tb_error **err) {
  json_t *env = json_object_get(doc, "env");
  if (env == NULL)
    return 0;
  if (!json_is_object(env))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"env\" must be an object of strings", what);
  spec->env = xcalloc(json_object_size(env), sizeof(*spec->env));
  const char *key;
  json_t *v;
  json_object_foreach(env, key, v) {
    struct job_env_var *e = &spec->env[spec->n_env++];
    e->key = key;
    if (!is_env_key(key))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"env\": \"%s\" is not a variable name", what, key);
    cleanup_free char *name = xasprintf("env.%s", key);
    int ret = get_string(v, name, what, &e->value, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static int parse_limits(const json_t *doc, const char *what, struct job_spec *spec, tb_error **err) {
  spec->limits = JAIL_DEFAULT_LIMITS;
  json_t *limits = json_object_get(doc, "limits");
  if (limits == NULL)
    return 0;
  if (!json_is_object(limits))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"limits\" must be an object", what);
  const char *key;
  json_t *v;
  json_object_foreach(limits, key, v) {
    const struct limit_key *lk = NULL;
    for (size_t i = 0; i < sizeof(limit_keys) / sizeof(limit_keys[0]); i++)
      if (strcmp(key, limit_keys[i].name) == 0)
        lk = &limit_keys[i];
    if (lk == NULL)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: unknown key \"limits.%s\"", what, key);
    /* capped so that no unit conversion in the jail (s to ms, MiB to bytes) can overflow */
    if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > LIMIT_MAX)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"limits.%s\" must be a positive integer up to %u", what, key,
                          LIMIT_MAX);
    *(uint64_t *)((char *)&spec->limits + lk->offset) = (uint64_t)json_integer_value(v);
  }
  return 0;
}

static int parse_paths(const json_t *doc, const char *base_dir, const char *what, struct job_spec *spec,
                       tb_error **err) {
  const char *inputs = NULL;
  int ret = get_optional_string(doc, "inputs", what, &inputs, err);
  if (ret < 0)
    return ret;
  if (inputs != NULL)
    spec->inputs_dir = inputs[0] == '/' ? xstrdup(inputs) : xasprintf("%s/%s", base_dir, inputs);
  if ((ret = get_optional_string(doc, "stdin", what, &spec->stdin_path, err)) < 0)
    return ret;
  if (spec->stdin_path != NULL) {
    if (inputs == NULL)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"stdin\" needs \"inputs\"", what);
    if (!path_is_contained(spec->stdin_path))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"stdin\": \"%s\" must be a relative path inside the inputs",
                          what, spec->stdin_path);
  }
  if ((ret = get_optional_string(doc, "stdout", what, &spec->stdout_path, err)) < 0)
    return ret;
  if (spec->stdout_path != NULL &&
      (strncmp(spec->stdout_path, "artifacts/", 10) != 0 || !path_is_contained(spec->stdout_path + 10)))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"stdout\": \"%s\" must be a relative path under artifacts/", what,
                        spec->stdout_path);
  return 0;
}

static int parse_seccomp(const json_t *doc, const char *what, struct job_spec *spec, tb_error **err) {
  int ret = get_optional_string(doc, "seccomp", what, &spec->seccomp, err);
  if (ret < 0)
    return ret;
  if (spec->seccomp == NULL)
    spec->seccomp = "default";
  for (const char *p = spec->seccomp; *p; p++)
    if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: \"seccomp\": \"%s\" is not a profile name", what, spec->seccomp);
  return 0;
}

int job_spec_parse(json_t *doc, const char *base_dir, const char *what, struct job_spec *spec, tb_error **err) {
  memset(spec, 0, sizeof(*spec));
  spec->doc = json_incref(doc);
  if (!json_is_object(doc))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: a job must be a JSON object", what);
  int ret = check_keys(doc, "", top_keys, sizeof(top_keys) / sizeof(top_keys[0]), what, err);
  if (ret == 0)
    ret = parse_toolchains(doc, what, spec, err);
  if (ret == 0)
    ret = parse_argv(doc, what, spec, err);
  if (ret == 0)
    ret = parse_paths(doc, base_dir, what, spec, err);
  if (ret == 0)
    ret = parse_env(doc, what, spec, err);
  if (ret == 0)
    ret = parse_limits(doc, what, spec, err);
  if (ret == 0)
    ret = parse_seccomp(doc, what, spec, err);
  return ret;
}

int job_spec_load(const char *path, struct job_spec *spec, tb_error **err) {
  cleanup_json json_t *doc = NULL;
  memset(spec, 0, sizeof(*spec));
  int ret = tb_json_load_file(path, JOB_FILE_MAX, &doc, err);
  if (ret < 0)
    return ret;
  cleanup_free char *base = path_dirname(path);
  return job_spec_parse(doc, base, path, spec, err);
}

void job_spec_clear(struct job_spec *spec) {
  json_decref(spec->doc);
  free(spec->inputs_dir);
  free(spec->toolchains);
  free(spec->argv);
  free(spec->env);
  memset(spec, 0, sizeof(*spec));
}

json_t *job_spec_external(const struct job_spec *spec) {
  json_t *ext = json_deep_copy(spec->doc);
  if (json_object_get(ext, "inputs") != NULL)
    json_object_set_new(ext, "inputs", json_string("/src"));
  return ext;
}
