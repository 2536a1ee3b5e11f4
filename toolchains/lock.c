#include "toolchains/lock.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define LOCK_MAX_BYTES ((size_t)64 * 1024)

#ifndef TB_LOCKS_SOURCE_DIR
#error "TB_LOCKS_SOURCE_DIR must name the source tree's toolchains/locks"
#endif

void lock_entry_clear(struct lock_entry *lock) {
  free(lock->name);
  free(lock->version);
  free(lock->platform);
  free(lock->url);
  free(lock->sha256);
  tb_cleanup_strvp(&lock->entrypoints);
  memset(lock, 0, sizeof(*lock));
}

static int check_keys(const json_t *obj, const char *where, const char *const *known, size_t n, tb_error **err) {
  if (!json_is_object(obj))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not an object", where);
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)obj, key, value) {
    bool ok = false;
    for (size_t i = 0; i < n; i++)
      ok |= strcmp(key, known[i]) == 0;
    if (!ok)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: unknown key '%s'", where, key);
  }
  return 0;
}

static int dup_string(const json_t *obj, const char *key, char **out, tb_error **err) {
  const char *s;
  int ret = tb_json_get_string(obj, key, &s, err);
  if (ret < 0)
    return ret;
  *out = xstrdup(s);
  return 0;
}

static int parse_kind(const char *kind, enum toolchain_kind *out, tb_error **err) {
  static const char *const archives[] = {"tar", "tar.zst", "tar.xz", "tar.gz"};
  if (strcmp(kind, "file") == 0) {
    *out = TOOLCHAIN_KIND_FILE;
    return 0;
  }
  for (size_t i = 0; i < sizeof(archives) / sizeof(archives[0]); i++) {
    if (strcmp(kind, archives[i]) == 0) {
      *out = TOOLCHAIN_KIND_ARCHIVE;
      return 0;
    }
  }
  return tb_error_set(err, TB_EXIT_INPUT, 0, "source.kind '%s': not file, tar, tar.zst, tar.xz or tar.gz", kind);
}

static int parse_source(const json_t *src, struct lock_entry *l, tb_error **err) {
  static const char *const keys[] = {"url", "sha256", "kind"};
  int ret = check_keys(src, "source", keys, 3, err);
  if (ret < 0)
    return ret;
  const json_t *url = json_object_get(src, "url");
  if (url != NULL && !json_is_null(url) && (ret = dup_string(src, "url", &l->url, err)) < 0)
    return ret;
  const char *kind;
  if ((ret = dup_string(src, "sha256", &l->sha256, err)) < 0 || (ret = tb_json_get_string(src, "kind", &kind, err)) < 0)
    return ret;
  if (!tb_is_sha256_hex(l->sha256))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "source.sha256: not 64 lowercase hex digits");
  return parse_kind(kind, &l->kind, err);
}

static int parse_lock(const json_t *j, struct lock_entry *l, tb_error **err) {
  static const char *const keys[] = {"name", "version", "platform", "source", "entrypoint", "note"};
  int ret = check_keys(j, "lock entry", keys, sizeof(keys) / sizeof(keys[0]), err);
  if (ret < 0)
    return ret;
  if ((ret = dup_string(j, "name", &l->name, err)) < 0 || (ret = dup_string(j, "version", &l->version, err)) < 0 ||
      (ret = dup_string(j, "platform", &l->platform, err)) < 0)
    return ret;
  const json_t *src = json_object_get(j, "source");
  if (src == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "missing key 'source'");
  if ((ret = parse_source(src, l, err)) < 0)
    return ret;
  const json_t *eps = json_object_get(j, "entrypoint");
  if (!json_is_array(eps) || json_array_size(eps) == 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entrypoint: not a non-empty array of strings");
  l->entrypoints = xcalloc(json_array_size(eps) + 1, sizeof(char *));
  size_t i;
  json_t *e;
  json_array_foreach(eps, i, e) {
    if (!json_is_string(e))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entrypoint: not a non-empty array of strings");
    l->entrypoints[i] = xstrdup(json_string_value(e));
  }
  return 0;
}

int lock_load(const char *path, struct lock_entry *out, tb_error **err) {
  cleanup_json json_t *j = NULL;
  int ret = tb_json_load_file(path, LOCK_MAX_BYTES, &j, err);
  if (ret < 0)
    return ret;
  struct lock_entry l = {0};
  if (parse_lock(j, &l, err) < 0) {
    lock_entry_clear(&l);
    return tb_error_wrap(err, "%s", path);
  }
  *out = l;
  return 0;
}

char *locks_default_dir(void) {
  const char *env = getenv("TEEBUILD_LOCKS_DIR");
  if (env && env[0])
    return xstrdup(env);
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
      *slash = '\0';
    char *installed = xasprintf("%s/../share/teebuild/locks", exe);
    if (access(installed, F_OK) == 0)
      return installed;
    free(installed);
  }
  return xstrdup(TB_LOCKS_SOURCE_DIR);
}

/* Every *.json in dir, sorted, as full paths: a NULL-terminated vector, NULL (error set) when dir
 * cannot be read. */
static char **list_lock_files(const char *dir, tb_error **err) {
  struct dirent **list = NULL;
  int n = scandir(dir, &list, NULL, alphasort);
  if (n < 0) {
    (void)tb_error_set(err, TB_EXIT_INPUT, errno, "lock entries: %s", dir);
    return NULL;
  }
  char **files = xcalloc((size_t)n + 1, sizeof(char *));
  size_t count = 0;
  for (int i = 0; i < n; i++) {
    size_t len = strlen(list[i]->d_name);
    if (list[i]->d_name[0] != '.' && len > 5 && strcmp(list[i]->d_name + len - 5, ".json") == 0)
      files[count++] = xasprintf("%s/%s", dir, list[i]->d_name);
    free(list[i]);
  }
  free(list);
  return files;
}

int locks_find(const char *dir, const char *ref, struct lock_entry *out, tb_error **err) {
  cleanup_strv char **files = list_lock_files(dir, err);
  if (files == NULL)
    return -EINVAL;
  for (char **f = files; *f; f++) {
    struct lock_entry l = {0};
    int ret = lock_load(*f, &l, err);
    if (ret < 0)
      return ret;
    cleanup_free char *id = xasprintf("%s@%s", l.name, l.version);
    if (strcmp(id, ref) == 0) {
      *out = l;
      return 0;
    }
    lock_entry_clear(&l);
  }
  return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: no lock entry in %s", ref, dir);
}

int locks_digests(const char *dir, char ***out, tb_error **err) {
  cleanup_strv char **files = list_lock_files(dir, err);
  if (files == NULL)
    return -EINVAL;
  size_t n = 0;
  while (files[n])
    n++;
  cleanup_strv char **digests = xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    struct lock_entry l = {0};
    int ret = lock_load(files[i], &l, err);
    if (ret < 0)
      return ret;
    digests[i] = steal_pointer(&l.sha256);
    lock_entry_clear(&l);
  }
  *out = steal_pointer(&digests);
  return 0;
}
