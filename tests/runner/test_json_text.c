/* common/json.c's text writer and member scanner: tb_json_writer_text must write exactly what
 * jansson writes for the parsed value (build-info's bytes may not depend on which path wrote
 * them), and give up (1) on whatever it does not handle, malformed text included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

static int failures;
static char dir[] = "/tmp/test_json_text.XXXXXX";

static void check(int ok, const char *what, const char *doc) {
  printf("%s - %s: %s\n", ok ? "ok" : "not ok", what, doc);
  failures += !ok;
}

static char *slurp(const char *path) {
  char *data = NULL;
  cleanup_error tb_error *err = NULL;
  if (tb_read_file(path, 1u << 20, &data, NULL, &err) < 0)
    return xstrdup("<unreadable>");
  return data;
}

/* Either writer, as member "a" of an object (depth 1), the way build-info embeds the output. */
static char *write_member(const char *doc, int from_text, int *status) {
  cleanup_free char *path = xasprintf("%s/out.json", dir);
  struct tb_json_writer *w = NULL;
  cleanup_error tb_error *err = NULL;
  if (tb_json_writer_open(path, &w, &err) < 0)
    return NULL;
  tb_json_writer_raw(w, "{\n  \"a\": ");
  cleanup_json json_t *v = from_text ? NULL : json_loads(doc, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  *status = from_text ? tb_json_writer_text(w, (struct tb_json_text){doc, strlen(doc)}, 1)
                      : tb_json_writer_value(w, v, 1);
  tb_json_writer_raw(w, "\n}\n");
  if (tb_json_writer_close(w, path, &err) < 0)
    *status = -1;
  return slurp(path);
}

/* What tb_json_write_file writes for {"a": doc}. */
static char *jansson_member(const char *doc) {
  cleanup_free char *path = xasprintf("%s/ref.json", dir);
  cleanup_json json_t *v = json_loads(doc, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  cleanup_json json_t *obj = json_pack("{s:O}", "a", v);
  cleanup_error tb_error *err = NULL;
  if (obj == NULL || tb_json_write_file(path, obj, &err) < 0)
    return xstrdup("<jansson failed>");
  return slurp(path);
}

static void handled(const char *doc) {
  int st_text = 0, st_value = 0;
  cleanup_free char *ref = jansson_member(doc);
  cleanup_free char *text = write_member(doc, 1, &st_text);
  cleanup_free char *value = write_member(doc, 0, &st_value);
  check(st_text == 0 && text && strcmp(text, ref) == 0, "text written as jansson writes it", doc);
  check(st_value == 0 && value && strcmp(value, ref) == 0, "value written as jansson writes it", doc);
}

static void refused(const char *doc) {
  int st = 0;
  free(write_member(doc, 1, &st));
  check(st == 1, "text left to jansson", doc);
}

/* No JSON text holds a NUL byte; jansson alone would skip one between tokens and so parse other
 * text than the member scanner reads (found by tests/fuzz/fuzz_json_text). Every path refuses it. */
static void nul_bytes(void) {
  static const char between[] = "{\"a\": 1\0, \"b\": 2}";
  static const char in_string[] = "\"a\0\\u0041\"";
  json_t *tree = NULL;
  tb_error *err = NULL;
  int r = tb_json_load_buf("doc", between, sizeof(between) - 1, &tree, &err);
  check(r < 0 && err && strstr(err->msg, "line 1 column 8: a NUL byte at offset 7"), "tb_json_load_buf refuses a NUL between members",
        err ? err->msg : "(accepted)");
  json_decref(tree);
  tb_error_free(&err);
  json_t *v = tb_json_text_parse((struct tb_json_text){between, sizeof(between) - 1});
  check(v == NULL, "tb_json_text_parse refuses a NUL", "{\"a\": 1<NUL>, ...}");
  json_decref(v);
  cleanup_free char *path = xasprintf("%s/nul.json", dir);
  struct tb_json_writer *w = NULL;
  if (tb_json_writer_open(path, &w, &err) == 0) {
    int st = tb_json_writer_text(w, (struct tb_json_text){in_string, sizeof(in_string) - 1}, 0);
    tb_json_writer_close(w, path, &err);
    check(st == 1, "a NUL inside a string is left to the loader", "\"a<NUL>\\u0041\"");
  }
  tb_error_free(&err);
}

static void members(void) {
  const char *doc = " {\"b\" : {\"x\": [1, {\"}\": \"]\"}]}, \"a\\u0041\": \"v\\\"\", \"c\": {}, \"d\": \"\\\\\"} ";
  struct tb_json_text t = {doc, strlen(doc)}, v;
  size_t pos = 0;
  char *key = NULL;
  int n = 0;
  const char *want[] = {"b", "aA", "c", "d"};
  const char *vals[] = {"{\"x\": [1, {\"}\": \"]\"}]}", "\"v\\\"\"", "{}", "\"\\\\\""};
  while (tb_json_text_next(t, &pos, &key, &v) == 1) {
    check(n < 4 && strcmp(key, want[n]) == 0 && v.len == strlen(vals[n]) && memcmp(v.p, vals[n], v.len) == 0,
          "member key and value text", want[n < 4 ? n : 0]);
    free(key);
    n++;
  }
  check(n == 4, "every member", doc);
  v = tb_json_text_get(t, "aA");
  cleanup_json json_t *s = tb_json_text_parse(v);
  check(json_is_string(s) && strcmp(json_string_value(s), "v\"") == 0, "get and parse", "aA");
  check(tb_json_text_get(t, "zz").p == NULL, "absent key", "zz");
  check(tb_json_text_get((struct tb_json_text){"[1]", 3}, "a").p == NULL, "not an object", "[1]");
}

int main(void) {
  if (mkdtemp(dir) == NULL)
    return 1;
  handled("{}");
  handled("[]");
  handled("{\"a\": 1, \"b\": [1, -2, 0, 123456789012345678, true, false, null], \"c\": {\"d\": {}, \"e\": []}}");
  handled("[[[]], [{}], {\"k\": [{\"z\": \"w\"}]}]");
  handled("\"plain / text ~\"");
  handled("\"esc\\n\\t\\\"\\\\ \\u00e9 \\ud83d\\ude00 \\u001f \\/\"");
  handled("\"caf\xc3\xa9 \x7f\"");
  handled("{\"A\": 1, \"B\": 2, \"a\": 3, \"ab\": 4, \"b\": 5}");
  handled(" \n\t{ \"x\" :\r\n[ 1 ,2 ] } \n");
  handled("{\"\": 0, \"a\": \"\"}");
  refused("{\"b\": 1, \"a\": 2}");         /* not in jansson's sorted order */
  refused("{\"a\": 1, \"a\": 2}");         /* duplicate */
  refused("{\"a\\u0062\": 1}");            /* escaped key */
  refused("{\"\xc3\xa9\": 1}");            /* non-ASCII key */
  refused("1.5");
  refused("1e3");
  refused("-0");
  refused("0123");
  refused("1234567890123456789");
  refused("[1,]");
  refused("{\"a\": 1,}");
  refused("{\"a\" 1}");
  refused("[1 2]");
  refused("[\"a\" \"b\"]");
  refused("[truefalse]");
  refused("\"unterminated");
  refused("\"nul \\u0000\"");
  refused("\"bad \xff utf-8\"");
  refused("{} {}");
  refused("");
  refused("[");
  members();
  nul_bytes();
  cleanup_error tb_error *err = NULL;
  tb_rm_rf(dir, &err);
  return failures ? 1 : 0;
}
