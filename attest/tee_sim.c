#include "attest/tee_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "attest/binding.h"
#include "attest/k256.h"
#include "attest/key_chain.h"
#include "attest/mhd_lib.h"
#include "attest/sim_quote.h"
#include "attest/tee_sim_listen.h"
#include "attest/tee_sim_pccs.h"
#include "attest/tee_sim_td.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

/* Requests are a few hundred bytes of JSON; anything larger is refused. */
#define MAX_REQUEST (64u << 10)
#define GETKEY_SEED_LEN 32
/* Bounds the memory a long-running simulator gives to apps' events (and the log every quote carries). */
#define MAX_EVENTS 4096

/* One listening socket: the Unix socket serves the agent protocol and the collateral, the loopback
 * port only the collateral (it is public; quotes and keys are for whoever may use the socket). */
struct listener {
  struct tb_tee_sim *sim;
  struct MHD_Daemon *daemon;
  bool agent;
};

struct tb_tee_sim {
  struct listener unix_socket, tcp;
  char *socket_path; /* NULL when serving no Unix socket */
  char *sim_dir;
  /* The boot log, then every EmitEvent in order: RTMR3 is its replay. Only the agent's listener
   * touches it, and libmicrohttpd's internal polling thread answers one request at a time. */
  json_t *event_log;
};

/* One HTTP exchange in progress: the body as it arrives. */
struct exchange {
  char *body;
  size_t len;
  bool too_big;
};

/* A reply: HTTP status and JSON body. */
struct reply {
  unsigned status;
  json_t *body;
};

static struct reply fail(unsigned status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static struct reply fail(unsigned status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cleanup_free char *msg = xvasprintf(fmt, ap);
  va_end(ap);
  return (struct reply){status, json_pack("{s:s}", "error", msg)};
}

static char *hex_of(const unsigned char *data, size_t len) {
  char *hex = xmalloc(2 * len + 1);
  tb_hex_encode(data, len, hex);
  return hex;
}

static char *json_text(json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return s;
}

/* dstack pads report_data with zeros on the right to 64 bytes. */
static struct reply get_quote(const struct tb_tee_sim *sim, const json_t *req) {
  const char *hex = json_string_value(json_object_get(req, "report_data"));
  if (hex == NULL)
    return fail(400, "missing \"report_data\"");
  unsigned char report_data[TB_REPORT_DATA_LEN];
  if (tb_report_data_from_hex(hex, report_data) < 0)
    return fail(400, "\"report_data\" must be hex of at most 64 bytes");
  struct sim_td_measurements m;
  tb_tee_sim_measurements(sim->event_log, &m);
  cleanup_free unsigned char *quote = NULL;
  size_t quote_len = 0;
  cleanup_error tb_error *err = NULL;
  if (sim_quote_make_td(sim->sim_dir, report_data, &m, &quote, &quote_len, &err) < 0)
    return fail(500, "%s", err->msg);
  cleanup_free char *quote_hex = hex_of(quote, quote_len);
  cleanup_free char *rd_hex = hex_of(report_data, sizeof(report_data));
  cleanup_free char *event_log = json_dumps(sim->event_log, JSON_COMPACT);
  cleanup_free char *vm_config = json_text(json_pack("{s:s}", "tee", "simulated"));
  return (struct reply){200, json_pack("{s:s, s:s, s:s, s:s}", "quote", quote_hex, "event_log", event_log,
                                       "report_data", rd_hex, "vm_config", vm_config)};
}

static struct reply info(const struct tb_tee_sim *sim) {
  struct sim_td_measurements m;
  struct tb_tee_sim_app app;
  tb_tee_sim_measurements(sim->event_log, &m);
  tb_tee_sim_app(&app);
  cleanup_free char *mrtd = hex_of(m.mr_td, 48);
  cleanup_free char *r0 = hex_of(m.rtmr[0], 48), *r1 = hex_of(m.rtmr[1], 48);
  cleanup_free char *r2 = hex_of(m.rtmr[2], 48), *r3 = hex_of(m.rtmr[3], 48);
  cleanup_free char *app_id = hex_of(app.app_id, sizeof(app.app_id));
  cleanup_free char *instance_id = hex_of(app.instance_id, sizeof(app.instance_id));
  cleanup_free char *compose_hash = hex_of(app.compose_hash, sizeof(app.compose_hash));
  cleanup_free char *os_image_hash = hex_of(app.os_image_hash, sizeof(app.os_image_hash));
  cleanup_free char *tcb_info = json_text(json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "mrtd", mrtd, "rtmr0", r0, "rtmr1", r1, "rtmr2", r2, "rtmr3", r3,
      "compose_hash", compose_hash, "os_image_hash", os_image_hash, "event_log", json_copy(sim->event_log)));
  cleanup_free char *vm_config = json_text(json_pack("{s:s}", "tee", "simulated"));
  static const char ZERO20[] = "0000000000000000000000000000000000000000";
  return (struct reply){
      200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "app_id", app_id, "instance_id",
                     instance_id, "app_cert", "", "tcb_info", tcb_info, "app_name", "teebuild-tee-sim", "device_id",
                     ZERO20, "key_provider_info", "{\"name\":\"simulated\"}", "compose_hash", compose_hash,
                     "os_image_hash", os_image_hash, "vm_config", vm_config, "tee", "simulated")};
}

