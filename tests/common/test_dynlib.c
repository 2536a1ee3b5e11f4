/* common/dynlib.h: a library that is not there, or lacks a function, is one line naming it (and
 * the symbol) with exit 127, leaves no pointer into a half-loaded library, and a later load of a
 * real one works; libcurl's table (common/curl_lib.h) loads and is usable. */
#include <string.h>

#include "../attest/check.h"
#include "common/cleanup.h"
#include "common/curl_lib.h"
#include "common/dynlib.h"

#define MISSING_SONAME "libteebuild-no-such-library.so.0"

static struct {
  __typeof__(curl_easy_strerror) *easy_strerror;
  void (*absent)(void);
} table;

/* err as main() prints it: exactly "teebuild: " + one line. */
static bool prints_one_line(const tb_error *err) {
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  if (out == NULL)
    return false;
  tb_error_print(err, out);
  (void)fclose(out);
  bool one = len > 0 && strncmp(text, "teebuild: ", 10) == 0 && strchr(text, '\n') == text + len - 1;
  free(text);
  return one;
}

static void test_missing_library(void) {
  static const struct tb_dynlib_symbol symbols[] = {
      {"curl_easy_strerror", offsetof(__typeof__(table), easy_strerror)},
  };
  struct tb_dynlib lib = TB_DYNLIB(MISSING_SONAME, table, symbols);
  cleanup_error tb_error *err = NULL;
  CHECK(tb_dynlib_load(&lib, &err) < 0 && err != NULL, "a missing library fails");
  CHECK(err && tb_error_exit_code(err) == TB_EXIT_MISSING_LIBRARY, "with exit %d", TB_EXIT_MISSING_LIBRARY);
  CHECK(err && strstr(err->msg, MISSING_SONAME ": cannot open shared object file"), "naming it: %s", err ? err->msg : "(no error)");
  CHECK(err && prints_one_line(err), "in one line");
  CHECK(!lib.loaded && table.easy_strerror == NULL, "nothing is filled");
}

static void test_missing_symbol(void) {
  static const struct tb_dynlib_symbol symbols[] = {
      {"curl_easy_strerror", offsetof(__typeof__(table), easy_strerror)},
      {"curl_teebuild_no_such_function", offsetof(__typeof__(table), absent)},
  };
  struct tb_dynlib lib = TB_DYNLIB(TB_SONAME_CURL, table, symbols);
  cleanup_error tb_error *err = NULL;
  CHECK(tb_dynlib_load(&lib, &err) < 0 && err != NULL, "a missing symbol fails");
  CHECK(err && tb_error_exit_code(err) == TB_EXIT_MISSING_LIBRARY, "with exit %d", TB_EXIT_MISSING_LIBRARY);
  CHECK(err && strstr(err->msg, TB_SONAME_CURL " has no curl_teebuild_no_such_function"),
        "naming library and symbol: %s", err ? err->msg : "(no error)");
  CHECK(err && prints_one_line(err), "in one line");
  CHECK(!lib.loaded && table.easy_strerror == NULL, "the symbols found before it are not left pointing into it");
}

static void test_load(void) {
  cleanup_error tb_error *err = NULL;
  CHECK(tb_curl_load(&err) == 0, "libcurl loads as %s: %s", TB_SONAME_CURL, err ? err->msg : "ok");
  CHECK(tb_curl_load(&err) == 0, "and loading it again is a no-op");
  CHECK(err == NULL && strcmp(tb_curl.easy_strerror(CURLE_OK), "No error") == 0, "its functions are callable");
}

int main(void) {
  test_missing_library();
  test_missing_symbol();
  test_load();
  return check_done();
}
