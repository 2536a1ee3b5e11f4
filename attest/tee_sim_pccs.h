/* tee-sim's PCCS: the Intel PCS / PCCS API v4 routes dcap_fetch_collateral() asks for, answered
 * with the simulation's own collateral (sim_collateral_json), so that a simulated quote's collateral
 * can come over HTTP through the very same fetching and verification code as a real one. Only the
 * collateral travels: the trust anchor stays the simulation root in the verifier's store. */
#ifndef TB_ATTEST_TEE_SIM_PCCS_H
#define TB_ATTEST_TEE_SIM_PCCS_H

#include <microhttpd.h>
#include <stdbool.h>

/* An HTTP answer: status, content type, body and at most one extra header. */
struct tee_sim_http {
  unsigned status;
  const char *content_type;
  char *body; /* malloc'ed */
  size_t len;
  const char *header; /* NULL, or the name of a header whose value is in `value` */
  char *value;        /* malloc'ed */
};

/* Whether url is under a PCCS API prefix (/sgx/certification/v4/, /tdx/certification/v4/). */
bool tee_sim_pccs_route(const char *url);

/* The answer to a GET of url with conn's query arguments: GET /sgx/certification/v4/pckcrl?ca=platform
 * &encoding=der (DER, SGX-PCK-CRL-Issuer-Chain), /tdx/certification/v4/tcb?fmspc=<the sim's>
 * ({"tcbInfo", "signature"}, TCB-Info-Issuer-Chain), /tdx/certification/v4/qe/identity
 * ({"enclaveIdentity", "signature"}, SGX-Enclave-Identity-Issuer-Chain), /sgx/certification/v4/rootcacrl
 * (DER); issuer chains URL-encoded as a PCCS sends them; documents issued an hour before now. */
struct tee_sim_http tee_sim_pccs_get(const char *sim_dir, struct MHD_Connection *conn, const char *url);

#endif
