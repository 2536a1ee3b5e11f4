/* SHA-256 through OpenSSL's EVP interface (hex.h for the text forms). */
#ifndef TB_COMMON_HASH_H
#define TB_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/hex.h"

#define TB_SHA256_LEN 32

typedef struct tb_sha256_ctx tb_sha256_ctx;

tb_sha256_ctx *tb_sha256_new(void);
void tb_sha256_update(tb_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and frees ctx. */
void tb_sha256_final(tb_sha256_ctx *ctx, unsigned char out[TB_SHA256_LEN]);
void tb_sha256_free(tb_sha256_ctx *ctx);

void tb_sha256_buf(const void *data, size_t len, unsigned char out[TB_SHA256_LEN]);
/* Hash everything readable from fd (from its current offset); *size gets the byte count if non-NULL. */
int tb_sha256_fd(int fd, unsigned char out[TB_SHA256_LEN], uint64_t *size, tb_error **err);
int tb_sha256_file(const char *path, unsigned char out[TB_SHA256_LEN], uint64_t *size, tb_error **err);
/* The file's SHA-256 as lowercase hex: the form every subject, link and record carries. */
int tb_sha256_file_hex(const char *path, char hex[TB_SHA256_HEX_LEN + 1], tb_error **err);

#endif
