/* The binding between a statement and a quote (design.md "Signing and the binding"):
 * report_data = SHA-256(DSSE payload bytes) || SHA-256(DER SubjectPublicKeyInfo), so the quote vouches
 * for both what was signed and the key that signed it. */
#ifndef TB_ATTEST_BINDING_H
#define TB_ATTEST_BINDING_H

#include <stddef.h>

#define TB_REPORT_DATA_LEN 64

/* report_data as the dstack agent takes it: hex of at most 64 bytes, zero-padded on the right.
 * Returns 0, or -1 when hex is not that. */
int tb_report_data_from_hex(const char *hex, unsigned char out[TB_REPORT_DATA_LEN]);

void tb_binding_report_data(const void *payload, size_t payload_len, const unsigned char *spki_der, size_t spki_len,
                            unsigned char out[TB_REPORT_DATA_LEN]);

#endif
