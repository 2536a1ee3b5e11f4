#include "common/json.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

int tb_json_load_buf(const char *what, const char *buf, size_t len, json_t **out, tb_error **err) {
  json_error_t jerr;
  json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
  if (j == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: invalid JSON at line %d column %d: %s", what, jerr.line,
                        jerr.column, jerr.text);
  *out = j;
  return 0;
}

int tb_json_load_file(const char *path, size_t max_bytes, json_t **out, tb_error **err) {
  cleanup_free char *data = NULL;
  size_t len = 0;
  int ret = tb_read_file(path, max_bytes, &data, &len, err);
  if (ret < 0)
    return ret;
  return tb_json_load_buf(path, data, len, out, err);
}

/* A growable byte buffer for the serializer. */
struct buf {
  char *data;
  size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = xrealloc(b->data, b->cap);
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void jcs_string(struct buf *b, const char *s, size_t n) {
  buf_add(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    switch (c) {
    case '"': buf_str(b, "\\\""); break;
    case '\\': buf_str(b, "\\\\"); break;
    case '\b': buf_str(b, "\\b"); break;
    case '\f': buf_str(b, "\\f"); break;
    case '\n': buf_str(b, "\\n"); break;
    case '\r': buf_str(b, "\\r"); break;
    case '\t': buf_str(b, "\\t"); break;
    default:
      if (c < 0x20) {
        (void)snprintf(esc, sizeof(esc), "\\u%04x", c);
        buf_str(b, esc);
      } else {
        buf_add(b, (const char *)&s[i], 1);
      }
    }
  }
  buf_add(b, "\"", 1);
}

/* Next UTF-16 code unit of a (valid, jansson-checked) UTF-8 string; *pending carries a low surrogate. */
static unsigned next_utf16(const unsigned char **p, unsigned *pending) {
  if (*pending) {
    unsigned u = *pending;
    *pending = 0;
    return u;
  }
  const unsigned char *s = *p;
  uint32_t cp;
  if (s[0] < 0x80) {
    cp = s[0];
    *p += 1;
  } else if ((s[0] & 0xe0) == 0xc0) {
    cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
    *p += 2;
  } else if ((s[0] & 0xf0) == 0xe0) {
    cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
    *p += 3;
  } else {
    cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 | (uint32_t)(s[2] & 0x3f) << 6 |
         (s[3] & 0x3f);
    *p += 4;
  }
  if (cp < 0x10000)
    return cp;
  cp -= 0x10000;
  *pending = 0xdc00 | (cp & 0x3ff);
  return 0xd800 | (cp >> 10);
}

static int utf16_cmp(const void *a, const void *b) {
  const unsigned char *x = *(const unsigned char *const *)a, *y = *(const unsigned char *const *)b;
  unsigned px = 0, py = 0;
  while ((*x || px) && (*y || py)) {
    unsigned ux = next_utf16(&x, &px), uy = next_utf16(&y, &py);
    if (ux != uy)
      return ux < uy ? -1 : 1;
  }
  return (*x || px) ? 1 : (*y || py) ? -1 : 0;
}

static int jcs_value(struct buf *b, const json_t *j, tb_error **err) {
  switch (json_typeof(j)) {
  case JSON_NULL: buf_str(b, "null"); return 0;
  case JSON_TRUE: buf_str(b, "true"); return 0;
  case JSON_FALSE: buf_str(b, "false"); return 0;
  case JSON_INTEGER: {
    char num[32];
    (void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    buf_str(b, num);
    return 0;
  }
  case JSON_REAL:
    return tb_error_set(err, TB_EXIT_INPUT, 0, "canonical JSON: non-integer numbers are not supported");
  case JSON_STRING:
    jcs_string(b, json_string_value(j), json_string_length(j));
    return 0;
  case JSON_ARRAY: {
    buf_add(b, "[", 1);
    for (size_t i = 0; i < json_array_size(j); i++) {
      if (i)
        buf_add(b, ",", 1);
      int ret = jcs_value(b, json_array_get(j, i), err);
      if (ret < 0)
        return ret;
    }
    buf_add(b, "]", 1);
    return 0;
  }
  case JSON_OBJECT: {
    size_t n = json_object_size(j), i = 0;
    cleanup_free const char **keys = xcalloc(n, sizeof(*keys));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v) keys[i++] = key;
    qsort(keys, n, sizeof(*keys), utf16_cmp);
    buf_add(b, "{", 1);
    for (i = 0; i < n; i++) {
      if (i)
        buf_add(b, ",", 1);
      jcs_string(b, keys[i], strlen(keys[i]));
      buf_add(b, ":", 1);
      int ret = jcs_value(b, json_object_get(j, keys[i]), err);
      if (ret < 0)
        return ret;
    }
    buf_add(b, "}", 1);
    return 0;
  }
  }
  return tb_error_set(err, TB_EXIT_INPUT, 0, "canonical JSON: unknown value type");
}

int tb_json_canonical(const json_t *json, char **out, size_t *len, tb_error **err) {
  struct buf b = {0};
  int ret = jcs_value(&b, json, err);
  if (ret < 0) {
    free(b.data);
    return ret;
  }
  *out = b.data;
  if (len)
    *len = b.len;
  return 0;
}

/* json_dump_callback's sink: a fixed buffer flushed to the fd, so a large document is never held
 * as one string (build-info is ~1 MB) and is written in few syscalls. */
struct dump_sink {
  int fd;
  size_t used;
  int error; /* errno of the first failed write */
  char buf[65536];
};

static int sink_write(struct dump_sink *s, const char *data, size_t len) {
  if (s->error == 0 && len > 0 && tb_write_all(s->fd, data, len) < 0)
    s->error = errno ? errno : EIO;
  return s->error ? -1 : 0;
}

static int sink_add(const char *data, size_t len, void *opaque) {
  struct dump_sink *s = opaque;
  if (s->used + len > sizeof(s->buf)) {
    int r = sink_write(s, s->buf, s->used);
    s->used = 0;
    if (r < 0 || len > sizeof(s->buf))
      return r < 0 ? r : sink_write(s, data, len);
  }
  memcpy(s->buf + s->used, data, len);
  s->used += len;
  return 0;
}

int tb_json_write_file(const char *path, const json_t *json, tb_error **err) {
  cleanup_free struct dump_sink *sink = xcalloc(1, sizeof(*sink));
  sink->fd = tb_create_staged(path, 0644, err);
  if (sink->fd < 0)
    return sink->fd;
  int r = json_dump_callback(json, sink_add, sink, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  if (r == 0)
    r = sink_add("\n", 1, sink);
  if (r == 0)
    r = sink_write(sink, sink->buf, sink->used);
  int saved = sink->error;
  close(sink->fd);
  if (r < 0)
    return saved ? tb_error_set(err, TB_EXIT_INPUT, saved, "write %s", path)
                 : tb_error_set(err, TB_EXIT_INPUT, 0, "%s: cannot serialize JSON", path);
  return 0;
}

int tb_json_get_string(const json_t *obj, const char *key, const char **out, tb_error **err) {
  json_t *v = json_object_get(obj, key);
  if (v == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "missing key \"%s\"", key);
  if (!json_is_string(v))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "key \"%s\" must be a string", key);
  *out = json_string_value(v);
  return 0;
}