/* The secret every simulated key derives from: made once per sim_dir, like the simulation PKI and
 * under the same lock, so that two first users cannot each make (and sign with) their own. */
static int getkey_seed(const char *sim_dir, unsigned char seed[GETKEY_SEED_LEN], tb_error **err) {
  cleanup_free char *lock_path = xasprintf("%s/.lock", sim_dir);
  cleanup_close int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "lock %s", lock_path);
  cleanup_free char *path = xasprintf("%s/getkey.seed", sim_dir);
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (tb_read_file(path, GETKEY_SEED_LEN, &data, &len, err) == 0 && len == GETKEY_SEED_LEN) {
    memcpy(seed, data, GETKEY_SEED_LEN);
    return 0;
  }
  tb_error_discard(err);
  if (RAND_bytes(seed, GETKEY_SEED_LEN) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "no randomness");
  return tb_write_file_atomic(path, seed, GETKEY_SEED_LEN, 0600, err);
}

/* A secp256k1 secret derived from parent under label (HMAC-SHA256), with its public key. */
static int sim_secret(const unsigned char parent[32], const char *label, unsigned char secret[TB_K256_SECRET_LEN],
                      unsigned char pub[TB_K256_PUBKEY_LEN], tb_error **err) {
  size_t n = 0;
  if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, parent, 32, (const unsigned char *)label, strlen(label), secret,
                TB_K256_SECRET_LEN, &n) == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "key derivation failed");
  return tb_k256_public(secret, pub, err);
}

/* The simulated KMS: a root key and the app key it issues, as dstack's KMS would hand them to the
 * CVM at boot (the app key with the root's signature over it). */
struct sim_kms {
  unsigned char root[TB_K256_SECRET_LEN], root_pub[TB_K256_PUBKEY_LEN];
  unsigned char app[TB_K256_SECRET_LEN], app_pub[TB_K256_PUBKEY_LEN];
};

static int sim_kms(const char *sim_dir, struct sim_kms *k, tb_error **err) {
  unsigned char seed[GETKEY_SEED_LEN];
  int ret = getkey_seed(sim_dir, seed, err);
  if (ret < 0 || (ret = sim_secret(seed, "kms-root", k->root, k->root_pub, err)) < 0)
    return ret;
  return sim_secret(seed, "app-key", k->app, k->app_pub, err);
}

int tb_tee_sim_kms_root(const char *sim_dir, unsigned char pub[TB_K256_PUBKEY_LEN], tb_error **err) {
  struct sim_kms k;
  int ret = sim_kms(sim_dir, &k, err);
  if (ret == 0)
    memcpy(pub, k.root_pub, TB_K256_PUBKEY_LEN);
  OPENSSL_cleanse(&k, sizeof(k));
  return ret;
}

/* dstack's GetKey: the key at path, derived from the app key, and the chain [app key over
 * "purpose:derived pubkey", KMS root over the app key] (attest/key_chain.h). */
static int sign_getkey(const struct sim_kms *k, const char *path, const char *purpose, unsigned char derived[32],
                       unsigned char sigs[2][TB_K256_SIG_LEN], tb_error **err) {
  struct tb_tee_sim_app app;
  tb_tee_sim_app(&app);
  unsigned char derived_pub[TB_K256_PUBKEY_LEN], digest[TB_KECCAK256_LEN];
  int ret = sim_secret(k->app, path, derived, derived_pub, err);
  if (ret < 0 || (ret = tb_key_chain_app_digest(purpose, derived_pub, digest, err)) < 0 ||
      (ret = tb_k256_sign(k->app, digest, sigs[0], err)) < 0 ||
      (ret = tb_key_chain_kms_digest(app.app_id, k->app_pub, digest, err)) < 0)
    return ret;
  return tb_k256_sign(k->root, digest, sigs[1], err);
}

