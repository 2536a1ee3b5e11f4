#include "attest/tee_dstack.h"

#include <string.h>
#include <sys/stat.h>

#include "attest/agent_http.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/xalloc.h"

/* Where Phala's SDKs look for the agent, in their order. */
static const char *const DSTACK_SOCKETS[] = {"/var/run/dstack.sock", "/run/dstack.sock",
                                             "/var/run/dstack/dstack.sock", "/run/dstack/dstack.sock", NULL};

int tb_dstack_get_quote(const char *endpoint, const unsigned char report_data[TB_REPORT_DATA_LEN],
                        struct tb_tee_evidence *out, tb_error **err) {
  char hex[2 * TB_REPORT_DATA_LEN + 1];
  tb_hex_encode(report_data, TB_REPORT_DATA_LEN, hex);
  cleanup_json json_t *req = json_pack("{s:s}", "report_data", hex);
  cleanup_json json_t *reply = NULL;
  int ret = tb_agent_call(endpoint, "/GetQuote", req, &reply, err);
  if (ret < 0)
    return ret;
  const char *echoed = json_string_value(json_object_get(reply, "report_data"));
  if (echoed && strcmp(echoed, hex) != 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent at %s quoted report_data %s, not the one asked for", endpoint,
                        echoed);
  struct tb_tee_evidence ev = {0};
  if ((ret = tb_agent_hex_field(reply, "quote", &ev.quote, &ev.quote_len, err)) < 0 ||
      (ret = tb_agent_event_log(reply, &ev.event_log, err)) < 0) {
    tb_tee_evidence_clear(&ev);
    return ret;
  }
  *out = ev;
  return 0;
}

int tb_dstack_info(const char *endpoint, json_t **reply, tb_error **err) {
  cleanup_json json_t *req = json_object();
  return tb_agent_call(endpoint, "/Info", req, reply, err);
}

int tb_dstack_get_key(const char *endpoint, const char *path, const char *purpose, json_t **reply, tb_error **err) {
  cleanup_json json_t *req = json_pack("{s:s, s:s, s:s}", "path", path, "purpose", purpose, "algorithm", "secp256k1");
  return tb_agent_call(endpoint, "/GetKey", req, reply, err);
}

static int dstack_info(void *state, json_t **reply, tb_error **err) { return tb_dstack_info(state, reply, err); }

static int dstack_get_key(void *state, const char *path, const char *purpose, json_t **reply, tb_error **err) {
  return tb_dstack_get_key(state, path, purpose, reply, err);
}

static bool dstack_available(const struct tb_tee_config *cfg) {
  (void)cfg;
  return tb_agent_endpoint("DSTACK_SIMULATOR_ENDPOINT", DSTACK_SOCKETS) != NULL;
}

static int dstack_open(const struct tb_tee_config *cfg, void **state, tb_error **err) {
  (void)cfg;
  const char *endpoint = tb_agent_endpoint("DSTACK_SIMULATOR_ENDPOINT", DSTACK_SOCKETS);
  if (endpoint == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0,
                        "no dstack agent: none of /var/run/dstack.sock, /run/dstack.sock, "
                        "/var/run/dstack/dstack.sock, /run/dstack/dstack.sock is a socket and "
                        "DSTACK_SIMULATOR_ENDPOINT is not set");
  struct stat st;
  if (!tb_agent_endpoint_is_url(endpoint) && (stat(endpoint, &st) < 0 || !S_ISSOCK(st.st_mode)))
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "DSTACK_SIMULATOR_ENDPOINT %s is neither a socket nor an http URL",
                        endpoint);
  if (getenv("DSTACK_SIMULATOR_ENDPOINT"))
    tb_debug("tee dstack: using DSTACK_SIMULATOR_ENDPOINT=%s", endpoint);
  *state = xstrdup(endpoint);
  return 0;
}

static int dstack_quote(void *state, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
                        tb_error **err) {
  return tb_dstack_get_quote(state, report_data, out, err);
}

const struct tb_tee_ops tb_tee_dstack_ops = {
    .name = "dstack", .available = dstack_available, .open = dstack_open, .quote = dstack_quote, .close = free,
    .info = dstack_info, .get_key = dstack_get_key};
