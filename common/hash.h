/* SHA-256 through OpenSSL's EVP interface, and lowercase hex. */
#ifndef TB_COMMON_HASH_H
#define TB_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "common/error.h"

#define TB_SHA256_LEN 32
#define TB_SHA256_HEX_LEN 64

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

/* out must hold 2*len+1 bytes. */
void tb_hex_encode(const unsigned char *data, size_t len, char *out);
/* Decode exactly outlen bytes from a hex string of exactly 2*outlen characters (either case).
 * Returns 0, or -1 when the text is not that. */
int tb_hex_decode(const char *hex, unsigned char *out, size_t outlen);
/* True when s is exactly 64 lowercase hex digits. */
bool tb_is_sha256_hex(const char *s);

#endif
