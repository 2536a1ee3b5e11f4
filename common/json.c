#include "common/json.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

/* json_loadb for text that must be JSON as written: no JSON text holds a NUL byte, and jansson
 * skips one where it stands between tokens, so it would parse other text than the scanners below
 * read. NULL with jerr saying so. */
static json_t *load_text(const char *buf, size_t len, size_t flags, json_error_t *jerr) {
  const char *nul = memchr(buf, '\0', len);
  if (nul == NULL)
    return json_loadb(buf, len, flags, jerr);
  if (jerr) {
    memset(jerr, 0, sizeof(*jerr));
    jerr->line = 1;
    const char *line_start = buf;
    for (const char *c = buf; c < nul; c++)
      if (*c == '\n') {
        jerr->line++;
        line_start = c + 1;
      }
    jerr->column = (int)(nul - line_start) + 1;
    jerr->position = (int)(nul - buf);
    (void)snprintf(jerr->text, sizeof(jerr->text), "a NUL byte at offset %zu", (size_t)(nul - buf));
  }
  return NULL;
}

int tb_json_load_buf(const char *what, const char *buf, size_t len, json_t **out, tb_error **err) {
  json_error_t jerr;
  json_t *j = load_text(buf, len, JSON_REJECT_DUPLICATES, &jerr);
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

static void buf_str(struct tb_buf *b, const char *s) { tb_buf_add(b, s, strlen(s)); }

static void jcs_string(struct tb_buf *b, const char *s, size_t n) {
  tb_buf_add(b, "\"", 1);
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
        tb_buf_add(b, (const char *)&s[i], 1);
      }
    }
  }
  tb_buf_add(b, "\"", 1);
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

static int jcs_value(struct tb_buf *b, const json_t *j, tb_error **err) {
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
    tb_buf_add(b, "[", 1);
    for (size_t i = 0; i < json_array_size(j); i++) {
      if (i)
        tb_buf_add(b, ",", 1);
      int ret = jcs_value(b, json_array_get(j, i), err);
      if (ret < 0)
        return ret;
    }
    tb_buf_add(b, "]", 1);
    return 0;
  }
  case JSON_OBJECT: {
    size_t n = json_object_size(j), i = 0;
    cleanup_free const char **keys = xcalloc(n, sizeof(*keys));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v) keys[i++] = key;
    qsort(keys, n, sizeof(*keys), utf16_cmp);
    tb_buf_add(b, "{", 1);
    for (i = 0; i < n; i++) {
      if (i)
        tb_buf_add(b, ",", 1);
      jcs_string(b, keys[i], strlen(keys[i]));
      tb_buf_add(b, ":", 1);
      int ret = jcs_value(b, json_object_get(j, keys[i]), err);
      if (ret < 0)
        return ret;
    }
    tb_buf_add(b, "}", 1);
    return 0;
  }
  }
  return tb_error_set(err, TB_EXIT_INPUT, 0, "canonical JSON: unknown value type");
}

