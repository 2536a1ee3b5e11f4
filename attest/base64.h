/* Standard base64 (RFC 4648, padded) through OpenSSL's EVP encoder: DSSE and the bundle use it. */
#ifndef TB_ATTEST_BASE64_H
#define TB_ATTEST_BASE64_H

#include <stddef.h>

#include "common/error.h"

/* Returns a malloc'ed NUL-terminated string. */
char *tb_base64_encode(const void *data, size_t len);

/* Decode padded standard base64 (no line breaks); *out is malloc'ed. A failure carries exit_code,
 * since bad base64 is bad input in one place and a failed verification in another. */
int tb_base64_decode(const char *text, unsigned char **out, size_t *out_len, int exit_code, tb_error **err);

#endif
