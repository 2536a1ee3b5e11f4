/* Pieces of dcap_verify() shared between its files (not part of the attest API). */
#ifndef TB_ATTEST_DCAP_INTERNAL_H
#define TB_ATTEST_DCAP_INTERNAL_H

#include <jansson.h>
#include <openssl/x509.h>
#include <stdint.h>

#include "attest/dcap.h"
#include "attest/dcap_pck_ext.h"
#include "attest/quote_tdx.h"
#include "common/error.h"

#define DCAP_FAIL(err, check, ...) tb_error_set(err, TB_EXIT_VERIFY, 0, check ": " __VA_ARGS__)

/* QuoteCollateralV3, decoded. The signed documents are kept as the exact text that was signed
 * (tcb_info_text, qe_identity_text) next to their parsed form. */
struct dcap_collateral {
  json_t *doc; /* owns the text pointers below */
  const char *tcb_info_text;
  size_t tcb_info_len;
  unsigned char tcb_info_sig[64];
  const char *qe_identity_text;
  size_t qe_identity_len;
  unsigned char qe_identity_sig[64];
  json_t *tcb_info, *qe_identity;
  STACK_OF(X509) *tcb_chain, *qe_identity_chain;
  STACK_OF(X509) *pck_chain; /* NULL unless the collateral carries pck_certificate_chain */
  X509_CRL *root_crl, *pck_crl;
};

int dcap_collateral_parse(const char *json, struct dcap_collateral *c, tb_error **err);
void dcap_collateral_free(struct dcap_collateral *c);

/* "2025-07-19T10:16:03Z" (fractional seconds and a +00:00 offset accepted) to Unix seconds. */
int dcap_parse_time(const char *s, int64_t *out);

/* Verify chain[0] up to root, chain[1..] as untrusted intermediates, at time now, with every
 * certificate (root included) checked against the CRL of its issuer. On failure returns -1 and
 * sets the OpenSSL verify error and the depth at which it happened. */
int dcap_chain_verify(X509 *root, STACK_OF(X509) *chain, X509_CRL *root_crl, X509_CRL *pck_crl, int64_t now,
                      int *x509_err, int *depth);
int dcap_x509_err_is_crl(int x509_err);

/* A TCB status with its advisories, as matched in a TCB info or QE identity level. */
struct dcap_status {
  const char *status; /* points into the collateral JSON */
  const json_t *advisories; /* array or NULL */
};

/* QE report against the QE identity: MRSIGNER, ISVPRODID, masked MISCSELECT/ATTRIBUTES, ISVSVN. */
int dcap_match_qe_identity(const struct tdx_qe_report *qe, const json_t *qe_identity, struct dcap_status *out,
                           tb_error **err);
/* Platform TCB level: FMSPC/PCE-ID, then the first level whose SGX components, PCESVN and TDX
 * components are all at or below the platform's. */
int dcap_match_tcb_level(const struct tdx_quote *q, const struct pck_ext *pck, const json_t *tcb_info,
                         struct dcap_status *out, tb_error **err);
/* TDX module identity: with tee_tcb_svn[1] (the module's major version) not 0, the identity
 * TDX_<major> gives MRSIGNER_SEAM, masked SEAM attributes and, by ISVSVN = tee_tcb_svn[0], a status;
 * with 0, only the signer is checked against "tdxModule" and out->status is NULL. */
int dcap_match_tdx_module(const struct tdx_quote *q, const json_t *tcb_info, struct dcap_status *out,
                          tb_error **err);
/* Severity order of TCB statuses (dcap-qvl's): larger is worse; unknown strings are worst (100). */
int dcap_tcb_status_severity(const char *status);
/* Fold s into the verdict: worse status wins, advisories appended without duplicates. */
void dcap_merge_status(struct dcap_verdict *v, const struct dcap_status *s);

#endif
