/* Simulated TDX evidence for machines without TDX.
 *
 * A simulation PKI is created once per sim_dir (under a lock, each file written atomically, a
 * "ready" marker last): its own P-256 root CA (subject "teebuild SIMULATION Root CA - not Intel"),
 * a PCK CA and a PCK leaf carrying the SGX extensions a real PCK certificate carries (FMSPC, PCE-ID,
 * TCB components), a TCB signing certificate and the attestation key. Quotes are real TDX v4 quotes
 * in every byte: header, TD 1.0 body, ECDSA signature by the attestation key, QE report signed by the
 * PCK key whose report_data binds the attestation key, certification data type 5 with the PEM chain.
 * The collateral is real QuoteCollateralV3 JSON signed by the sim TCB signing key. So a simulated
 * quote goes through the very same dcap_verify() as a real one, only against the sim root; nothing
 * here is a second verification path. Never trust the sim root unless the user asked for it.
 */
#ifndef TB_ATTEST_SIM_QUOTE_H
#define TB_ATTEST_SIM_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Subject CN prefix of every simulation certificate: what dcap_verify() reports as "simulated". */
#define SIM_CN_PREFIX "teebuild SIMULATION"

/* Measurements to place in the TD body; NULL in sim_quote_make_td() means fixed placeholders. */
struct sim_td_measurements {
  unsigned char mr_td[48];
  unsigned char rtmr[4][48];
};

int sim_quote_make(const char *sim_dir, const unsigned char report_data[64], unsigned char **quote,
                   size_t *quote_len, tb_error **err);
int sim_quote_make_td(const char *sim_dir, const unsigned char report_data[64],
                      const struct sim_td_measurements *m, unsigned char **quote, size_t *quote_len,
                      tb_error **err);

/* QuoteCollateralV3 JSON valid around now (CRLs and TCB documents issued at now - 1h, for 30 days). */
int sim_collateral_json(const char *sim_dir, int64_t now, char **json, tb_error **err);

/* The DER of the simulation root, the trust anchor to pass to dcap_verify() for simulated quotes. */
int sim_root_der(const char *sim_dir, unsigned char **der, size_t *der_len, tb_error **err);

#endif
