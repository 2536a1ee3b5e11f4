/* The simulation PKI behind sim_quote.h: keys and certificates kept in sim_dir, and the fixed
 * platform identity (FMSPC, SVNs, QE identity) that the quote and the collateral must agree on. */
#ifndef TB_ATTEST_SIM_PKI_H
#define TB_ATTEST_SIM_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct sim_pki {
  EVP_PKEY *root_key, *pck_ca_key, *pck_key, *tcb_key, *attest_key;
  X509 *root, *pck_ca, *pck, *tcb;
};

/* What the simulated platform reports; the sim collateral's TCB levels are built from the same. */
extern const unsigned char sim_fmspc[6];
extern const unsigned char sim_pce_id[2];
extern const uint16_t sim_pce_svn;
extern const unsigned char sim_cpu_svn[16];
extern const unsigned char sim_tee_tcb_svn[16];
extern const unsigned char sim_qe_mrsigner[32];
extern const uint16_t sim_qe_isv_prod_id, sim_qe_isv_svn;

/* Load the PKI from sim_dir, creating it first (under an flock) if it is not there yet. */
int sim_pki_open(const char *sim_dir, struct sim_pki *pki, tb_error **err);
void sim_pki_close(struct sim_pki *pki);

/* PEM text of certificates, concatenated; malloc'ed. */
char *sim_pki_pem(X509 *const *certs, int n);

struct tdx_quote;
/* Whether q's own PCK certificate names a simulation CA as its issuer. The claim is the quote's:
 * it only says which locally held root to verify it to, never that it may be trusted. */
bool sim_pki_claimed_by(const struct tdx_quote *q);

#endif
