#include "common/buf.h"

#include <string.h>

#include "common/xalloc.h"

void *tb_buf_grow(struct tb_buf *b, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->data = xrealloc(b->data, b->cap);
  }
  char *at = b->data + b->len;
  memset(at, 0, n + 1);
  b->len += n;
  return at;
}

void tb_buf_add(struct tb_buf *b, const void *data, size_t n) {
  if (n > 0)
    memcpy(tb_buf_grow(b, n), data, n);
  else
    tb_buf_grow(b, 0);
}
