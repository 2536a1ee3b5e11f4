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

/* Typed getters that fail with a message naming the key. */
int tb_json_get_string(const json_t *obj, const char *key, const char **out, tb_error **err);

#endif
