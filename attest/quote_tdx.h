/* TDX DCAP quotes (Intel "TDX DCAP Quoting Library API", appendix: quote v4 and v5).
 *
 * A quote is a 48-byte header, a TD report body (v4: TD 1.0, 584 bytes; v5: a 6-byte body
 * descriptor, then a TD 1.0 or TD 1.5 body of 648 bytes), then a 4-byte length and the ECDSA
 * signature data. The signed region is everything before that length field. Real quotes carry
 * trailing bytes after the signature data, so the end is found through the length fields, never
 * through the buffer size. Multi-byte integers are little-endian.
 *
 * tdx_quote_parse() copies the bytes; every field pointer below points into q->raw and lives as
 * long as the quote. SGX quotes (tee_type 0), unknown versions, body types and attestation key
 * types are refused with TB_EXIT_VERIFY and a message starting "quote-format: ".
 */
#ifndef TB_ATTEST_QUOTE_TDX_H
#define TB_ATTEST_QUOTE_TDX_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define TDX_TEE_TYPE 0x00000081u
#define TDX_ATT_KEY_ECDSA_P256 2
#define TDX_CERT_TYPE_PCK_CHAIN 5     /* concatenated PEM: PCK leaf, PCK CA, root */
#define TDX_CERT_TYPE_QE_REPORT 6     /* QE report certification data (wraps a type 5) */
#define TDX_BODY_TYPE_TD10 2
#define TDX_BODY_TYPE_TD15 3
#define TDX_HEADER_LEN 48
#define TDX_TD10_BODY_LEN 584
#define TDX_TD15_BODY_LEN 648
#define TDX_SGX_REPORT_LEN 384
#define TDX_MR_LEN 48
#define TDX_REPORT_DATA_LEN 64
#define TDX_ECDSA_SIG_LEN 64 /* raw r || s */
#define TDX_ECDSA_KEY_LEN 64 /* raw x || y of a P-256 point */

/* TD report body. tee_tcb_svn2 and mr_service_td are NULL for a TD 1.0 body. */
struct tdx_td_body {
  const unsigned char *tee_tcb_svn;    /* 16 */
  const unsigned char *mr_seam;        /* 48 */
  const unsigned char *mr_signer_seam; /* 48 */
  const unsigned char *seam_attributes;/* 8 */
  const unsigned char *td_attributes;  /* 8 */
  const unsigned char *xfam;           /* 8 */
  const unsigned char *mr_td;          /* 48 */
  const unsigned char *mr_config_id;   /* 48 */
  const unsigned char *mr_owner;       /* 48 */
  const unsigned char *mr_owner_config;/* 48 */
  const unsigned char *rtmr[4];        /* 48 each */
  const unsigned char *report_data;    /* 64 */
  const unsigned char *tee_tcb_svn2;   /* 16, TD 1.5 only */
  const unsigned char *mr_service_td;  /* 48, TD 1.5 only */
};

/* The SGX report body of the Quoting Enclave (what the PCK key signs). */
struct tdx_qe_report {
  const unsigned char *raw;         /* 384: the signed bytes */
  const unsigned char *cpu_svn;     /* 16 */
  uint32_t misc_select;
  const unsigned char *attributes;  /* 16 */
  const unsigned char *mr_enclave;  /* 32 */
  const unsigned char *mr_signer;   /* 32 */
  uint16_t isv_prod_id;
  uint16_t isv_svn;
  const unsigned char *report_data; /* 64: SHA-256(attest_key || qe_auth_data) || zeros */
};

struct tdx_quote {
  unsigned char *raw; /* owned copy of the whole input, trailing bytes included */
  size_t raw_len;

  /* header */
  uint16_t version; /* 4 or 5 */
  uint16_t att_key_type;
  uint32_t tee_type;
  uint16_t qe_svn, pce_svn;
  const unsigned char *qe_vendor_id; /* 16 */
  const unsigned char *user_data;    /* 20 */

  /* body */
  uint16_t body_type; /* v5 descriptor; TDX_BODY_TYPE_TD10 for v4 */
  uint32_t body_size;
  size_t body_offset;
  struct tdx_td_body body;

  /* signature data */
  size_t signed_len; /* [0, signed_len) is what the attestation key signs */
  uint32_t sig_data_len;
  size_t end_of_sig_data;
  const unsigned char *signature;  /* 64, raw r || s over the signed region */
  const unsigned char *attest_key; /* 64, raw public point */
  uint16_t outer_cert_type;        /* 6 */
  uint32_t outer_cert_size;
  struct tdx_qe_report qe_report;
  const unsigned char *qe_report_signature; /* 64, raw r || s by the PCK key */
  const unsigned char *qe_auth_data;
  uint16_t qe_auth_data_len;
  uint16_t cert_type; /* inner certification data type: 5 */
  uint32_t cert_size;
  const unsigned char *cert_data; /* PEM chain, cert_size bytes, not NUL-terminated */
};

int tdx_quote_parse(const unsigned char *buf, size_t len, struct tdx_quote **out, tb_error **err);
void tdx_quote_free(struct tdx_quote *q);
static inline void tdx_quote_freep(struct tdx_quote **q) {
  if (*q)
    tdx_quote_free(*q);
}
#define cleanup_tdx_quote __attribute__((cleanup(tdx_quote_freep)))

/* Quote bytes from what a user hands us: raw binary, hex (either case, optional 0x, surrounding
 * whitespace, line-wrapped), or a dstack/tappd GetQuote JSON response ({"quote": "<hex>", ...}). */
int tdx_quote_decode_input(const char *data, size_t len, unsigned char **quote, size_t *quote_len, tb_error **err);
int tdx_quote_read_file(const char *path, unsigned char **quote, size_t *quote_len, tb_error **err);

#endif
