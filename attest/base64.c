#include "attest/base64.h"

#include <openssl/evp.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

char *tb_base64_encode(const void *data, size_t len) {
  char *out = xmalloc(4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, data, (int)len);
  return out;
}

int tb_base64_decode(const char *text, unsigned char **out, size_t *out_len, int exit_code, tb_error **err) {
  size_t n = strlen(text);
  if (n % 4 != 0 || n > (size_t)1 << 30)
    return tb_error_set(err, exit_code, 0, "invalid base64 (length %zu)", n);
  unsigned char *buf = xmalloc(n / 4 * 3 + 1);
  int got = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)n);
  if (got < 0) {
    free(buf);
    return tb_error_set(err, exit_code, 0, "invalid base64");
  }
  /* EVP_DecodeBlock counts the bytes that '=' padding stands for; drop them. */
  size_t pad = (n >= 1 && text[n - 1] == '=') + (n >= 2 && text[n - 2] == '=');
  /* It also skips blanks and takes '=' anywhere: only the one canonical text of the bytes (RFC 4648,
   * what every other DSSE verifier accepts) is base64 here, so no two texts mean the same bundle. */
  cleanup_free char *again = (size_t)got >= pad ? tb_base64_encode(buf, (size_t)got - pad) : NULL;
  if (again == NULL || strcmp(again, text) != 0) {
    free(buf);
    return tb_error_set(err, exit_code, 0, "invalid base64 (not canonical RFC 4648)");
  }
  *out = buf;
  *out_len = (size_t)got - pad;
  return 0;
}
