#include "attest/tee_dstack.h"

#include <string.h>
#include <sys/stat.h>

#include "attest/agent_http.h"
#include "attest/key_chain.h"
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

/* Info's identity fields are lowercase hex of fixed sizes; anything else is a broken agent. */
static int info_hex(const json_t *info, const char *key, size_t len, const char **out, tb_error **err) {
  const char *hex = json_string_value(json_object_get(info, key));
  unsigned char buf[32];
  if (hex == NULL || strlen(hex) != 2 * len || len > sizeof(buf) || tb_hex_decode(hex, buf, len) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent /Info: \"%s\" is not %zu bytes of hex", key, len);
  *out = hex;
  return 0;
}

static int get_info(const char *endpoint, json_t **info, tb_error **err) {
  cleanup_json json_t *req = json_object();
  return tb_agent_call(endpoint, "/Info", req, info, err);
}

int tb_dstack_app(const char *endpoint, json_t **descriptor, tb_error **err) {
  cleanup_json json_t *info = NULL;
  const char *app_id = NULL, *instance_id = NULL, *compose_hash = NULL, *os_image_hash = NULL;
  int ret = get_info(endpoint, &info, err);
  if (ret < 0 || (ret = info_hex(info, "app_id", TB_APP_ID_LEN, &app_id, err)) < 0 ||
      (ret = info_hex(info, "instance_id", TB_APP_ID_LEN, &instance_id, err)) < 0 ||
      (ret = info_hex(info, "compose_hash", TB_SHA256_LEN, &compose_hash, err)) < 0 ||
      (ret = info_hex(info, "os_image_hash", TB_SHA256_LEN, &os_image_hash, err)) < 0)
    return ret;
  const char *name = json_string_value(json_object_get(info, "app_name"));
  *descriptor = json_pack("{s:s, s:{s:s}, s:{s:s, s:s, s:s, s:s, s:s}}", "name", "dstack-app", "digest", "sha256",
                          compose_hash, "annotations", "appId", app_id, "composeHash", compose_hash, "osImageHash",
                          os_image_hash, "instanceId", instance_id, "appName", name ? name : "");
  return 0;
}

int tb_dstack_derive_key(const char *endpoint, EVP_PKEY **key, json_t **chain, tb_error **err) {
  cleanup_json json_t *info = NULL, *reply = NULL;
  cleanup_json json_t *req = json_pack("{s:s, s:s, s:s}", "path", TB_KEY_CHAIN_PATH, "purpose", TB_KEY_CHAIN_PURPOSE,
                                       "algorithm", "secp256k1");
  const char *app_id = NULL;
  int ret = get_info(endpoint, &info, err);
  if (ret < 0 || (ret = info_hex(info, "app_id", TB_APP_ID_LEN, &app_id, err)) < 0 ||
      (ret = tb_agent_call(endpoint, "/GetKey", req, &reply, err)) < 0)
    return ret;
  return tb_key_chain_from_getkey(reply, app_id, key, chain, err);
}

static const char *dstack_agent(void *state) { return state; }

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
    .agent = dstack_agent};
