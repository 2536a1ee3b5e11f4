#include "common/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void tb_error_recordv(tb_error **err, int exit_code, int errnum, const char *fmt, va_list ap) {
  if (err == NULL || *err != NULL)
    return;
  tb_error *e = xcalloc(1, sizeof(*e));
  e->status = -tb_error_status(errnum);
  e->exit_code = exit_code;
  char *text = xvasprintf(fmt, ap);
  if (errnum > 0) {
    char *full = xasprintf("%s: %s", text, strerror(errnum));
    free(text);
    text = full;
  }
  e->msg = text;
  *err = e;
}

void tb_error_record(tb_error **err, int exit_code, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  tb_error_recordv(err, exit_code, errnum, fmt, ap);
  va_end(ap);
}

int tb_error_wrap(tb_error **err, const char *fmt, ...) {
  if (err == NULL || *err == NULL)
    return -EINVAL;
  va_list ap;
  va_start(ap, fmt);
  char *ctx = xvasprintf(fmt, ap);
  va_end(ap);
  char *full = xasprintf("%s: %s", ctx, (*err)->msg);
  free(ctx);
  free((*err)->msg);
  (*err)->msg = full;
  return -(*err)->status;
}

int tb_error_exit_code(const tb_error *err) {
  if (err == NULL || err->exit_code == TB_EXIT_OK)
    return TB_EXIT_INPUT;
  return err->exit_code;
}

void tb_error_print(const tb_error *err, FILE *stream) {
  if (err == NULL)
    return;
  /* One line: a hostile message (e.g. a file name with a newline) must not forge more lines. */
  (void)fputs("teebuild: ", stream);
  for (const char *p = err->msg; *p; p++)
    (void)fputc((*p == '\n' || *p == '\r') ? ' ' : *p, stream);
  (void)fputc('\n', stream);
}

void tb_error_free(tb_error **err) {
  if (err == NULL || *err == NULL)
    return;
  free((*err)->msg);
  free(*err);
  *err = NULL;
}
