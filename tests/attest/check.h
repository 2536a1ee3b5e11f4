/* Minimal TAP helpers for the attest C tests. */
#ifndef TB_TESTS_ATTEST_CHECK_H
#define TB_TESTS_ATTEST_CHECK_H

#include <stdio.h>

static int check_n, check_failed;

#define CHECK(cond, ...)                                                                                             \
  do {                                                                                                               \
    check_n++;                                                                                                       \
    if (cond) {                                                                                                      \
      printf("ok %d - ", check_n);                                                                                   \
    } else {                                                                                                         \
      check_failed++;                                                                                                \
      printf("not ok %d - (%s:%d) ", check_n, __FILE__, __LINE__);                                                   \
    }                                                                                                                \
    printf(__VA_ARGS__);                                                                                             \
    putchar('\n');                                                                                                   \
  } while (0)

static inline int check_done(void) {
  printf("1..%d\n", check_n);
  return check_failed != 0;
}

#endif