int tb_json_canonical(const json_t *json, char **out, size_t *len, tb_error **err) {
  struct tb_buf b = {0};
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
struct tb_json_writer {
  int fd;
  size_t used;
  int error;    /* errno of the first failed write */
  bool unserializable; /* jansson refused a value (no write failed) */
  size_t depth; /* tb_json_writer_value: indentation added after each newline jansson writes */
  char buf[65536];
};

static int sink_write(struct tb_json_writer *w, const char *data, size_t len) {
  if (w->error == 0 && len > 0 && tb_write_all(w->fd, data, len) < 0)
    w->error = errno ? errno : EIO;
  return w->error ? -1 : 0;
}

static int sink_add(const char *data, size_t len, void *opaque) {
  struct tb_json_writer *w = opaque;
  if (w->used + len > sizeof(w->buf)) {
    int r = sink_write(w, w->buf, w->used);
    w->used = 0;
    if (r < 0 || len > sizeof(w->buf))
      return r < 0 ? r : sink_write(w, data, len);
  }
  memcpy(w->buf + w->used, data, len);
  w->used += len;
  return 0;
}

static int sink_newline(struct tb_json_writer *w, size_t depth) {
  static const char spaces[] = "                                ";
  int r = sink_add("\n", 1, w);
  for (size_t n = 2 * depth; r == 0 && n > 0;) {
    size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
    r = sink_add(spaces, k, w);
    n -= k;
  }
  return r;
}

/* jansson indents from depth 0; only its indentation writes newlines (strings escape theirs). */
static int sink_add_indented(const char *data, size_t len, void *opaque) {
  struct tb_json_writer *w = opaque;
  const char *nl;
  while ((nl = memchr(data, '\n', len)) != NULL) {
    if (sink_add(data, (size_t)(nl - data), w) < 0 || sink_newline(w, w->depth) < 0)
      return -1;
    len -= (size_t)(nl - data) + 1;
    data = nl + 1;
  }
  return sink_add(data, len, w);
}

int tb_json_writer_open(const char *path, struct tb_json_writer **out, tb_error **err) {
  int fd = tb_create_staged(path, 0644, err);
  if (fd < 0)
    return fd;
  struct tb_json_writer *w = xcalloc(1, sizeof(*w));
  w->fd = fd;
  *out = w;
  return 0;
}

int tb_json_writer_restart(struct tb_json_writer *w) {
  w->used = 0;
  if (w->error == 0 && (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0))
    w->error = errno;
  return w->error ? -1 : 0;
}

int tb_json_writer_raw(struct tb_json_writer *w, const char *s) { return sink_add(s, strlen(s), w); }

int tb_json_writer_value(struct tb_json_writer *w, const json_t *json, size_t depth) {
  w->depth = depth;
  int r = json_dump_callback(json, sink_add_indented, w, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  w->unserializable |= r < 0 && w->error == 0;
  return r;
}

int tb_json_writer_close(struct tb_json_writer *w, const char *path, tb_error **err) {
  int r = sink_write(w, w->buf, w->used);
  int saved = w->error;
  bool unserializable = w->unserializable;
  close(w->fd);
  free(w);
  if (r < 0)
    return tb_error_set(err, TB_EXIT_INPUT, saved, "write %s", path);
  if (unserializable)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: cannot serialize JSON", path);
  return 0;
}

int tb_json_write_file(const char *path, const json_t *json, tb_error **err) {
  struct tb_json_writer *w = NULL;
  int ret = tb_json_writer_open(path, &w, err);
  if (ret < 0)
    return ret;
  if (tb_json_writer_value(w, json, 0) == 0)
    tb_json_writer_raw(w, "\n");
  return tb_json_writer_close(w, path, err);
}

/* JSON text used in place. Skipping checks only the nesting and the strings' ends: what it skips
 * is validated when it is parsed or written (tb_json_writer_text). */
static const char *skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

/* p at a '"': past the closing quote, or NULL. A quote after an odd number of backslashes is
 * escaped; the opening quote ends the count. memchr: most of solc's output is long strings. */
static const char *skip_string(const char *p, const char *end) {
  for (p++; p < end;) {
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (q == NULL)
      return NULL;
    size_t backslashes = 0;
    while (q[-1 - (ptrdiff_t)backslashes] == '\\')
      backslashes++;
    if (backslashes % 2 == 0)
      return q + 1;
    p = q + 1;
  }
  return NULL;
}

static const char *skip_value(const char *p, const char *end) {
  if (p >= end)
    return NULL;
  if (*p == '"')
    return skip_string(p, end);
  if (*p != '{' && *p != '[') {
    while (p < end && !strchr(",}] \t\n\r", *p))
      p++;
    return p;
  }
  size_t depth = 0;
  while (p < end) {
    if (*p == '"') {
      if ((p = skip_string(p, end)) == NULL)
        return NULL;
      continue;
    }
    if (*p == '{' || *p == '[')
      depth++;
    else if ((*p == '}' || *p == ']') && --depth == 0)
      return p + 1;
    p++;
  }
  return NULL;
}

/* A key as written ("..." with its quotes), decoded. */
static char *decode_key(const char *p, size_t len) {
  if (memchr(p, '\\', len) == NULL)
    return xstrndup(p + 1, len - 2);
  json_t *s = load_text(p, len, JSON_DECODE_ANY, NULL);
  char *key = json_is_string(s) ? xstrdup(json_string_value(s)) : NULL;
  json_decref(s);
  return key;
}

int tb_json_text_next(struct tb_json_text obj, size_t *pos, char **key, struct tb_json_text *val) {
  const char *end = obj.p + obj.len, *p = obj.p + *pos;
  if (*pos == 0) {
    p = skip_ws(p, end);
    if (p >= end || *p != '{')
      return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
      return 0;
  } else {
    p = skip_ws(p, end);
    if (p < end && *p == '}')
      return 0;
    if (p >= end || *p != ',')
      return -1;
    p = skip_ws(p + 1, end);
  }
  const char *k = p;
  if (p >= end || *p != '"' || (p = skip_string(p, end)) == NULL)
    return -1;
  size_t klen = (size_t)(p - k);
  p = skip_ws(p, end);
  if (p >= end || *p != ':')
    return -1;
  const char *v = skip_ws(p + 1, end);
  if ((p = skip_value(v, end)) == NULL || (*key = decode_key(k, klen)) == NULL)
    return -1;
  *val = (struct tb_json_text){v, (size_t)(p - v)};
  *pos = (size_t)(p - obj.p);
  return 1;
}

struct tb_json_text tb_json_text_get(struct tb_json_text obj, const char *key) {
  size_t pos = 0;
  char *k = NULL;
  struct tb_json_text v;
  while (tb_json_text_next(obj, &pos, &k, &v) == 1) {
    bool found = strcmp(k, key) == 0;
    free(k);
    if (found)
      return v;
  }
  return (struct tb_json_text){NULL, 0};
}

json_t *tb_json_text_parse(struct tb_json_text t) {
  return t.p ? load_text(t.p, t.len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;
}

/* tb_json_writer_text: the text written as tb_json_writer_value would write its parsed value,
 * without parsing it. Handled directly: objects whose plain keys (printable ASCII, no escapes)
 * come in strictly ascending order (jsoncpp's std::map order, as solc writes them: the sorted
 * output then is the input order, and duplicates cannot occur), arrays, true/false/null and
 * integers of up to 18 digits (written back as they are, as jansson would print them). Strings
 * with escapes or non-ASCII bytes go through jansson one at a time; anything else (reals, other
 * key orders, malformed text) gives up with 1. */
struct text_writer {
  struct tb_json_writer *w;
  const char *p, *end;
};

#define TEXT_MAX_DEPTH 512 /* jansson's parser allows 2048: deeper text is left to it */

static int text_value(struct text_writer *t, size_t depth);

static int text_string(struct text_writer *t) {
  const char *s = t->p, *e = skip_string(s, t->end);
  if (e == NULL)
    return 1;
  t->p = e;
  bool plain = true;
  for (const char *c = s + 1; plain && c < e - 1; c++)
    plain = *c >= 0x20 && *c < 0x7f && *c != '\\';
  if (plain)
    return sink_add(s, (size_t)(e - s), t->w);
  json_t *v = load_text(s, (size_t)(e - s), JSON_DECODE_ANY, NULL);
  if (v == NULL)
    return 1;
  int r = json_dump_callback(v, sink_add, t->w, JSON_ENCODE_ANY);
  json_decref(v);
  return r;
}

static int text_scalar(struct text_writer *t) {
  const char *s = t->p;
  while (t->p < t->end && !strchr(",}] \t\n\r", *t->p))
    t->p++;
  size_t n = (size_t)(t->p - s);
  bool literal = (n == 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0)) ||
                 (n == 5 && memcmp(s, "false", 5) == 0);
  const char *d = n > 0 && *s == '-' ? s + 1 : s;
  size_t digits = n - (size_t)(d - s);
  bool integer = digits > 0 && digits <= 18 && (*d != '0' || digits == 1) && !(d > s && *d == '0');
  for (size_t i = 0; integer && i < digits; i++)
    integer = d[i] >= '0' && d[i] <= '9';
  return literal || integer ? sink_add(s, n, t->w) : 1;
}

/* Members or elements up to close, each on its own line at depth + 1. */
static int text_container(struct text_writer *t, size_t depth, char close) {
  const char *prev_key = NULL;
  size_t prev_len = 0;
  t->p = skip_ws(t->p + 1, t->end);
  if (t->p < t->end && *t->p == close) {
    t->p++;
    return sink_add(close == '}' ? "{}" : "[]", 2, t->w);
  }
  int r = sink_add(close == '}' ? "{" : "[", 1, t->w);
  for (bool first = true; r == 0; first = false) {
    if (!first) {
      t->p = skip_ws(t->p, t->end);
      if (t->p < t->end && *t->p == close) {
        t->p++;
        return sink_newline(t->w, depth) < 0 ? -1 : sink_add(&close, 1, t->w);
      }
      if (t->p >= t->end || *t->p != ',')
        return 1;
      t->p = skip_ws(t->p + 1, t->end);
      r = sink_add(",", 1, t->w);
    }
    if (r == 0)
      r = sink_newline(t->w, depth + 1);
    if (r == 0 && close == '}') {
      const char *k = t->p, *e = t->p < t->end && *k == '"' ? skip_string(k, t->end) : NULL;
      if (e == NULL)
        return 1;
      size_t len = (size_t)(e - k) - 2;
      for (size_t i = 1; i <= len; i++)
        if (k[i] < 0x20 || k[i] >= 0x7f || k[i] == '\\')
          return 1;
      int order = prev_key ? memcmp(prev_key, k + 1, prev_len < len ? prev_len : len) : -1;
      if (order > 0 || (order == 0 && prev_len >= len))
        return 1;
      prev_key = k + 1;
      prev_len = len;
      t->p = skip_ws(e, t->end);
      if (t->p >= t->end || *t->p != ':')
        return 1;
      t->p = skip_ws(t->p + 1, t->end);
      if ((r = sink_add(k, (size_t)(e - k), t->w)) == 0)
        r = sink_add(": ", 2, t->w);
    }
    if (r == 0)
      r = text_value(t, depth + 1);
  }
  return r;
}

static int text_value(struct text_writer *t, size_t depth) {
  if (t->p >= t->end || depth > TEXT_MAX_DEPTH)
    return 1;
  switch (*t->p) {
  case '{': return text_container(t, depth, '}');
  case '[': return text_container(t, depth, ']');
  case '"': return text_string(t);
  default: return text_scalar(t);
  }
}

int tb_json_writer_text(struct tb_json_writer *w, struct tb_json_text text, size_t depth) {
  struct text_writer t = {w, text.p, text.p + text.len};
  t.p = skip_ws(t.p, t.end);
  int r = text_value(&t, depth);
  if (r == 0 && skip_ws(t.p, t.end) != t.end)
    return 1;
  return r;
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
