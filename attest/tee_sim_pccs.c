#include "attest/tee_sim_pccs.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "attest/mhd_lib.h"
#include "attest/sim_pki.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/curl_lib.h"
#include "common/hash.h"
#include "common/xalloc.h"

#define SGX_V4 "/sgx/certification/v4/"
#define TDX_V4 "/tdx/certification/v4/"

bool tee_sim_pccs_route(const char *url) {
  return strncmp(url, SGX_V4, strlen(SGX_V4)) == 0 || strncmp(url, TDX_V4, strlen(TDX_V4)) == 0;
}

static struct tee_sim_http http_error(unsigned status, const char *msg) {
  json_t *j = json_pack("{s:s}", "error", msg);
  char *body = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return (struct tee_sim_http){status, "application/json", body, strlen(body), NULL, NULL};
}

/* A PCCS sends issuer chains URL-encoded (PEM has newlines and spaces a header cannot carry). */
static char *url_encoded(const char *s) {
  char *raw = tb_curl.easy_escape(NULL, s, 0);
  if (raw == NULL)
    abort(); /* out of memory, as xmalloc would */
  char *copy = xstrdup(raw);
  tb_curl.free(raw);
  return copy;
}

static const char *string_of(const json_t *coll, const char *key) {
  return json_string_value(json_object_get(coll, key));
}

/* A CRL as its DER bytes: our collateral keeps it as hex, a PCCS answers encoding=der with DER. */
static struct tee_sim_http crl(const json_t *coll, const char *key, const char *chain_header, const char *chain) {
  const char *hex = string_of(coll, key);
  size_t len = strlen(hex) / 2;
  unsigned char *der = xmalloc(len + 1);
  if (tb_hex_decode(hex, der, len) < 0) {
    free(der);
    return http_error(500, "the simulated collateral's CRL is not hex");
  }
  return (struct tee_sim_http){200, "application/pkix-crl", (char *)der, len, chain_header,
                               chain_header ? url_encoded(chain) : NULL};
}

/* {"<key>": <the signed text, byte for byte>, "signature": hex}: the signature is over those exact
 * bytes, so they are placed as they are rather than parsed and serialized again. */
static struct tee_sim_http signed_doc(const json_t *coll, const char *name, const char *key, const char *chain_header) {
  cleanup_free char *sig_name = xasprintf("%s_signature", name), *chain_name = xasprintf("%s_issuer_chain", name);
  char *body = xasprintf("{\"%s\":%s,\"signature\":\"%s\"}", key, string_of(coll, name), string_of(coll, sig_name));
  return (struct tee_sim_http){200, "application/json", body, strlen(body), chain_header,
                               url_encoded(string_of(coll, chain_name))};
}

static const char *arg(struct MHD_Connection *conn, const char *name) {
  const char *v = tb_mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
  return v ? v : "";
}

/* The simulated platform has one PCK CA (the platform CA) and one FMSPC; like a PCCS, anything
 * else is not found. */
static struct tee_sim_http route(const json_t *coll, struct MHD_Connection *conn, const char *url) {
  if (strcmp(url, SGX_V4 "pckcrl") == 0) {
    if (strcmp(arg(conn, "ca"), "platform") != 0)
      return http_error(404, "the simulated platform's PCK CA is ca=platform");
    if (strcmp(arg(conn, "encoding"), "der") != 0)
      return http_error(400, "the simulator serves the PCK CRL with encoding=der only");
    return crl(coll, "pck_crl", "SGX-PCK-CRL-Issuer-Chain", string_of(coll, "pck_crl_issuer_chain"));
  }
  if (strcmp(url, SGX_V4 "rootcacrl") == 0)
    return crl(coll, "root_ca_crl", NULL, NULL);
  if (strcmp(url, TDX_V4 "tcb") == 0) {
    char fmspc[2 * sizeof(sim_fmspc) + 1];
    tb_hex_encode(sim_fmspc, sizeof(sim_fmspc), fmspc);
    if (strcasecmp(arg(conn, "fmspc"), fmspc) != 0)
      return http_error(404, "no TCB info for this FMSPC (the simulated platform's is its only one)");
    return signed_doc(coll, "tcb_info", "tcbInfo", "TCB-Info-Issuer-Chain");
  }
  if (strcmp(url, TDX_V4 "qe/identity") == 0)
    return signed_doc(coll, "qe_identity", "enclaveIdentity", "SGX-Enclave-Identity-Issuer-Chain");
  return http_error(404, "unknown PCCS route (the simulator serves pckcrl, rootcacrl, tcb, qe/identity)");
}

struct tee_sim_http tee_sim_pccs_get(const char *sim_dir, struct MHD_Connection *conn, const char *url) {
  cleanup_error tb_error *err = NULL;
  cleanup_free char *text = NULL;
  /* libcurl URL-encodes the issuer chains */
  if (tb_curl_load(&err) < 0 || sim_collateral_json(sim_dir, (int64_t)time(NULL), &text, &err) < 0)
    return http_error(500, err->msg);
  cleanup_json json_t *coll = json_loads(text, 0, NULL);
  if (coll == NULL)
    return http_error(500, "the simulated collateral does not parse");
  return route(coll, conn, url);
}
