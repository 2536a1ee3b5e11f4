#include "attest/rtmr.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

void tb_sha384_2(const void *a, size_t a_len, const void *b, size_t b_len, unsigned char out[TB_SHA384_LEN]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) != 1 || EVP_DigestUpdate(ctx, a, a_len) != 1 ||
      (b_len && EVP_DigestUpdate(ctx, b, b_len) != 1) || EVP_DigestFinal_ex(ctx, out, NULL) != 1)
    abort();
  EVP_MD_CTX_free(ctx);
}

int tb_rtmr_replay(const json_t *event_log, int imr, unsigned char out[TB_SHA384_LEN], tb_error **err) {
  memset(out, 0, TB_SHA384_LEN);
  if (!json_is_array(event_log))
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "event log is not an array");
  size_t i;
  json_t *ev;
  json_array_foreach(event_log, i, ev) {
    json_t *which = json_object_get(ev, "imr");
    if (!json_is_integer(which))
      return tb_error_set(err, TB_EXIT_VERIFY, 0, "event %zu has no \"imr\"", i);
    if (json_integer_value(which) != imr)
      continue;
    const char *hex = json_string_value(json_object_get(ev, "digest"));
    unsigned char digest[TB_SHA384_LEN];
    if (hex == NULL || strlen(hex) != 2 * TB_SHA384_LEN || tb_hex_decode(hex, digest, sizeof(digest)) < 0)
      return tb_error_set(err, TB_EXIT_VERIFY, 0, "event %zu: \"digest\" is not 48 bytes of hex", i);
    unsigned char next[TB_SHA384_LEN];
    tb_sha384_2(out, TB_SHA384_LEN, digest, sizeof(digest), next);
    memcpy(out, next, TB_SHA384_LEN);
  }
  return 0;
}
