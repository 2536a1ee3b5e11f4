/* The binding between a statement and a quote (design.md "Signing and the binding"):
 * report_data = SHA-256(DSSE payload bytes) || SHA-256(DER SubjectPublicKeyInfo), so the quote vouches
 * for both what was signed and the key that signed it. */
#ifndef TB_ATTEST_BINDING_H
#define TB_ATTEST_BINDING_H

#include <stddef.h>

#define TB_REPORT_DATA_LEN 64

void tb_binding_report_data(const void *payload, size_t payload_len, const unsigned char *spki_der, size_t spki_len,
                            unsigned char out[TB_REPORT_DATA_LEN]);

#endif
