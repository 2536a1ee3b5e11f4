#include "attest/rtmr.h"

#include <openssl/evp.h>
#include <stdlib.h>

void tb_sha384_2(const void *a, size_t a_len, const void *b, size_t b_len, unsigned char out[TB_SHA384_LEN]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) != 1 || EVP_DigestUpdate(ctx, a, a_len) != 1 ||
      (b_len && EVP_DigestUpdate(ctx, b, b_len) != 1) || EVP_DigestFinal_ex(ctx, out, NULL) != 1)
    abort();
  EVP_MD_CTX_free(ctx);
}
