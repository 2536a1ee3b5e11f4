/* Lowercase hex, the text form of every digest. Apart from OpenSSL so that code which only names
 * digests (the jail) does not load libcrypto. */
#ifndef TB_COMMON_HEX_H
#define TB_COMMON_HEX_H

#include <stdbool.h>
#include <stddef.h>

#define TB_SHA256_HEX_LEN 64

/* out must hold 2*len+1 bytes. */
void tb_hex_encode(const unsigned char *data, size_t len, char *out);
/* Decode exactly outlen bytes from a hex string of exactly 2*outlen characters (either case).
 * Returns 0, or -1 when the text is not that. */
int tb_hex_decode(const char *hex, unsigned char *out, size_t outlen);
/* True when s is exactly 64 lowercase hex digits. */
bool tb_is_sha256_hex(const char *s);

#endif
