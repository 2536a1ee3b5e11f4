/* The dstack guest-agent client, shared by the dstack provider and the simulated one (which
 * talks to a private tee-sim with exactly the same code). */
#ifndef TB_ATTEST_TEE_DSTACK_H
#define TB_ATTEST_TEE_DSTACK_H

#include "attest/tee.h"

/* POST /GetQuote {"report_data": hex}; checks the agent echoed our report_data. */
int tb_dstack_get_quote(const char *endpoint, const unsigned char report_data[TB_REPORT_DATA_LEN],
                        struct tb_tee_evidence *out, tb_error **err);

/* POST /Info: the app's identity as a ResourceDescriptor {"name": "dstack-app", "digest":
 * {"sha256": compose_hash}, "annotations": {appId, composeHash, osImageHash, instanceId, appName}}. */
int tb_dstack_app(const char *endpoint, json_t **descriptor, tb_error **err);

/* POST /Info for the app id, then /GetKey {path, purpose, algorithm: secp256k1}: the P-256 signing
 * key and its chain (attest/key_chain.h). */
int tb_dstack_derive_key(const char *endpoint, EVP_PKEY **key, json_t **chain, tb_error **err);

#endif
