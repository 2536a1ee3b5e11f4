#include "runner/paths.h"

#include <string.h>

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

char *path_strip_trailing_slashes(const char *path) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  return xstrndup(path, n);
}
