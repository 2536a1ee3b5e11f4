#include "attest/binding.h"

#include "common/hash.h"

void tb_binding_report_data(const void *payload, size_t payload_len, const unsigned char *spki_der, size_t spki_len,
                            unsigned char out[TB_REPORT_DATA_LEN]) {
  tb_sha256_buf(payload, payload_len, out);
  tb_sha256_buf(spki_der, spki_len, out + TB_SHA256_LEN);
}
