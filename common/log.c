#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>

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
