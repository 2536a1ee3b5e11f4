#include "runner/remappings.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#define REMAPPINGS_MAX (1u << 20)

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

static int parse_line(char *line, struct remapping *r) {
  char *eq = strchr(line, '=');
  if (eq == NULL || eq == line)
    return -1;
  *eq = '\0';
  char *colon = strchr(line, ':');
  r->context = colon ? xstrndup(line, (size_t)(colon - line)) : xstrdup("");
  r->prefix = xstrdup(colon ? colon + 1 : line);
  r->target = xstrdup(eq + 1);
  return r->prefix[0] == '\0' ? -1 : 0;
}

int remappings_load(const char *path, struct remappings *out, tb_error **err) {
  memset(out, 0, sizeof(*out));
  struct stat st;
  if (stat(path, &st) < 0 && errno == ENOENT)
    return 0;
  cleanup_free char *text = NULL;
  int ret = tb_read_file(path, REMAPPINGS_MAX, &text, NULL, err);
  if (ret < 0)
    return ret;
  size_t lineno = 0;
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    char *t = trim(line);
    if (*t == '\0')
      continue;
    out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
    struct remapping *r = &out->v[out->n++];
    memset(r, 0, sizeof(*r));
    if (parse_line(t, r) < 0) {
      remappings_clear(out);
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: line %zu: expected [context:]prefix=target", path, lineno);
    }
  }
  return 0;
}

void remappings_clear(struct remappings *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->v[i].context);
    free(r->v[i].prefix);
    free(r->v[i].target);
  }
  free(r->v);
  memset(r, 0, sizeof(*r));
}

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

char *remappings_apply(const struct remappings *r, const char *importer, const char *path) {
  const struct remapping *best = NULL;
  for (size_t i = 0; i < r->n; i++) {
    const struct remapping *m = &r->v[i];
    if (!starts_with(importer, m->context) || !starts_with(path, m->prefix))
      continue;
    if (best == NULL || strlen(m->context) > strlen(best->context) ||
        (strlen(m->context) == strlen(best->context) && strlen(m->prefix) >= strlen(best->prefix)))
      best = m; /* solc: on a tie the later remapping wins */
  }
  if (best == NULL)
    return xstrdup(path);
  return xasprintf("%s%s", best->target, path + strlen(best->prefix));
}

json_t *remappings_json(const struct remappings *r) {
  json_t *list = json_array();
  for (size_t i = 0; i < r->n; i++) {
    const struct remapping *m = &r->v[i];
    json_array_append_new(list, json_sprintf("%s%s%s=%s", m->context, *m->context ? ":" : "", m->prefix, m->target));
  }
  return list;
}
