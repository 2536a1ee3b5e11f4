#include "common/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

struct tb_sha256_ctx {
  EVP_MD_CTX *md;
};

tb_sha256_ctx *tb_sha256_new(void) {
  tb_sha256_ctx *ctx = malloc(sizeof(*ctx));
  if (ctx == NULL)
    abort();
  ctx->md = EVP_MD_CTX_new();
  if (ctx->md == NULL || EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL) != 1)
    abort();
  return ctx;
}

void tb_sha256_update(tb_sha256_ctx *ctx, const void *data, size_t len) {
  if (len && EVP_DigestUpdate(ctx->md, data, len) != 1)
    abort();
}

void tb_sha256_final(tb_sha256_ctx *ctx, unsigned char out[TB_SHA256_LEN]) {
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != TB_SHA256_LEN)
    abort();
  tb_sha256_free(ctx);
}

void tb_sha256_free(tb_sha256_ctx *ctx) {
  if (ctx == NULL)
    return;
  EVP_MD_CTX_free(ctx->md);
  free(ctx);
}

void tb_sha256_buf(const void *data, size_t len, unsigned char out[TB_SHA256_LEN]) {
  tb_sha256_ctx *ctx = tb_sha256_new();
  tb_sha256_update(ctx, data, len);
  tb_sha256_final(ctx, out);
}

int tb_sha256_fd(int fd, unsigned char out[TB_SHA256_LEN], uint64_t *size, tb_error **err) {
  tb_sha256_ctx *ctx = tb_sha256_new();
  /* On the heap, not thread-local: a TLS buffer is zeroed into every thread the process starts. */
  enum { CHUNK = 1 << 16 };
  cleanup_free unsigned char *buf = xmalloc(CHUNK);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      tb_sha256_free(ctx);
      return tb_error_set(err, TB_EXIT_INPUT, errno, "read");
    }
    if (n == 0)
      break;
    tb_sha256_update(ctx, buf, (size_t)n);
    total += (uint64_t)n;
  }
  tb_sha256_final(ctx, out);
  if (size)
    *size = total;
  return 0;
}

int tb_sha256_file(const char *path, unsigned char out[TB_SHA256_LEN], uint64_t *size, tb_error **err) {
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);
  int ret = tb_sha256_fd(fd, out, size, err);
  if (ret < 0)
    return tb_error_wrap(err, "%s", path);
  return 0;
}

int tb_sha256_file_hex(const char *path, char hex[TB_SHA256_HEX_LEN + 1], tb_error **err) {
  unsigned char digest[TB_SHA256_LEN] = {0};
  int ret = tb_sha256_file(path, digest, NULL, err);
  if (ret == 0)
    tb_hex_encode(digest, sizeof(digest), hex);
  return ret;
}
