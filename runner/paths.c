#include "runner/paths.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xalloc.h"

bool path_is_contained(const char *rel) {
  if (rel[0] == '\0' || rel[0] == '/')
    return false;
  const char *p = rel;
  for (;;) {
    size_t n = strcspn(p, "/");
    if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
      return false;
    if (p[n] == '\0')
      return true;
    p += n + 1;
  }
}

char *path_dirname(const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return xstrdup(".");
  while (slash > path && slash[-1] == '/')
    slash--;
  return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* path with trailing slashes removed (but "/" stays "/"), malloc'ed. */
static char *path_strip_trailing_slashes(const char *path) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  return xstrndup(path, n);
}

char *path_absolute(const char *path) {
  if (path[0] == '/')
    return path_strip_trailing_slashes(path);
  char *cwd = getcwd(NULL, 0);
  if (cwd == NULL)
    return path_strip_trailing_slashes(path); /* a vanished cwd: the jail will name the path */
  char *joined = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
  char *out = path_strip_trailing_slashes(joined);
  free(cwd);
  free(joined);
  return out;
}
