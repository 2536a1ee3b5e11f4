/* A growable byte buffer, for output laid out piece by piece (canonical JSON, a simulated quote,
 * the records a tree digest reads). */
#ifndef TB_COMMON_BUF_H
#define TB_COMMON_BUF_H

#include <stddef.h>

/* Zero-initialise; data is malloc'ed (free it) and always NUL-terminated past len once non-NULL. */
struct tb_buf {
  char *data;
  size_t len, cap;
};

/* n zero bytes appended; returns where they start (valid until the buffer grows again). */
void *tb_buf_grow(struct tb_buf *b, size_t n);
void tb_buf_add(struct tb_buf *b, const void *data, size_t n);

#endif
