/* The dstack guest-agent client, shared by the dstack provider and the simulated one (which
 * talks to a private tee-sim with exactly the same code). */
#ifndef TB_ATTEST_TEE_DSTACK_H
#define TB_ATTEST_TEE_DSTACK_H

#include "attest/tee.h"

/* POST /GetQuote {"report_data": hex}; checks the agent echoed our report_data. */
int tb_dstack_get_quote(const char *endpoint, const unsigned char report_data[TB_REPORT_DATA_LEN],
                        struct tb_tee_evidence *out, tb_error **err);

/* POST /Info {}: the agent's AppInfo (attest/agent_info.h reads it). */
int tb_dstack_info(const char *endpoint, json_t **reply, tb_error **err);
/* POST /GetKey {path, purpose, "algorithm": "secp256k1"}: {"key", "signature_chain"}. */
int tb_dstack_get_key(const char *endpoint, const char *path, const char *purpose, json_t **reply, tb_error **err);

#endif
