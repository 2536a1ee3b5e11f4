#include "runner/sol_imports.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

struct lexer {
  const char *s;
  size_t len, i;
};

static bool at(const struct lexer *lx, const char *tok) {
  size_t n = strlen(tok);
  return lx->i + n <= lx->len && memcmp(lx->s + lx->i, tok, n) == 0;
}

static bool is_ident(char c) { return isalnum((unsigned char)c) || c == '_' || c == '$'; }

/* Skip a comment at the cursor; false if there is none. An unterminated one runs to the end. */
static bool skip_comment(struct lexer *lx) {
  if (at(lx, "//")) {
    while (lx->i < lx->len && lx->s[lx->i] != '\n')
      lx->i++;
    return true;
  }
  if (at(lx, "/*")) {
    lx->i += 2;
    while (lx->i < lx->len && !at(lx, "*/"))
      lx->i++;
    lx->i = lx->i < lx->len ? lx->i + 2 : lx->len;
    return true;
  }
  return false;
}

/* Skip the string literal at the cursor (the opening quote) and return its raw contents. */
static char *take_string(struct lexer *lx) {
  char quote = lx->s[lx->i++];
  size_t start = lx->i;
  while (lx->i < lx->len && lx->s[lx->i] != quote && lx->s[lx->i] != '\n')
    lx->i += (lx->s[lx->i] == '\\' && lx->i + 1 < lx->len) ? 2 : 1;
  char *text = xstrndup(lx->s + start, lx->i - start);
  if (lx->i < lx->len && lx->s[lx->i] == quote)
    lx->i++;
  return text;
}

/* After the keyword: the first string literal before ';' is the path. */
static char *import_path(struct lexer *lx) {
  while (lx->i < lx->len) {
    char c = lx->s[lx->i];
    if (skip_comment(lx))
      continue;
    if (c == ';')
      return NULL;
    if (c == '"' || c == '\'')
      return take_string(lx);
    lx->i++;
  }
  return NULL;
}

char **sol_imports(const char *src, size_t len) {
  struct lexer lx = {src, len, 0};
  size_t n = 0, cap = 8;
  char **paths = xcalloc(cap, sizeof(*paths));
  while (lx.i < lx.len) {
    char c = lx.s[lx.i];
    if (skip_comment(&lx))
      continue;
    if (c == '"' || c == '\'') {
      free(take_string(&lx));
      continue;
    }
    if (!is_ident(c)) {
      lx.i++;
      continue;
    }
    size_t start = lx.i;
    while (lx.i < lx.len && is_ident(lx.s[lx.i]))
      lx.i++;
    if (lx.i - start != 6 || memcmp(lx.s + start, "import", 6) != 0)
      continue;
    char *path = import_path(&lx);
    if (path == NULL)
      continue;
    if (n + 1 >= cap)
      paths = xrealloc(paths, (cap *= 2) * sizeof(*paths));
    paths[n++] = path;
    paths[n] = NULL;
  }
  return paths;
}