static struct reply get_key(const struct tb_tee_sim *sim, const json_t *req) {
  const char *path = json_string_value(json_object_get(req, "path"));
  const char *purpose = json_string_value(json_object_get(req, "purpose"));
  const char *algorithm = json_string_value(json_object_get(req, "algorithm"));
  if (algorithm && *algorithm && strcmp(algorithm, "secp256k1") != 0 && strcmp(algorithm, "k256") != 0)
    return fail(400, "unsupported algorithm \"%s\" (the simulator derives secp256k1 keys)", algorithm);
  struct sim_kms k;
  unsigned char key[32], sigs[2][TB_K256_SIG_LEN];
  cleanup_error tb_error *err = NULL;
  int ret = sim_kms(sim->sim_dir, &k, &err);
  if (ret == 0)
    ret = sign_getkey(&k, path ? path : "", purpose ? purpose : "", key, sigs, &err);
  OPENSSL_cleanse(&k, sizeof(k));
  if (ret < 0)
    return fail(500, "%s", err->msg);
  cleanup_free char *key_hex = hex_of(key, sizeof(key));
  OPENSSL_cleanse(key, sizeof(key));
  cleanup_free char *sig0 = hex_of(sigs[0], TB_K256_SIG_LEN), *sig1 = hex_of(sigs[1], TB_K256_SIG_LEN);
  return (struct reply){200, json_pack("{s:s, s:[s, s]}", "key", key_hex, "signature_chain", sig0, sig1)};
}

/* dstack's EmitEvent: RTMR3 extended with the event, which is logged, as the agent does for an app
 * (names are not restricted, as dstack does not: verifiers read identity before system-ready). */
static struct reply emit_event(struct tb_tee_sim *sim, const json_t *req) {
  const char *event = json_string_value(json_object_get(req, "event"));
  const json_t *payload_json = json_object_get(req, "payload");
  if (event == NULL || *event == '\0')
    return fail(400, "missing \"event\" (the event's name)");
  /* dstack's RPC layer reads an absent bytes field as empty */
  const char *hex = payload_json ? json_string_value(payload_json) : "";
  if (hex == NULL)
    return fail(400, "\"payload\" is not hex");
  size_t len = strlen(hex) / 2;
  cleanup_free unsigned char *payload = xmalloc(len + 1);
  if (strlen(hex) % 2 != 0 || tb_hex_decode(hex, payload, len) < 0)
    return fail(400, "\"payload\" is not hex");
  if (json_array_size(sim->event_log) >= MAX_EVENTS)
    return fail(507, "the simulated event log is full (%d events)", MAX_EVENTS);
  json_array_append_new(sim->event_log, tb_tee_sim_runtime_event(event, payload, len));
  return (struct reply){200, json_object()};
}

static struct reply dispatch(struct tb_tee_sim *sim, const char *url, const char *method, const struct exchange *ex) {
  if (strcmp(method, "POST") != 0)
    return fail(405, "use POST");
  if (ex->too_big)
    return fail(413, "request too large");
  cleanup_json json_t *req = NULL;
  if (ex->len == 0)
    req = json_object();
  else if ((req = json_loadb(ex->body, ex->len, JSON_REJECT_DUPLICATES, NULL)) == NULL || !json_is_object(req))
    return fail(400, "request body is not a JSON object");
  if (strcmp(url, "/GetQuote") == 0)
    return get_quote(sim, req);
  if (strcmp(url, "/Info") == 0)
    return info(sim);
  if (strcmp(url, "/GetKey") == 0)
    return get_key(sim, req);
  if (strcmp(url, "/EmitEvent") == 0)
    return emit_event(sim, req);
  return fail(404, "unknown method %s (the simulator serves /GetQuote, /Info, /GetKey, /EmitEvent)", url);
}

static struct tee_sim_http as_http(struct reply r) {
  char *text = json_text(r.body);
  return (struct tee_sim_http){r.status, "application/json", text, strlen(text), NULL, NULL};
}

