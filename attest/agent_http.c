#include "attest/agent_http.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/curl_lib.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

/* An agent reply is a quote plus an event log: far below this. */
#define MAX_REPLY (16u << 20)

bool tb_agent_endpoint_is_url(const char *endpoint) {
  return strncmp(endpoint, "http://", 7) == 0 || strncmp(endpoint, "https://", 8) == 0;
}

const char *tb_agent_endpoint(const char *env_var, const char *const *default_sockets) {
  const char *env = getenv(env_var);
  if (env && *env)
    return env;
  struct stat st;
  for (const char *const *p = default_sockets; *p; p++)
    if (stat(*p, &st) == 0 && S_ISSOCK(st.st_mode))
      return *p;
  return NULL;
}

struct reply {
  char *data;
  size_t len;
  bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata) {
  struct reply *r = userdata;
  size_t n = size * nmemb;
  if (r->len + n > MAX_REPLY) {
    r->too_big = true;
    return 0;
  }
  r->data = xrealloc(r->data, r->len + n + 1);
  memcpy(r->data + r->len, ptr, n);
  r->len += n;
  r->data[r->len] = '\0';
  return n;
}

static void cleanup_curlp(CURL **c) { tb_curl.easy_cleanup(*c); }
static void cleanup_slistp(struct curl_slist **l) { tb_curl.slist_free_all(*l); }

/* The agent's own words for a failed call: {"error": "..."} when it sent one, else the body. */
static const char *agent_error_text(const struct reply *r, json_t **parsed) {
  *parsed = r->data ? json_loadb(r->data, r->len, 0, NULL) : NULL;
  const char *msg = json_string_value(json_object_get(*parsed, "error"));
  return msg ? msg : (r->data ? r->data : "(empty reply)");
}

/* libcurl says only "Couldn't connect"; the socket itself says why. */
static int socket_unreachable(const char *endpoint, tb_error **err) {
  struct stat st;
  if (stat(endpoint, &st) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "agent not running: no socket at %s", endpoint);
  if (access(endpoint, R_OK | W_OK) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno,
                        "agent at %s: no permission to use its socket (mount it for this user, or run as one in "
                        "the socket's group)",
                        endpoint);
  return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent not running: nothing listens on %s", endpoint);
}

int tb_agent_call(const char *endpoint, const char *path, const json_t *request, json_t **response, tb_error **err) {
  int ret = tb_curl_load(err);
  if (ret < 0)
    return ret;
  cleanup_free char *body = json_dumps(request, JSON_COMPACT);
  cleanup_free char *url = NULL;
  __attribute__((cleanup(cleanup_curlp))) CURL *curl = tb_curl.easy_init();
  __attribute__((cleanup(cleanup_slistp))) struct curl_slist *headers =
      tb_curl.slist_append(NULL, "Content-Type: application/json");
  if (curl == NULL || body == NULL || headers == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot set up an HTTP client");
  if (tb_agent_endpoint_is_url(endpoint)) {
    size_t n = strlen(endpoint);
    url = xasprintf("%.*s%s", (int)(n && endpoint[n - 1] == '/' ? n - 1 : n), endpoint, path);
  } else {
    url = xasprintf("http://localhost%s", path);
    tb_curl.easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, endpoint);
  }
  struct reply r = {0};
  tb_curl.easy_setopt(curl, CURLOPT_URL, url);
  tb_curl.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  tb_curl.easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  tb_curl.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  tb_curl.easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  tb_curl.easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  tb_curl.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = tb_curl.easy_perform(curl);
  cleanup_free char *data = r.data;
  if (rc == CURLE_COULDNT_CONNECT && !tb_agent_endpoint_is_url(endpoint))
    return socket_unreachable(endpoint, err);
  if (rc != CURLE_OK)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent at %s: %s: %s", endpoint, path,
                        r.too_big ? "reply too large" : tb_curl.easy_strerror(rc));
  long status = 0;
  tb_curl.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    cleanup_json json_t *parsed = NULL;
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent at %s: %s: HTTP %ld: %s", endpoint, path, status,
                        agent_error_text(&r, &parsed));
  }
  if (tb_json_load_buf(path, data ? data : "", r.len, response, err) < 0) {
    tb_error_discard(err);
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent at %s: %s: reply is not JSON", endpoint, path);
  }
  return 0;
}

int tb_agent_hex_field(const json_t *reply, const char *key, unsigned char **out, size_t *len, tb_error **err) {
  const char *hex = json_string_value(json_object_get(reply, key));
  if (hex == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent reply has no \"%s\"", key);
  size_t n = strlen(hex);
  cleanup_free unsigned char *buf = xmalloc(n / 2 + 1);
  if (n % 2 != 0 || tb_hex_decode(hex, buf, n / 2) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent reply \"%s\" is not hex", key);
  *out = steal_pointer(&buf);
  *len = n / 2;
  return 0;
}

int tb_agent_event_log(const json_t *reply, json_t **out, tb_error **err) {
  const char *text = json_string_value(json_object_get(reply, "event_log"));
  if (text == NULL || *text == '\0') {
    *out = json_array();
    return 0;
  }
  json_t *log = NULL;
  if (tb_json_load_buf("event_log", text, strlen(text), &log, err) < 0 || !json_is_array(log)) {
    json_decref(log);
    tb_error_discard(err);
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "agent reply \"event_log\" is not a JSON array");
  }
  *out = log;
  return 0;
}
