#include "common/log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int verbosity = TB_NORMAL;

void tb_log_set_verbosity(int level) { verbosity = level; }
int tb_log_verbosity(void) { return verbosity; }

__attribute__((format(printf, 2, 0))) static void vlog(const char *prefix, const char *fmt, va_list ap) {
  (void)fputs(prefix, stderr);
  (void)vfprintf(stderr, fmt, ap);
  (void)fputc('\n', stderr);
}

void tb_info(const char *fmt, ...) {
  if (verbosity < TB_NORMAL)
    return;
  va_list ap;
  va_start(ap, fmt);
  vlog("teebuild: ", fmt, ap);
  va_end(ap);
}

void tb_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog("teebuild: warning: ", fmt, ap);
  va_end(ap);
}

void tb_debug(const char *fmt, ...) {
  if (verbosity < TB_VERBOSE)
    return;
  va_list ap;
  va_start(ap, fmt);
  vlog("teebuild: debug: ", fmt, ap);
  va_end(ap);
}

/* Few and short: one per kind of evidence a command can make. */
static struct {
  pthread_mutex_t lock;
  char *msgs[4];
  size_t n;
} later = {.lock = PTHREAD_MUTEX_INITIALIZER};

void tb_warn_later(const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&msg, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  pthread_mutex_lock(&later.lock);
  bool kept = false;
  for (size_t i = 0; i < later.n && !kept; i++)
    kept = strcmp(later.msgs[i], msg) == 0;
  if (!kept && later.n < sizeof(later.msgs) / sizeof(later.msgs[0])) {
    later.msgs[later.n++] = msg;
    msg = NULL;
  }
  pthread_mutex_unlock(&later.lock);
  free(msg);
}

void tb_log_print_later(void) {
  pthread_mutex_lock(&later.lock);
  for (size_t i = 0; i < later.n; i++) {
    tb_warn("%s", later.msgs[i]);
    free(later.msgs[i]);
  }
  later.n = 0;
  pthread_mutex_unlock(&later.lock);
}