static struct tee_sim_http answer(const struct listener *l, struct MHD_Connection *conn, const char *url,
                                  const char *method, const struct exchange *ex) {
  if (strcmp(method, "GET") == 0 && tee_sim_pccs_route(url))
    return tee_sim_pccs_get(l->sim->sim_dir, conn, url);
  if (!l->agent)
    return as_http(fail(404, "%s: this port serves collateral only (the PCCS API v4); the agent protocol is on "
                             "the simulator's Unix socket",
                        url));
  return as_http(dispatch(l->sim, url, method, ex));
}

static enum MHD_Result send_http(struct MHD_Connection *conn, struct tee_sim_http h) {
  struct MHD_Response *resp = tb_mhd.create_response_from_buffer(h.len, h.body, MHD_RESPMEM_MUST_FREE);
  tb_mhd.add_response_header(resp, "Content-Type", h.content_type);
  if (h.header)
    tb_mhd.add_response_header(resp, h.header, h.value);
  free(h.value);
  enum MHD_Result ret = tb_mhd.queue_response(conn, h.status, resp);
  tb_mhd.destroy_response(resp);
  return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)version;
  struct exchange *ex = *con_cls;
  if (ex == NULL) {
    *con_cls = xcalloc(1, sizeof(struct exchange));
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    if (ex->len + *upload_data_size > MAX_REQUEST) {
      ex->too_big = true;
    } else {
      ex->body = xrealloc(ex->body, ex->len + *upload_data_size);
      memcpy(ex->body + ex->len, upload_data, *upload_data_size);
      ex->len += *upload_data_size;
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  return send_http(conn, answer(cls, conn, url, method, ex));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)cls, (void)conn, (void)toe;
  struct exchange *ex = *con_cls;
  if (ex) {
    free(ex->body);
    free(ex);
  }
  *con_cls = NULL;
}

/* Serve fd (which the daemon then owns; it is closed on failure) from a background thread. */
static int serve(struct tb_tee_sim *sim, struct listener *l, bool agent, int fd, const char *where, tb_error **err) {
  l->sim = sim;
  l->agent = agent;
  if (tb_mhd_load(err) < 0) {
    close(fd);
    return tb_error_wrap(err, "cannot start the HTTP server on %s", where);
  }
  l->daemon = tb_mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, l,
                                  MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                                  MHD_OPTION_END);
  if (l->daemon == NULL) {
    close(fd);
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "cannot start the HTTP server on %s", where);
  }
  return 0;
}

int tb_tee_sim_start(const char *socket_path, const char *sim_dir, struct tb_tee_sim **out, tb_error **err) {
  if (tb_mkdir_p(sim_dir, 0700, err) < 0)
    return tb_error_wrap(err, "tee-sim");
  struct tb_tee_sim *sim = xcalloc(1, sizeof(*sim));
  sim->sim_dir = xstrdup(sim_dir);
  sim->event_log = tb_tee_sim_boot_log();
  int fd = -1;
  if (socket_path) {
    if (tee_sim_listen_unix(socket_path, &fd, err) == 0)
      sim->socket_path = xstrdup(socket_path); /* bound: ours to remove */
    if (fd < 0 || serve(sim, &sim->unix_socket, true, fd, socket_path, err) < 0) {
      tb_tee_sim_stop(sim);
      return tb_error_wrap(err, "tee-sim");
    }
  }
  *out = sim;
  return 0;
}

int tb_tee_sim_listen_tcp(struct tb_tee_sim *sim, const char *host_port, char **url, tb_error **err) {
  int fd = -1;
  if (sim->tcp.daemon)
    return tb_error_set(err, TB_EXIT_USAGE, 0, "tee-sim: already listening on a TCP port");
  if (tee_sim_listen_loopback(host_port, &fd, url, err) < 0 || serve(sim, &sim->tcp, false, fd, *url, err) < 0)
    return tb_error_wrap(err, "tee-sim");
  return 0;
}

void tb_tee_sim_stop(struct tb_tee_sim *sim) {
  if (sim == NULL)
    return;
  if (sim->tcp.daemon)
    tb_mhd.stop_daemon(sim->tcp.daemon);
  if (sim->unix_socket.daemon)
    tb_mhd.stop_daemon(sim->unix_socket.daemon);
  if (sim->socket_path)
    unlink(sim->socket_path);
  json_decref(sim->event_log);
  free(sim->socket_path);
  free(sim->sim_dir);
  free(sim);
}
