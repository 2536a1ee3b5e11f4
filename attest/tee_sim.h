/* teebuild tee-sim: a dstack-compatible guest agent for machines without TDX. It serves
 * /GetQuote, /Info, /GetKey and /EmitEvent over a Unix socket (plain lowercase hex, errors as HTTP
 * 4xx/5xx with {"error": ...}); quotes are real TDX v4 quotes signed by the simulation PKI in
 * sim_dir (sim_quote.h), so every client and verifier path runs unchanged. It also answers the
 * PCCS API v4 with the simulation's collateral (tee_sim_pccs.h), on the socket and on an optional
 * loopback TCP port, so that `--pccs URL` fetches it like any other. Everything it returns says it
 * is simulated. */
#ifndef TB_ATTEST_TEE_SIM_H
#define TB_ATTEST_TEE_SIM_H

#include "common/error.h"

struct tb_tee_sim;

/* Bind socket_path (a stale socket there is replaced; anything else is refused) and serve from a
 * background thread until tb_tee_sim_stop(); socket_path NULL serves no socket (only what
 * tb_tee_sim_listen_tcp adds). sim_dir is created if missing. */
int tb_tee_sim_start(const char *socket_path, const char *sim_dir, struct tb_tee_sim **out, tb_error **err);
/* Also serve the collateral routes (only those) on the loopback address HOST:PORT (PORT 0: any
 * free port); *url gets "http://HOST:PORT", the base URL for --pccs. Non-loopback addresses are
 * refused. */
int tb_tee_sim_listen_tcp(struct tb_tee_sim *sim, const char *host_port, char **url, tb_error **err);
/* The simulated KMS root's public key (compressed secp256k1), which signs every simulated GetKey
 * chain: the only root verify --allow-simulated anchors a simulated chain to. */
int tb_tee_sim_kms_root(const char *sim_dir, unsigned char pub[33], tb_error **err);
/* Stop serving, close and remove the socket. */
void tb_tee_sim_stop(struct tb_tee_sim *sim);

#endif
