/* Allocation that aborts on exhaustion: out-of-memory is not an error teebuild can report usefully,
 * and checking every small allocation would bury the logic (crun and bubblewrap do the same). */
#ifndef TB_COMMON_XALLOC_H
#define TB_COMMON_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
