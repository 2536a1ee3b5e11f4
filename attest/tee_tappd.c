/* Provider "tappd": the older dstack agent. TdxQuote hashes "app-data:" + data unless told
 * hash_algorithm "raw", in which case report_data must be exactly 64 bytes: we always send both.
 * Its Info is dstack's AppInfo; DeriveK256Key is GetKey under its older field names. (Its DeriveKey
 * issues an RA-TLS certificate for a P-256 key: not used, see docs/dstack.md.) */
#include <stdlib.h>

#include "attest/agent_http.h"
#include "attest/tee.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

static const char *const TAPPD_SOCKETS[] = {"/var/run/tappd.sock", "/run/tappd.sock", "/var/run/dstack/tappd.sock",
                                            "/run/dstack/tappd.sock", NULL};

static bool tappd_available(const struct tb_tee_config *cfg) {
  (void)cfg;
  return tb_agent_endpoint("TAPPD_SIMULATOR_ENDPOINT", TAPPD_SOCKETS) != NULL;
}

static int tappd_open(const struct tb_tee_config *cfg, void **state, tb_error **err) {
  (void)cfg;
  const char *endpoint = tb_agent_endpoint("TAPPD_SIMULATOR_ENDPOINT", TAPPD_SOCKETS);
  if (endpoint == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0,
                        "no tappd agent: none of /var/run/tappd.sock, /run/tappd.sock, /var/run/dstack/tappd.sock, "
                        "/run/dstack/tappd.sock is a socket and TAPPD_SIMULATOR_ENDPOINT is not set");
  *state = xstrdup(endpoint);
  return 0;
}

static int tappd_quote(void *state, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
                       tb_error **err) {
  char hex[2 * TB_REPORT_DATA_LEN + 1];
  tb_hex_encode(report_data, TB_REPORT_DATA_LEN, hex);
  cleanup_json json_t *req = json_pack("{s:s, s:s}", "report_data", hex, "hash_algorithm", "raw");
  cleanup_json json_t *reply = NULL;
  int ret = tb_agent_call(state, "/prpc/Tappd.TdxQuote?json", req, &reply, err);
  if (ret < 0)
    return ret;
  if ((ret = tb_agent_hex_field(reply, "quote", &out->quote, &out->quote_len, err)) < 0 ||
      (ret = tb_agent_event_log(reply, &out->event_log, err)) < 0)
    tb_tee_evidence_clear(out);
  return ret;
}

static int tappd_info(void *state, json_t **reply, tb_error **err) {
  cleanup_json json_t *req = json_object();
  return tb_agent_call(state, "/prpc/Tappd.Info?json", req, reply, err);
}

/* DeriveK256Key answers {"k256_key", "k256_signature_chain"}: renamed to GetKey's fields. */
static int tappd_get_key(void *state, const char *path, const char *purpose, json_t **reply, tb_error **err) {
  cleanup_json json_t *req = json_pack("{s:s, s:s}", "path", path, "purpose", purpose);
  cleanup_json json_t *k256 = NULL;
  int ret = tb_agent_call(state, "/prpc/Tappd.DeriveK256Key?json", req, &k256, err);
  if (ret < 0)
    return ret;
  *reply = json_pack("{s:O*, s:O*}", "key", json_object_get(k256, "k256_key"), "signature_chain",
                     json_object_get(k256, "k256_signature_chain"));
  return 0;
}

const struct tb_tee_ops tb_tee_tappd_ops = {.name = "tappd",
                                            .available = tappd_available,
                                            .open = tappd_open,
                                            .quote = tappd_quote,
                                            .close = free,
                                            .info = tappd_info,
                                            .get_key = tappd_get_key};
