/* DCAP verification of TDX quotes, offline, against collateral and a pinned root.
 *
 * The order follows Intel's QVL and Phala's dcap-qvl: root CA against the CRLs; TCB info (validity
 * window, issuer chain to the root with CRLs, signature over the exact bytes of the tcb_info text);
 * QE identity likewise; PCK chain (from the quote's certification data, or the collateral's
 * pck_certificate_chain) to the root with the root and PCK CRLs; QE report signature by the PCK key;
 * QE report_data binds the attestation key and QE auth data; QE identity policy (MRSIGNER,
 * ISVPRODID, masked MISCSELECT and ATTRIBUTES, ISVSVN -> QE TCB status); quote signature by the
 * attestation key; FMSPC and TCB level (SGX components and PCESVN from the PCK certificate, TDX
 * components against tee_tcb_svn); TDX module identity; statuses merged (worst wins, advisories
 * joined); debug TDs refused.
 *
 * Every failure is TB_EXIT_VERIFY with a message "<check>: <why>", <check> one of the names below.
 */
#ifndef TB_ATTEST_DCAP_H
#define TB_ATTEST_DCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/quote_tdx.h"
#include "common/error.h"

/* Check names, as they appear first in error messages and in verify --json output. */
#define DCAP_CHECK_QUOTE_FORMAT "quote-format"
#define DCAP_CHECK_COLLATERAL "collateral"
#define DCAP_CHECK_ROOT_CA "root-ca"
#define DCAP_CHECK_ROOT_CRL "root-crl"
#define DCAP_CHECK_TCB_INFO_WINDOW "tcb-info-window"
#define DCAP_CHECK_TCB_INFO_CHAIN "tcb-info-chain"
#define DCAP_CHECK_TCB_INFO_SIG "tcb-info-signature"
#define DCAP_CHECK_QE_IDENTITY_WINDOW "qe-identity-window"
#define DCAP_CHECK_QE_IDENTITY_CHAIN "qe-identity-chain"
#define DCAP_CHECK_QE_IDENTITY_SIG "qe-identity-signature"
#define DCAP_CHECK_PCK_CHAIN "pck-chain"
#define DCAP_CHECK_PCK_CRL "pck-crl"
#define DCAP_CHECK_QE_REPORT_SIG "qe-report-signature"
#define DCAP_CHECK_ATT_KEY_HASH "attestation-key-hash"
#define DCAP_CHECK_QE_IDENTITY "qe-identity"
#define DCAP_CHECK_QUOTE_SIG "quote-signature"
#define DCAP_CHECK_FMSPC "fmspc"
#define DCAP_CHECK_TCB_LEVEL "tcb-level"
#define DCAP_CHECK_TDX_MODULE "tdx-module"
#define DCAP_CHECK_TD_ATTRIBUTES "td-attributes"

#define DCAP_MAX_ADVISORIES 64

struct dcap_verdict {
  char status[48]; /* merged TCB status: UpToDate, SWHardeningNeeded, ..., OutOfDate, Revoked */
  char platform_status[48];
  char qe_status[48];
  char module_status[48]; /* "" when the TDX module identity did not apply */
  char *advisory_ids[DCAP_MAX_ADVISORIES]; /* owned, merged, no duplicates, in order seen */
  size_t n_advisories;
  bool simulated;          /* the PCK chain is teebuild's simulation PKI (its root was trusted) */
  unsigned char fmspc[6];
  unsigned char pce_id[2];
};

void dcap_verdict_clear(struct dcap_verdict *v);

/* Verify q with collateral_json (dcap-qvl QuoteCollateralV3) at time now (Unix seconds) against the
 * root certificate root_der. Returns 0 and fills *out when every check passes, whatever the TCB
 * status (the caller decides which statuses its policy allows). */
int dcap_verify(const struct tdx_quote *q, const char *collateral_json, const unsigned char *root_der,
                size_t root_len, int64_t now, struct dcap_verdict *out, tb_error **err);

/* QuoteCollateralV3 for q from a PCCS or Intel PCS base URL (API v4, libcurl), the TCB info and QE
 * identity kept as the exact bytes served. cache_dir (NULL: none) holds one file per (URL, FMSPC,
 * PCK CA), reused while its TCB info and QE identity are valid at now. Fails "collateral-fetch: ...". */
int dcap_fetch_collateral(const char *base_url, const struct tdx_quote *q, const char *cache_dir, int64_t now,
                          char **json, tb_error **err);

/* Keep collateral that dcap_verify accepted for later dcap_fetch_collateral calls. Only verified
 * collateral is kept: a tampered answer must not stand in for a good one until its dates expire. */
void dcap_cache_collateral(const char *base_url, const struct tdx_quote *q, const char *cache_dir, const char *json);

/* The pinned Intel SGX Root CA (DER SHA-256 44a0196b...74d3). */
extern const unsigned char dcap_intel_root_ca_der[];
extern const size_t dcap_intel_root_ca_der_len;

#endif
