/* Collateral from a PCCS or Intel's PCS (the v4 API, libcurl), assembled as QuoteCollateralV3 with
 * the TCB info and QE identity kept as the exact bytes Intel signed, and cached per (URL, FMSPC,
 * CA) while still valid. */
#include <ctype.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "attest/dcap_crypto.h"
#include "attest/dcap_internal.h"
#include "common/cleanup.h"
#include "common/curl_lib.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define FETCH_ERR(err, ...) tb_error_set(err, TB_EXIT_VERIFY, 0, "collateral-fetch: " __VA_ARGS__)
#define INTEL_PCS "https://api.trustedservices.intel.com"
#define MAX_BODY (8u << 20)

struct http_body {
  char *data;
  size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *user) {
  struct http_body *b = user;
  size_t add = size * n;
  if (b->len + add > MAX_BODY)
    return 0;
  b->data = xrealloc(b->data, b->len + add + 1);
  memcpy(b->data + b->len, p, add);
  b->len += add;
  b->data[b->len] = '\0';
  return add;
}

static void curl_cleanup(CURL **c) { tb_curl.easy_cleanup(*c); }

/* GET url; *body gets the response, *header (if asked) the URL-decoded value of the first of the
 * header names present (Intel renamed some between API versions). */
static int http_get(const char *url, const char *const *header_names, char **header, struct http_body *body,
                    tb_error **err) {
  int ret = tb_curl_load(err);
  if (ret < 0)
    return ret;
  __attribute__((cleanup(curl_cleanup))) CURL *c = tb_curl.easy_init();
  if (c == NULL)
    return FETCH_ERR(err, "libcurl initialisation failed");
  memset(body, 0, sizeof(*body));
  tb_curl.easy_setopt(c, CURLOPT_URL, url);
  tb_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  tb_curl.easy_setopt(c, CURLOPT_WRITEDATA, body);
  tb_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  tb_curl.easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  tb_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  tb_curl.easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  CURLcode rc = tb_curl.easy_perform(c);
  if (rc != CURLE_OK) {
    free(body->data);
    body->data = NULL;
    return FETCH_ERR(err, "GET %s: %s", url, tb_curl.easy_strerror(rc));
  }
  if (body->data == NULL)
    body->data = xstrdup(""); /* an empty answer is text like any other */
  if (header == NULL)
    return 0;
  for (const char *const *name = header_names; *name; name++) {
    struct curl_header *h = NULL;
    if (tb_curl.easy_header(c, *name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
      continue;
    char *raw = tb_curl.easy_unescape(c, h->value, 0, NULL);
    *header = xstrdup(raw);
    tb_curl.free(raw);
    return 0;
  }
  free(body->data);
  body->data = NULL;
  return FETCH_ERR(err, "GET %s: no %s header", url, header_names[0]);
}

/* The exact text of the value of key in doc_text (which parses as doc). jansson finds where that
 * value ends (JSON_DISABLE_EOF_CHECK reports the bytes it read); the span is then checked to parse
 * to the same value as the key has in doc, so a look-alike elsewhere in the text cannot be taken. */
static char *value_text(const char *doc_text, const json_t *doc, const char *key) {
  if (doc_text == NULL)
    return NULL;
  cleanup_free char *quoted = xasprintf("\"%s\"", key);
  for (const char *p = strstr(doc_text, quoted); p; p = strstr(p + 1, quoted)) {
    const char *v = p + strlen(quoted);
    while (isspace((unsigned char)*v))
      v++;
    if (*v++ != ':')
      continue;
    while (isspace((unsigned char)*v))
      v++;
    json_error_t jerr;
    cleanup_json json_t *span = json_loadb(v, strlen(v), JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &jerr);
    if (span && json_equal(span, json_object_get(doc, key)))
      return xstrndup(v, (size_t)jerr.position);
  }
  return NULL;
}

/* A signed document response ({"<key>": {...}, "signature": hex}) into collateral[name]. */
static int add_signed_doc(json_t *coll, const char *name, const char *key, const struct http_body *b, const char *url,
                          tb_error **err) {
  cleanup_json json_t *doc = NULL;
  if (tb_json_load_buf(url, b->data, b->len, &doc, err) < 0)
    return tb_error_wrap(err, "collateral-fetch");
  const char *sig = json_string_value(json_object_get(doc, "signature"));
  char *text = json_is_object(json_object_get(doc, key)) ? value_text(b->data, doc, key) : NULL;
  if (text == NULL || sig == NULL) {
    free(text);
    return FETCH_ERR(err, "%s: no \"%s\" object and \"signature\"", url, key);
  }
  cleanup_free char *sig_name = xasprintf("%s_signature", name);
  json_object_set_new(coll, name, json_string(text));
  json_object_set_new(coll, sig_name, json_string(sig));
  free(text);
  return 0;
}

/* A CRL body as our collateral stores it: hex of the DER. PCCS answers DER, hex text or PEM. */
static char *crl_text(const struct http_body *b) {
  int is_text = b->len > 0;
  for (size_t i = 0; i < b->len && is_text; i++)
    is_text = isxdigit((unsigned char)b->data[i]) || isspace((unsigned char)b->data[i]);
  if (is_text || (b->data && strncmp(b->data, "-----BEGIN", 10) == 0)) {
    char *s = xstrndup(b->data, b->len);
    for (size_t n = strlen(s); n && isspace((unsigned char)s[n - 1]); n--)
      s[n - 1] = '\0';
    return s;
  }
  char *hex = xmalloc(2 * b->len + 1);
  tb_hex_encode((const unsigned char *)b->data, b->len, hex);
  return hex;
}

/* The root CA CRL's URL: the CRL distribution point of the chain's last certificate. */
static char *root_crl_url(const char *chain_pem) {
  cleanup_x509_stack STACK_OF(X509) *chain = pem_chain_read(chain_pem, strlen(chain_pem));
  if (chain == NULL)
    return NULL;
  X509 *root = sk_X509_value(chain, sk_X509_num(chain) - 1);
  STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(root, NID_crl_distribution_points, NULL, NULL);
  char *url = NULL;
  for (int i = 0; dps && url == NULL && i < sk_DIST_POINT_num(dps); i++) {
    DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
    if (dp->distpoint == NULL || dp->distpoint->type != 0)
      continue;
    GENERAL_NAMES *names = dp->distpoint->name.fullname;
    for (int j = 0; url == NULL && j < sk_GENERAL_NAME_num(names); j++) {
      GENERAL_NAME *g = sk_GENERAL_NAME_value(names, j);
      if (g->type == GEN_URI)
        url = xstrndup((const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier),
                       (size_t)ASN1_STRING_length(g->d.uniformResourceIdentifier));
    }
  }
  CRL_DIST_POINTS_free(dps);
  return url;
}

struct platform {
  char fmspc[13];
  const char *ca; /* "processor" or "platform": which PCK CA issued the PCK certificate */
};

static int platform_of(const struct tdx_quote *q, struct platform *p, tb_error **err) {
  cleanup_x509_stack STACK_OF(X509) *chain = pem_chain_read((const char *)q->cert_data, q->cert_size);
  if (chain == NULL)
    return FETCH_ERR(err, "the quote carries no PCK certificate chain");
  struct pck_ext ext;
  int ret = pck_ext_read(sk_X509_value(chain, 0), &ext, err);
  if (ret < 0)
    return ret;
  tb_hex_encode(ext.fmspc, 6, p->fmspc);
  for (char *c = p->fmspc; *c; c++)
    *c = (char)toupper((unsigned char)*c);
  char issuer[256] = "";
  X509_NAME_get_text_by_NID(X509_get_issuer_name(sk_X509_value(chain, 0)), NID_commonName, issuer, sizeof(issuer));
  p->ca = strstr(issuer, "Processor") ? "processor" : "platform";
  return 0;
}

static int fetch_all(const char *base, const struct platform *p, json_t *coll, tb_error **err) {
  static const char *const pck_crl_chain[] = {"SGX-PCK-CRL-Issuer-Chain", NULL};
  static const char *const tcb_chain[] = {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain", NULL};
  static const char *const qe_chain[] = {"SGX-Enclave-Identity-Issuer-Chain", NULL};
  cleanup_free char *u1 = xasprintf("%s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", base, p->ca);
  cleanup_free char *u2 = xasprintf("%s/tdx/certification/v4/tcb?fmspc=%s", base, p->fmspc);
  cleanup_free char *u3 = xasprintf("%s/tdx/certification/v4/qe/identity?update=standard", base);
  cleanup_free char *c1 = NULL, *c2 = NULL, *c3 = NULL;
  struct http_body b1 = {0}, b2 = {0}, b3 = {0}, b4 = {0};
  int ret = http_get(u1, pck_crl_chain, &c1, &b1, err);
  if (ret == 0)
    ret = http_get(u2, tcb_chain, &c2, &b2, err);
  if (ret == 0)
    ret = http_get(u3, qe_chain, &c3, &b3, err);
  if (ret == 0)
    ret = add_signed_doc(coll, "tcb_info", "tcbInfo", &b2, u2, err);
  if (ret == 0)
    ret = add_signed_doc(coll, "qe_identity", "enclaveIdentity", &b3, u3, err);
  if (ret == 0) {
    /* Intel's PCS has no rootcacrl endpoint: the root names its CRL's location itself. */
    cleanup_free char *u4 = strncmp(base, INTEL_PCS, strlen(INTEL_PCS)) == 0
                                ? (c3 ? root_crl_url(c3) : NULL)
                                : xasprintf("%s/sgx/certification/v4/rootcacrl", base);
    ret = u4 ? http_get(u4, NULL, NULL, &b4, err) : FETCH_ERR(err, "no root CA CRL location");
  }
  if (ret == 0) {
    char *t1 = crl_text(&b1), *t4 = crl_text(&b4);
    json_object_set_new(coll, "pck_crl_issuer_chain", json_string(c1));
    json_object_set_new(coll, "pck_crl", json_string(t1));
    json_object_set_new(coll, "root_ca_crl", json_string(t4));
    json_object_set_new(coll, "tcb_info_issuer_chain", json_string(c2));
    json_object_set_new(coll, "qe_identity_issuer_chain", json_string(c3));
    free(t1);
    free(t4);
  }
  free(b1.data);
  free(b2.data);
  free(b3.data);
  free(b4.data);
  return ret;
}

/* A cached collateral is reused while both signed documents are still within their window. */
static int cache_fresh(const char *json, int64_t now) {
  struct dcap_collateral c;
  tb_error *err = NULL;
  if (dcap_collateral_parse(json, &c, &err) < 0) {
    tb_error_free(&err);
    return 0;
  }
  int64_t t1, t2;
  const char *n1 = json_string_value(json_object_get(c.tcb_info, "nextUpdate"));
  const char *n2 = json_string_value(json_object_get(c.qe_identity, "nextUpdate"));
  int fresh = n1 && n2 && dcap_parse_time(n1, &t1) == 0 && dcap_parse_time(n2, &t2) == 0 && now <= t1 && now <= t2;
  dcap_collateral_free(&c);
  return fresh;
}

static char *cache_path(const char *cache_dir, const char *base, const struct platform *p) {
  cleanup_free char *key = xasprintf("%s\n%s\n%s", base, p->fmspc, p->ca);
  unsigned char h[32];
  char hex[65];
  tb_sha256_buf(key, strlen(key), h);
  tb_hex_encode(h, 32, hex);
  return xasprintf("%s/%s.json", cache_dir, hex);
}

int dcap_fetch_collateral(const char *base_url, const struct tdx_quote *q, const char *cache_dir, int64_t now,
                          char **json, tb_error **err) {
  struct platform p = {.ca = "platform"};
  int ret = platform_of(q, &p, err);
  if (ret < 0)
    return ret;
  cleanup_free char *base = xstrdup(base_url);
  for (size_t n = strlen(base); n && base[n - 1] == '/'; n--)
    base[n - 1] = '\0';
  cleanup_free char *path = cache_dir ? cache_path(cache_dir, base, &p) : NULL;
  size_t len = 0;
  if (path && tb_read_file(path, MAX_BODY, json, &len, err) == 0) {
    if (cache_fresh(*json, now))
      return 0;
    free(*json);
  }
  tb_error_free(err);
  cleanup_json json_t *coll = json_object();
  if ((ret = fetch_all(base, &p, coll, err)) < 0)
    return ret;
  *json = json_dumps(coll, JSON_INDENT(1));
  return 0;
}

void dcap_cache_collateral(const char *base_url, const struct tdx_quote *q, const char *cache_dir, const char *json) {
  struct platform p = {.ca = "platform"};
  cleanup_error tb_error *ignored = NULL;
  if (platform_of(q, &p, &ignored) < 0)
    return;
  cleanup_free char *base = xstrdup(base_url);
  for (size_t n = strlen(base); n && base[n - 1] == '/'; n--)
    base[n - 1] = '\0';
  cleanup_free char *path = cache_path(cache_dir, base, &p);
  /* a cache that cannot be written only costs a refetch */
  if (tb_mkdir_p(cache_dir, 0755, &ignored) == 0)
    (void)tb_write_file_atomic(path, json, strlen(json), 0644, &ignored);
}
