#include "common/buf.h"

#include <string.h>

#include "common/xalloc.h"

/* Room for n more bytes and the NUL after them; where they go. */
static char *reserve(struct tb_buf *b, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = xrealloc(b->data, b->cap);
  }
  return b->data + b->len;
}

void *tb_buf_grow(struct tb_buf *b, size_t n) {
  char *at = reserve(b, n);
  memset(at, 0, n + 1);
  b->len += n;
  return at;
}

void tb_buf_add(struct tb_buf *b, const void *data, size_t n) {
  char *at = reserve(b, n);
  if (n > 0)
    memcpy(at, data, n);
  b->len += n;
  b->data[b->len] = '\0';
}
