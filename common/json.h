/* JSON through jansson: strict loading and RFC 8785 (JCS) canonical serialization. */
#ifndef TB_COMMON_JSON_H
#define TB_COMMON_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

/* Parse a file or buffer; duplicate keys are refused (a signed document must have one reading).
 * Errors name the file, line and column, with exit class TB_EXIT_INPUT. */
int tb_json_load_file(const char *path, size_t max_bytes, json_t **out, tb_error **err);
int tb_json_load_buf(const char *what, const char *buf, size_t len, json_t **out, tb_error **err);

/* RFC 8785 canonical form: keys sorted by UTF-16 code units, no insignificant whitespace, JCS
 * string escaping. Only integers are allowed as numbers (JCS's float formatting is not needed by
 * any document teebuild signs, so a real is refused rather than approximated). */
int tb_json_canonical(const json_t *json, char **out, size_t *len, tb_error **err);

/* Human-facing JSON files (artifacts, reports): sorted keys, 2-space indent, trailing newline.
 * Stable bytes for the same value. Written as a staged file (fs.h: tb_create_staged): only into a
 * directory that is synced and renamed into place as a whole. Streamed, never held in memory. */
int tb_json_write_file(const char *path, const json_t *json, tb_error **err);

/* The same format written piece by piece, for documents assembled from parts (build-info):
 * tb_json_writer_value writes a value as if it sat at depth (its lines indented 2*depth more),
 * tb_json_writer_raw literal text; tb_json_writer_restart empties the file to start again. The
 * first failure sticks: later calls do nothing, and close (which always frees the writer)
 * reports it. */
struct tb_json_writer;
int tb_json_writer_open(const char *path, struct tb_json_writer **w, tb_error **err);
int tb_json_writer_value(struct tb_json_writer *w, const json_t *json, size_t depth);
int tb_json_writer_raw(struct tb_json_writer *w, const char *s);
int tb_json_writer_restart(struct tb_json_writer *w);
int tb_json_writer_close(struct tb_json_writer *w, const char *path, tb_error **err);

/* JSON text used in place, without a jansson tree of the whole (solc's output is ~0.5 MB as
 * text and ~2.5 MB as a tree): slices of it are found and only those are parsed. */
struct tb_json_text {
  const char *p; /* NULL: absent */
  size_t len;
};

/* Write text as tb_json_writer_value would write its parsed value, at depth, parsing only the
 * strings that carry escapes or non-ASCII bytes. Returns 0, -1 on a write error, or 1 when the
 * text is outside what it handles (keys not plain and ascending, reals, malformed text):
 * nothing then says the text is invalid; restart, parse it and write the value instead. Text it
 * writes is valid JSON without duplicate keys. */
int tb_json_writer_text(struct tb_json_writer *w, struct tb_json_text text, size_t depth);

/* Members of the object text, in order: *pos starts at 0; 1 with the key (decoded, malloc'ed) and
 * the value's text, 0 at the end, -1 if text is not an object. Only for text already validated
 * (tb_json_writer_text, or parsed): what is skipped is not checked. */
int tb_json_text_next(struct tb_json_text obj, size_t *pos, char **key, struct tb_json_text *val);
/* The value of key in obj, or {NULL, 0}. */
struct tb_json_text tb_json_text_get(struct tb_json_text obj, const char *key);
/* Parse a value's text (NULL for an absent or invalid one). */
json_t *tb_json_text_parse(struct tb_json_text t);

/* Typed getters that fail with a message naming the key. */
int tb_json_get_string(const json_t *obj, const char *key, const char **out, tb_error **err);

#endif
