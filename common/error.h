/* One error convention for all of teebuild (crun-style).
 *
 * A fallible function is `int f(..., tb_error **err)`. It returns >= 0 on success; on failure it
 * returns a negative errno-like code and fills *err through tb_error_set(), which also returns that
 * code, so the idiom is `return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);`.
 * Callers that add context use tb_error_wrap() and pass the code up. Only main() turns an error
 * into output and an exit status; library code never prints or exits on an error.
 */
#ifndef TB_COMMON_ERROR_H
#define TB_COMMON_ERROR_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Process exit codes, fixed by design.md; 127 is the dynamic linker's own. */
enum tb_exit {
  TB_EXIT_OK = 0,
  TB_EXIT_JOB_FAILED = 1, /* the job ran and failed: compiler error, findings at --fail-on */
  TB_EXIT_USAGE = 2,
  TB_EXIT_INPUT = 3,      /* bad spec, archive, digest mismatch, unknown toolchain, bad OUT */
  TB_EXIT_SANDBOX = 4,    /* the jail could not be set up */
  TB_EXIT_ATTEST = 5,     /* attestation could not be obtained */
  TB_EXIT_VERIFY = 6,     /* verification failed */
  /* a library loaded on first use (dynlib.h) is missing or lacks a symbol: a broken installation,
   * which exits as ld.so exits when a linked library is missing */
  TB_EXIT_MISSING_LIBRARY = 127,
};

typedef struct tb_error {
  int status;    /* positive errno-like code; EINVAL when no errno applies */
  int exit_code; /* enum tb_exit: the class of the failure, decided where it happened */
  char *msg;     /* "context: context: cause: strerror" */
} tb_error;

/* Record an error in *err unless one is already recorded (the first cause wins). errnum 0 means
 * no errno applies; otherwise strerror(errnum) is appended. */
void tb_error_recordv(tb_error **err, int exit_code, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* The code a failure returns: -errnum, or -EINVAL when no errno applies. Inline, so that callers
 * and static analysers see the result is negative. */
static inline int tb_error_status(int errnum) { return errnum > 0 ? -errnum : -EINVAL; }

void tb_error_record(tb_error **err, int exit_code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record an error (as tb_error_recordv) and evaluate to tb_error_status(errnum), for
 * `return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);`. A macro so that analysers
 * see the value is negative (they do not follow variadic calls); errnum is read once, before
 * formatting the message can change errno. */
#define tb_error_set(err, exit_code, errnum, ...)                                                                    \
  __extension__({                                                                                                    \
    int tb_errnum_ = (errnum);                                                                                       \
    tb_error_record((err), (exit_code), tb_errnum_, __VA_ARGS__);                                                    \
    tb_error_status(tb_errnum_);                                                                                     \
  })

/* Prefix the recorded message with "context: " and return -status (for `return tb_error_wrap(...)`). */
int tb_error_wrap(tb_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Return the recorded exit code, or TB_EXIT_INPUT when nothing more specific was set. */
int tb_error_exit_code(const tb_error *err);

/* Print "teebuild: <msg>" as one line on stream. */
void tb_error_print(const tb_error *err, FILE *stream);

void tb_error_free(tb_error **err);

/* Release an error that a caller deliberately ignores (e.g. a best-effort cleanup). */
static inline void tb_error_discard(tb_error **err) { tb_error_free(err); }

#endif
