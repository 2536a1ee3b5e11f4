/* Minimal TAP output for the C tests of tests/dcap. */
#ifndef TB_TESTS_DCAP_TAP_H
#define TB_TESTS_DCAP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline void tap_check(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
  vprintf(fmt, ap);
  putchar('\n');
  va_end(ap);
  if (!ok)
    tap_failed++;
}

static inline void tap_bail(const char *why) {
  printf("Bail out! %s\n", why);
  exit(1);
}

static inline int tap_done(void) {
  printf("1..%d\n", tap_n);
  return tap_failed ? 1 : 0;
}

#endif
