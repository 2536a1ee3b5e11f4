/* common/json.c's text path against jansson, on arbitrary bytes (solc's output comes from a
 * toolchain run in the jail, so teebuild must not trust its text): when tb_json_writer_text
 * accepts a text, jansson must parse it too and tb_json_writer_value must write the very same
 * bytes; for an object jansson parses, tb_json_text_next must yield its members, in order, with
 * values that parse to jansson's. A difference aborts (the fuzzer's crash). It found one: jansson
 * skips a NUL byte between tokens, where the member scanner stops; every loader now refuses NULs. */
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

/* {"a": <value>} as either writer writes it; NULL when the writer gave up or failed. */
static char *write_member(const char *name, struct tb_json_text text, const json_t *value) {
  cleanup_free char *path = xasprintf("%s/%s", fuzz_scratch_dir(), name);
  struct tb_json_writer *w = NULL;
  tb_error *err = NULL;
  if (tb_json_writer_open(path, &w, &err) < 0)
    fuzz_fail("open the writer", err);
  tb_json_writer_raw(w, "{\n  \"a\": ");
  int status = value ? tb_json_writer_value(w, value, 1) : tb_json_writer_text(w, text, 1);
  tb_json_writer_raw(w, "\n}\n");
  if (tb_json_writer_close(w, path, &err) < 0)
    fuzz_fail("close the writer", err);
  char *out = NULL;
  if (status == 0 && tb_read_file(path, 1u << 24, &out, NULL, &err) < 0)
    fuzz_fail("read back what was written", err);
  tb_error_free(&err);
  return out;
}

static void check_members(struct tb_json_text text, const json_t *obj) {
  size_t pos = 0, n = 0;
  char *key = NULL;
  struct tb_json_text val;
  while (tb_json_text_next(text, &pos, &key, &val) == 1) {
    json_t *mine = tb_json_text_parse(val);
    if (!json_equal(mine, json_object_get(obj, key)))
      fuzz_fail("tb_json_text_next gave a member jansson parses otherwise", NULL);
    json_decref(mine);
    free(key);
    n++;
  }
  if (n != json_object_size(obj))
    fuzz_fail("tb_json_text_next gave another number of members than jansson", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct tb_json_text text = {(const char *)data, size};
  /* teebuild's loaders refuse a NUL byte, which jansson alone would skip (common/json.c) */
  json_t *parsed = memchr(data, '\0', size) ? NULL
                   : json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  char *from_text = write_member("text.json", text, NULL);
  if (from_text) {
    if (parsed == NULL)
      fuzz_fail("tb_json_writer_text accepted a text jansson refuses", NULL);
    char *from_value = write_member("value.json", text, parsed);
    if (from_value == NULL || strcmp(from_text, from_value) != 0)
      fuzz_fail("tb_json_writer_text wrote other bytes than tb_json_writer_value", NULL);
    free(from_value);
  }
  if (json_is_object(parsed))
    check_members(text, parsed);
  free(from_text);
  json_decref(parsed);
  return 0;
}
