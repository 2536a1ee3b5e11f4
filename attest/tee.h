/* TEE providers behind one interface: each turns 64 bytes of report_data into evidence (a quote
 * and an event log). `auto` tries dstack, tappd, tsm, then simulated, and says which it used. */
#ifndef TB_ATTEST_TEE_H
#define TB_ATTEST_TEE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "attest/binding.h"
#include "common/error.h"

struct tb_tee_config {
  const char *sim_dir; /* simulation root for `simulated` (STORE/tee-sim) */
};

struct tb_tee_evidence {
  unsigned char *quote; /* NULL for provider none */
  size_t quote_len;
  json_t *event_log; /* array (possibly empty) */
};
void tb_tee_evidence_clear(struct tb_tee_evidence *ev);

struct tb_tee;

/* Open a provider by name (auto|dstack|tappd|tsm|simulated|none). Failures are one line with
 * TB_EXIT_ATTEST naming the provider. */
int tb_tee_open(const char *kind, const struct tb_tee_config *cfg, struct tb_tee **out, tb_error **err);
/* The provider actually in use: "dstack", "tappd", "tsm", "simulated" or "none". */
const char *tb_tee_provider(const struct tb_tee *tee);
int tb_tee_quote(struct tb_tee *tee, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
                 tb_error **err);
/* The dstack app this job ran as (the agent's Info): a ResourceDescriptor for the provenance's
 * builderDependencies naming app_id, compose_hash, os_image_hash and instance_id. *descriptor is
 * NULL for providers without an agent (tsm, none). */
int tb_tee_app(struct tb_tee *tee, json_t **descriptor, tb_error **err);
/* --key dstack: the signing key derived through the agent's GetKey, and its signature chain for the
 * bundle (attest/key_chain.h). The dstack, simulated and tappd providers have one. */
int tb_tee_derive_key(struct tb_tee *tee, EVP_PKEY **key, json_t **chain, tb_error **err);
void tb_tee_close(struct tb_tee *tee);
static inline void tb_tee_closep(struct tb_tee **t) {
  if (*t)
    tb_tee_close(*t);
}
#define cleanup_tee __attribute__((cleanup(tb_tee_closep)))

/* ---- for the providers (tee_*.c) ---- */

struct tb_tee_ops {
  const char *name;
  /* Is this provider reachable here? Used by `auto`; false without an error means "absent". */
  bool (*available)(const struct tb_tee_config *cfg);
  int (*open)(const struct tb_tee_config *cfg, void **state, tb_error **err);
  int (*quote)(void *state, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
               tb_error **err);
  void (*close)(void *state);
  /* The agent's Info reply (dstack's AppInfo: app_id, instance_id, compose_hash, os_image_hash as
   * hex, app_name), or NULL for providers without an agent. */
  int (*info)(void *state, json_t **reply, tb_error **err);
  /* A key derived at path for purpose, as dstack's GetKey reply {"key": hex secp256k1 secret,
   * "signature_chain": [hex app-key signature, hex KMS signature]}, or NULL. */
  int (*get_key)(void *state, const char *path, const char *purpose, json_t **reply, tb_error **err);
};

extern const struct tb_tee_ops tb_tee_dstack_ops;
extern const struct tb_tee_ops tb_tee_tappd_ops;
extern const struct tb_tee_ops tb_tee_tsm_ops;
extern const struct tb_tee_ops tb_tee_simulated_ops;
extern const struct tb_tee_ops tb_tee_none_ops;

#endif
