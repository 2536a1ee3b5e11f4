/* Links between outputs (attest/links.h). */
#include "attest/links.h"

#include <string.h>

#include "attest/bundle.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

struct link {
  const char *prefix; /* "build/" as it starts the dependency names, with its slash */
  size_t prefix_len;
  const char *dir;    /* the linked OUT, relative to the linking one */
};

/* A file of the linked OUT against the digest recorded when it was read; NULL when it matches,
 * else why not (malloc'ed). */
static char *check_file(const char *out_dir, const struct link *l, const char *name, const char *want) {
  cleanup_free char *path = xasprintf("%s/%s/%s", out_dir, l->dir, name + l->prefix_len);
  char got[TB_SHA256_HEX_LEN + 1];
  cleanup_error tb_error *e = NULL;
  if (tb_sha256_file_hex(path, got, &e) < 0)
    return xasprintf("%.*s: %s", (int)l->prefix_len - 1, l->prefix, e->msg);
  if (want == NULL || strcmp(got, want) != 0)
    return xasprintf("%.*s: %s/%s: sha256 %s, the statement read %s", (int)l->prefix_len - 1, l->prefix, l->dir,
                     name + l->prefix_len, got, want ? want : "(none)");
  return NULL;
}

/* Every dependency under the link's prefix, the linked bundle among them; *n counts them. */
static char *check_link(const char *out_dir, const json_t *deps, const struct link *l, size_t *n) {
  size_t i;
  json_t *dep;
  json_array_foreach(deps, i, dep) {
    const char *name = json_string_value(json_object_get(dep, "name"));
    if (name == NULL || strncmp(name, l->prefix, l->prefix_len) != 0)
      continue;
    char *why = check_file(out_dir, l, name, json_string_value(json_object_get(json_object_get(dep, "digest"), "sha256")));
    if (why)
      return why;
    (*n)++;
  }
  return NULL;
}

/* The dependency names a linked bundle: "<prefix>/teebuild.bundle.json" with an "out" annotation. */
static bool as_link(const json_t *dep, struct link *l) {
  const char *name = json_string_value(json_object_get(dep, "name"));
  l->dir = json_string_value(json_object_get(json_object_get(dep, "annotations"), TB_LINK_OUT_ANNOTATION));
  const char *slash = name ? strrchr(name, '/') : NULL;
  if (l->dir == NULL || slash == NULL || strcmp(slash + 1, TB_BUNDLE_FILE) != 0)
    return false;
  l->prefix = name;
  l->prefix_len = (size_t)(slash - name) + 1;
  return true;
}

enum tb_links_result tb_links_check(const char *out_dir, const json_t *statement, char **detail) {
  const json_t *deps = json_object_get(json_object_get(json_object_get(statement, "predicate"), "buildDefinition"),
                                       "resolvedDependencies");
  size_t links = 0, files = 0;
  size_t i;
  json_t *dep;
  json_array_foreach(deps, i, dep) {
    struct link l;
    if (!as_link(dep, &l))
      continue;
    links++;
    char *why = check_link(out_dir, deps, &l, &files);
    if (why) {
      *detail = why;
      return TB_LINKS_BROKEN;
    }
  }
  if (links == 0)
    return TB_LINKS_NONE;
  *detail = xasprintf("%zu linked output%s unchanged (%zu files)", links, links == 1 ? "" : "s", files);
  return TB_LINKS_OK;
}
