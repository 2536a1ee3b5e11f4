#include "attest/tee.h"

#include <string.h>

#include "attest/agent_info.h"
#include "attest/key_chain.h"
#include "attest/quote_tdx.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

struct tb_tee {
  const struct tb_tee_ops *ops;
  void *state;
  bool fell_back; /* auto found no TEE and took the simulator */
};

/* `auto` order (design.md): real TEEs first, the simulator last. */
static const struct tb_tee_ops *const PROVIDERS[] = {
    &tb_tee_dstack_ops, &tb_tee_tappd_ops, &tb_tee_tsm_ops, &tb_tee_simulated_ops, &tb_tee_none_ops,
};

void tb_tee_evidence_clear(struct tb_tee_evidence *ev) {
  free(ev->quote);
  json_decref(ev->event_log);
  memset(ev, 0, sizeof(*ev));
}

static const struct tb_tee_ops *pick_auto(const struct tb_tee_config *cfg) {
  for (size_t i = 0; PROVIDERS[i] != &tb_tee_simulated_ops; i++)
    if (PROVIDERS[i]->available(cfg))
      return PROVIDERS[i];
  return &tb_tee_simulated_ops;
}

static const struct tb_tee_ops *by_name(const char *kind) {
  for (size_t i = 0; i < sizeof(PROVIDERS) / sizeof(PROVIDERS[0]); i++)
    if (strcmp(PROVIDERS[i]->name, kind) == 0)
      return PROVIDERS[i];
  return NULL;
}

int tb_tee_open(const char *kind, const struct tb_tee_config *cfg, struct tb_tee **out, tb_error **err) {
  const struct tb_tee_ops *ops = NULL;
  if (strcmp(kind, "auto") == 0) {
    ops = pick_auto(cfg);
    if (ops != &tb_tee_simulated_ops)
      tb_info("tee: auto picked %s", ops->name);
  } else if ((ops = by_name(kind)) == NULL) {
    return tb_error_set(err, TB_EXIT_USAGE, 0, "--tee: unknown kind '%s'", kind);
  }
  void *state = NULL;
  int ret = ops->open(cfg, &state, err);
  if (ret < 0)
    return tb_error_wrap(err, "tee %s", ops->name);
  struct tb_tee *tee = xmalloc(sizeof(*tee));
  tee->ops = ops;
  tee->state = state;
  tee->fell_back = ops == &tb_tee_simulated_ops && strcmp(kind, "auto") == 0;
  *out = tee;
  return 0;
}

const char *tb_tee_provider(const struct tb_tee *tee) { return tee->ops->name; }

int tb_tee_quote(struct tb_tee *tee, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
                 tb_error **err) {
  memset(out, 0, sizeof(*out));
  /* Said of the evidence, once the command's outcome is out (a failed job may be attested too,
   * and its error must stay the first line). */
  if (tee->fell_back)
    tb_warn_later("tee: no TEE found (dstack, tappd, configfs-tsm); using the SIMULATED TEE: this evidence "
                  "proves nothing about the machine and fails verification without --allow-simulated");
  int ret = tee->ops->quote(tee->state, report_data, out, err);
  if (ret < 0)
    return tb_error_wrap(err, "tee %s", tee->ops->name);
  /* A truncated reply must fail here, with the provider named, not later as a verification failure. */
  if (out->quote != NULL && out->quote_len < TDX_HEADER_LEN + TDX_TD10_BODY_LEN) {
    size_t n = out->quote_len;
    tb_tee_evidence_clear(out);
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "tee %s: the quote is %zu bytes, too short for a TDX quote (at least %d)",
                        tee->ops->name, n, TDX_HEADER_LEN + TDX_TD10_BODY_LEN);
  }
  if (out->event_log == NULL)
    out->event_log = json_array();
  return 0;
}

int tb_tee_app(struct tb_tee *tee, json_t **descriptor, tb_error **err) {
  *descriptor = NULL;
  cleanup_json json_t *info = NULL;
  if (tee->ops->info == NULL)
    return 0;
  if (tee->ops->info(tee->state, &info, err) < 0 || tb_agent_app_descriptor(info, descriptor, err) < 0)
    return tb_error_wrap(err, "tee %s", tee->ops->name);
  return 0;
}

int tb_tee_derive_key(struct tb_tee *tee, EVP_PKEY **key, json_t **chain, tb_error **err) {
  if (tee->ops->get_key == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0,
                        "--key dstack: the %s provider has no agent to derive a key (use --tee dstack, or --tee "
                        "simulated to test)",
                        tee->ops->name);
  cleanup_json json_t *info = NULL, *reply = NULL;
  const char *app_id = NULL;
  if (tee->ops->info(tee->state, &info, err) < 0 || tb_agent_app_id(info, &app_id, err) < 0 ||
      tee->ops->get_key(tee->state, TB_KEY_CHAIN_PATH, TB_KEY_CHAIN_PURPOSE, &reply, err) < 0 ||
      tb_key_chain_from_getkey(reply, app_id, key, chain, err) < 0)
    return tb_error_wrap(err, "tee %s", tee->ops->name);
  return 0;
}

void tb_tee_close(struct tb_tee *tee) {
  if (tee->ops->close)
    tee->ops->close(tee->state);
  free(tee);
}
