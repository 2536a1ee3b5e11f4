#include "attest/binding.h"

#include <string.h>

#include "common/hash.h"

int tb_report_data_from_hex(const char *hex, unsigned char out[TB_REPORT_DATA_LEN]) {
  size_t n = strlen(hex);
  memset(out, 0, TB_REPORT_DATA_LEN);
  if (n > (size_t)2 * TB_REPORT_DATA_LEN || n % 2 != 0)
    return -1;
  return tb_hex_decode(hex, out, n / 2);
}

void tb_binding_report_data(const void *payload, size_t payload_len, const unsigned char *spki_der, size_t spki_len,
                            unsigned char out[TB_REPORT_DATA_LEN]) {
  tb_sha256_buf(payload, payload_len, out);
  tb_sha256_buf(spki_der, spki_len, out + TB_SHA256_LEN);
}
