#include "runner/sol_sources.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "runner/paths.h"
#include "runner/sol_imports.h"

#define SOURCE_MAX (16u << 20)
#define MAX_DEPTH 64

struct gather {
  const char *root;
  const struct remappings *remaps;
  json_t *sources; /* unit name -> {"content": ...} */
  char **queue;    /* units whose imports are still to be followed */
  size_t n, cap, head;
};

static const char *const top_skipped[] = {"lib", "test", "tests"};

static bool skipped_dir(const char *name, int depth) {
  if (name[0] == '.' || strcmp(name, "node_modules") == 0)
    return true;
  for (size_t i = 0; depth == 0 && i < sizeof(top_skipped) / sizeof(top_skipped[0]); i++)
    if (strcmp(name, top_skipped[i]) == 0)
      return true;
  return false;
}

static int add_unit(struct gather *g, const char *unit, const char *host, tb_error **err) {
  if (json_object_get(g->sources, unit) != NULL)
    return 0;
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = tb_read_file(host, SOURCE_MAX, &text, &len, err);
  if (ret < 0)
    return tb_error_wrap(err, "source %s", unit);
  json_t *content = json_stringn(text, len);
  if (content == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "source %s: not valid UTF-8", unit);
  json_object_set_new(g->sources, unit, json_pack("{s:o}", "content", content));
  if (g->n == g->cap)
    g->queue = xrealloc(g->queue, (g->cap = g->cap ? g->cap * 2 : 64) * sizeof(*g->queue));
  g->queue[g->n++] = xstrdup(unit);
  return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int walk(struct gather *g, const char *rel, int depth, tb_error **err) {
  cleanup_free char *dir = *rel ? xasprintf("%s/%s", g->root, rel) : xstrdup(g->root);
  if (depth > MAX_DEPTH)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: nested deeper than %d directories", dir, MAX_DEPTH);
  struct dirent **entries = NULL;
  int n = scandir(dir, &entries, NULL, NULL);
  if (n < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "read directory %s", dir);
  cleanup_strv char **names = xcalloc((size_t)n + 1, sizeof(*names));
  for (int i = 0; i < n; i++) {
    names[i] = xstrdup(entries[i]->d_name);
    free(entries[i]);
  }
  free(entries);
  qsort(names, (size_t)n, sizeof(*names), cmp_str);
  int ret = 0;
  for (int i = 0; ret == 0 && i < n; i++) {
    const char *name = names[i];
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
    cleanup_free char *host = xasprintf("%s/%s", g->root, child);
    struct stat st;
    if (lstat(host, &st) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s", host);
    if (S_ISDIR(st.st_mode) && !skipped_dir(name, depth))
      ret = walk(g, child, depth + 1, err);
    else if (!S_ISDIR(st.st_mode) && strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".sol") == 0)
      ret = add_unit(g, child, host, err);
  }
  return ret;
}

/* "./x" and "../x" are taken against the importing unit's directory and normalised. */
static char *resolve_relative(const char *importer, const char *path) {
  char *out = path_dirname(importer);
  if (strcmp(out, ".") == 0)
    out[0] = '\0';
  cleanup_free char *copy = xstrdup(path);
  for (char *save = NULL, *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
    if (strcmp(seg, ".") == 0)
      continue;
    if (strcmp(seg, "..") == 0) {
      if (*out == '\0') {
        free(out);
        return NULL; /* above the source root */
      }
      char *slash = strrchr(out, '/');
      *(slash ? slash : out) = '\0';
      continue;
    }
    char *longer = *out ? xasprintf("%s/%s", out, seg) : xstrdup(seg);
    free(out);
    out = longer;
  }
  return out;
}

static bool is_relative_import(const char *path) {
  return strncmp(path, "./", 2) == 0 || strncmp(path, "../", 3) == 0;
}

/* Where a unit's file is: the source tree first, then the package directories. */
static char *locate(const struct gather *g, const char *unit) {
  static const char *const bases[] = {"", "node_modules/", "lib/"};
  for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
    char *host = xasprintf("%s/%s%s", g->root, bases[i], unit);
    struct stat st;
    if (stat(host, &st) == 0)
      return host;
    free(host);
  }
  return NULL;
}

static int follow_import(struct gather *g, const char *importer, const char *path, tb_error **err) {
  cleanup_free char *unit = is_relative_import(path) ? resolve_relative(importer, path)
                                                     : remappings_apply(g->remaps, importer, path);
  if (unit == NULL || !path_is_contained(unit))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: import \"%s\": leaves the source tree", importer, path);
  cleanup_free char *host = locate(g, unit);
  if (host == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: import \"%s\": %s not found in the source directory, node_modules/ or lib/",
                        importer, path, unit);
  return add_unit(g, unit, host, err);
}

static int follow_imports(struct gather *g, tb_error **err) {
  while (g->head < g->n) {
    const char *unit = g->queue[g->head++];
    json_t *content = json_object_get(json_object_get(g->sources, unit), "content");
    cleanup_strv char **imports = sol_imports(json_string_value(content), json_string_length(content));
    for (char **p = imports; *p; p++) {
      int ret = follow_import(g, unit, *p, err);
      if (ret < 0)
        return ret;
    }
  }
  return 0;
}

int sol_sources_gather(const char *src_dir, const struct remappings *remaps, json_t **sources, tb_error **err) {
  struct gather g = {.root = src_dir, .remaps = remaps, .sources = json_object()};
  int ret = walk(&g, "", 0, err);
  if (ret == 0 && g.n == 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, 0, "%s: no .sol files", src_dir);
  if (ret == 0)
    ret = follow_imports(&g, err);
  for (size_t i = 0; i < g.n; i++)
    free(g.queue[i]);
  free(g.queue);
  if (ret < 0) {
    json_decref(g.sources);
    return ret;
  }
  *sources = g.sources;
  return 0;
}
