#include "attest/verify.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "attest/base64.h"
#include "attest/binding.h"
#include "attest/bundle.h"
#include "attest/dcap.h"
#include "attest/dsse.h"
#include "attest/eventlog.h"
#include "attest/key.h"
#include "attest/key_chain.h"
#include "attest/links.h"
#include "attest/policy.h"
#include "attest/provenance.h"
#include "attest/quote_tdx.h"
#include "attest/sim_pki.h"
#include "attest/sim_quote.h"
#include "attest/subjects.h"
#include "attest/tee_sim.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define MAX_BUNDLE (64u << 20)

/* What the checks learn and hand to the ones after them. */
struct state {
  const struct tb_verify_options *o;
  struct tb_verify_report *r;
  json_t *bundle;
  const char *provider;
  struct tb_dsse_parsed env;
  EVP_PKEY *pub;
  unsigned char *spki;
  size_t spki_len;
  unsigned char *quote;
  size_t quote_len;
  struct tdx_quote *q; /* NULL when there is no quote or it does not parse */
  char *quote_parse_error;
  struct dcap_verdict verdict;
};

static void state_clear(struct state *s) {
  json_decref(s->bundle);
  tb_dsse_parsed_clear(&s->env);
  EVP_PKEY_free(s->pub);
  free(s->spki);
  free(s->quote);
  if (s->q)
    tdx_quote_free(s->q);
  free(s->quote_parse_error);
  dcap_verdict_clear(&s->verdict);
}

static bool record(struct state *s, const char *name, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool record(struct state *s, const char *name, bool ok, const char *fmt, ...) {
  struct tb_verify_check *c = &s->r->checks[s->r->n_checks++];
  va_list ap;
  va_start(ap, fmt);
  c->detail = xvasprintf(fmt, ap);
  va_end(ap);
  c->name = name;
  c->ok = ok;
  return ok;
}

static bool not_checked(struct state *s, const char *name, const char *because) {
  return record(s, name, false, "not checked: %s failed", because);
}

/* Bundle: the file parses and has design.md's shape. */
static bool check_bundle(struct state *s) {
  cleanup_free char *path = xasprintf("%s/%s", s->o->out_dir, TB_BUNDLE_FILE);
  cleanup_error tb_error *e = NULL;
  if (tb_json_load_file(path, MAX_BUNDLE, &s->bundle, &e) < 0)
    return record(s, TB_CHECK_BUNDLE, false, "%s", e->msg);
  const char *media = NULL, *pem = NULL, *quote_b64 = NULL, *rd = NULL;
  json_t *env = NULL, *log = NULL;
  json_error_t jerr;
  if (json_unpack_ex(s->bundle, &jerr, 0, "{s:s, s:o, s:{s:s}, s:{s:s, s:s, s:o, s:s}}", "mediaType", &media,
                     "dsseEnvelope", &env, "verificationMaterial", "publicKey", &pem, "tee", "provider", &s->provider,
                     "quote", &quote_b64, "eventLog", &log, "reportData", &rd) < 0)
    return record(s, TB_CHECK_BUNDLE, false, "%s: %s", path, jerr.text);
  if (strcmp(media, TB_BUNDLE_MEDIA_TYPE) != 0)
    return record(s, TB_CHECK_BUNDLE, false, "mediaType is %s, not %s", media, TB_BUNDLE_MEDIA_TYPE);
  if (!json_is_array(log))
    return record(s, TB_CHECK_BUNDLE, false, "tee.eventLog is not an array");
  (void)snprintf(s->r->tee, sizeof(s->r->tee), "%s", s->provider);
  if (tb_base64_decode(quote_b64, &s->quote, &s->quote_len, TB_EXIT_VERIFY, &e) < 0)
    return record(s, TB_CHECK_BUNDLE, false, "tee.quote: %s", e->msg);
  if (tb_dsse_envelope_parse(env, &s->env, &e) < 0)
    return record(s, TB_CHECK_BUNDLE, false, "%s", e->msg);
  return record(s, TB_CHECK_BUNDLE, true, "%s, provider %s", TB_BUNDLE_FILE, s->provider);
}

/* Envelope signature: the key the bundle names signed PAE(payloadType, payload). */
static bool check_signature(struct state *s) {
  cleanup_error tb_error *e = NULL;
  const char *pem = json_string_value(json_object_get(json_object_get(s->bundle, "verificationMaterial"), "publicKey"));
  if (strcmp(s->env.payload_type, TB_DSSE_PAYLOAD_TYPE) != 0)
    return record(s, TB_CHECK_SIGNATURE, false, "payloadType is %s, not %s", s->env.payload_type,
                  TB_DSSE_PAYLOAD_TYPE);
  if (tb_key_load_public_pem(pem, &s->pub, &e) < 0 || tb_key_spki_der(s->pub, &s->spki, &s->spki_len, &e) < 0)
    return record(s, TB_CHECK_SIGNATURE, false, "%s", e->msg);
  char keyid[TB_KEYID_LEN];
  tb_key_id(s->spki, s->spki_len, keyid);
  if (strcmp(keyid, s->env.keyid) != 0)
    return record(s, TB_CHECK_SIGNATURE, false, "keyid %s does not name the public key (%s)", s->env.keyid, keyid);
  if (tb_dsse_verify(s->pub, s->env.payload_type, s->env.payload, s->env.payload_len, s->env.sig, s->env.sig_len,
                     &e) < 0)
    return record(s, TB_CHECK_SIGNATURE, false, "%s", e->msg);
  return record(s, TB_CHECK_SIGNATURE, true, "ECDSA P-256 signature by %s", keyid);
}

/* Parse the quote once, for whichever check needs it first. */
static bool parse_quote(struct state *s) {
  if (s->q == NULL && s->quote_parse_error == NULL) {
    cleanup_error tb_error *e = NULL;
    if (tdx_quote_parse(s->quote, s->quote_len, &s->q, &e) < 0)
      s->quote_parse_error = xstrdup(e->msg);
  }
  return s->q != NULL;
}

/* Binding: report_data = SHA-256(payload) || SHA-256(SPKI), in the bundle and in the quote. */
static bool check_binding(struct state *s) {
  unsigned char want[TB_REPORT_DATA_LEN];
  tb_binding_report_data(s->env.payload, s->env.payload_len, s->spki, s->spki_len, want);
  char want_hex[2 * TB_REPORT_DATA_LEN + 1];
  tb_hex_encode(want, sizeof(want), want_hex);
  const char *stated = json_string_value(json_object_get(json_object_get(s->bundle, "tee"), "reportData"));
  if (strcmp(stated, want_hex) != 0)
    return record(s, TB_CHECK_BINDING, false, "tee.reportData %s is not SHA-256(payload) || SHA-256(public key) %s",
                  stated, want_hex);
  if (s->quote_len == 0)
    return record(s, TB_CHECK_BINDING, true, "reportData matches (no quote to compare)");
  if (!parse_quote(s))
    return record(s, TB_CHECK_BINDING, true, "reportData matches; the quote is judged next");
  if (memcmp(s->q->body.report_data, want, sizeof(want)) != 0) {
    char got[2 * TB_REPORT_DATA_LEN + 1];
    tb_hex_encode(s->q->body.report_data, TB_REPORT_DATA_LEN, got);
    return record(s, TB_CHECK_BINDING, false, "the quote's report_data %s is not %s", got, want_hex);
  }
  return record(s, TB_CHECK_BINDING, true, "the quote's report_data binds the payload and the key");
}

/* Simulated evidence: the provider says so or, once the user accepts simulated evidence, the
 * quote's own chain names the simulation PKI (a --tee dstack bundle made against tee-sim). Either
 * way it is then verified to the local simulation root, and the tee check says it is simulated. */
static bool is_simulated(const struct state *s) {
  return strcmp(s->provider, "simulated") == 0 || (s->o->allow_simulated && s->q && sim_pki_claimed_by(s->q));
}

/* Quote: DCAP against a root this verifier holds: the local simulation root for simulated evidence,
 * else the pinned Intel root; never one carried in the bundle or served with the collateral. The
 * collateral, for either: --collateral, else fetched from --pccs (tee-sim serves its own), else,
 * for simulated evidence only, made by the local simulation. */
static bool check_quote(struct state *s) {
  if (s->quote_len == 0)
    return record(s, TB_CHECK_QUOTE, false, "no TEE evidence (provider %s)", s->provider);
  if (!parse_quote(s))
    return record(s, TB_CHECK_QUOTE, false, "%s", s->quote_parse_error);
  cleanup_error tb_error *e = NULL;
  cleanup_free unsigned char *sim_root = NULL;
  cleanup_free char *sim_collateral = NULL, *fetched = NULL;
  const unsigned char *root = dcap_intel_root_ca_der;
  size_t root_len = dcap_intel_root_ca_der_len;
  const char *collateral = s->o->collateral_json, *source = "--collateral";
  if (collateral == NULL && s->o->pccs_url != NULL) {
    if (dcap_fetch_collateral(s->o->pccs_url, s->q, NULL, s->o->now, &fetched, &e) < 0)
      return record(s, TB_CHECK_QUOTE, false, "%s", e->msg);
    collateral = fetched;
    source = s->o->pccs_url;
  }
  if (is_simulated(s)) {
    if (sim_root_der(s->o->sim_dir, &sim_root, &root_len, &e) < 0 ||
        (collateral == NULL && sim_collateral_json(s->o->sim_dir, s->o->now, &sim_collateral, &e) < 0))
      return record(s, TB_CHECK_QUOTE, false, "simulation root %s: %s", s->o->sim_dir, e->msg);
    root = sim_root;
    if (collateral == NULL) {
      collateral = sim_collateral;
      source = "the local simulation";
    }
  } else if (collateral == NULL) {
    return record(s, TB_CHECK_QUOTE, false, "no collateral for a %s quote: pass --collateral FILE or --pccs URL",
                  s->provider);
  }
  if (dcap_verify(s->q, collateral, root, root_len, s->o->now, &s->verdict, &e) < 0)
    return record(s, TB_CHECK_QUOTE, false, "%s%s", e->msg,
                  !is_simulated(s) && sim_pki_claimed_by(s->q)
                      ? " (the quote's chain is teebuild's SIMULATION PKI: --allow-simulated verifies it to the local "
                        "simulation root)"
                      : "");
  (void)snprintf(s->r->tcb_status, sizeof(s->r->tcb_status), "%s", s->verdict.status);
  s->r->simulated = is_simulated(s);
  return record(s, TB_CHECK_QUOTE, true, "TDX v%u quote verified to the %s root, collateral from %s", s->q->version,
                is_simulated(s) ? "local simulation" : "Intel SGX", source);
}

/* The bundle's provider is not signed; the statement names it in its builder id, which is. */
static const char *signed_provider(const json_t *statement) {
  const char *id = json_string_value(json_object_get(
      json_object_get(json_object_get(json_object_get(statement, "predicate"), "runDetails"), "builder"), "id"));
  size_t n = strlen(TB_BUILDER_ID_PREFIX);
  return id && strncmp(id, TB_BUILDER_ID_PREFIX, n) == 0 ? id + n : NULL;
}

static bool check_tee(struct state *s, const json_t *statement) {
  const char *named = statement ? signed_provider(statement) : NULL;
  if (statement && (named == NULL || strcmp(named, s->provider) != 0))
    return record(s, TB_CHECK_TEE, false, "the bundle says provider %s, the signed statement's builder %s", s->provider,
                  named ? named : "names none");
  if (strcmp(s->provider, "none") == 0)
    return record(s, TB_CHECK_TEE, false, "no TEE: the bundle was made with --tee none");
  if (!is_simulated(s) && !s->verdict.simulated)
    return record(s, TB_CHECK_TEE, true, "provider %s (not simulated)", s->provider);
  if (!s->o->allow_simulated)
    return record(s, TB_CHECK_TEE, false, "the evidence is SIMULATED (no hardware TEE); pass --allow-simulated to "
                                          "accept it");
  return record(s, TB_CHECK_TEE, true, "simulated evidence, accepted by --allow-simulated");
}

/* policy.h's messages start with the check's own name; the report names it already. */
static const char *without_prefix(const char *msg, const char *check) {
  size_t n = strlen(check);
  return strncmp(msg, check, n) == 0 && strncmp(msg + n, ": ", 2) == 0 ? msg + n + 2 : msg;
}

static bool check_tcb(struct state *s) {
  cleanup_error tb_error *e = NULL;
  if (policy_check_tcb(s->o->policy, s->verdict.status, &e) < 0)
    return record(s, TB_CHECK_TCB, false, "%s", without_prefix(e->msg, TB_CHECK_TCB));
  return record(s, TB_CHECK_TCB, true, "%s", s->verdict.status);
}

/* Measurements: RTMR0-3 must be what the event log replays to, and every register or dstack event
 * the policy pins must hold one of its values. */
static bool check_measurements(struct state *s) {
  const json_t *log = json_object_get(json_object_get(s->bundle, "tee"), "eventLog");
  cleanup_json json_t *events = NULL;
  cleanup_error tb_error *e = NULL;
  if (json_array_size(log) > 0 &&
      (eventlog_parse(log, &events, &e) < 0 || eventlog_check_quote(events, s->q, &e) < 0))
    return record(s, TB_CHECK_MEASUREMENTS, false, "%s", e->msg);
  if (policy_check_measurements(s->o->policy, s->q, events, &e) < 0)
    return record(s, TB_CHECK_MEASUREMENTS, false, "%s", without_prefix(e->msg, TB_CHECK_MEASUREMENTS));
  char mrtd[2 * TDX_MR_LEN + 1];
  tb_hex_encode(s->q->body.mr_td, TDX_MR_LEN, mrtd);
  return record(s, TB_CHECK_MEASUREMENTS, true, "%s; mrtd %s",
                s->o->policy ? "allowed by the policy" : "no measurement pinned (no --policy)", mrtd);
}

/* The dstack-app builderDependency (the agent's Info), or NULL. */
static const json_t *dstack_app_dependency(const json_t *statement) {
  const json_t *deps =
      json_object_get(json_object_get(json_object_get(json_object_get(statement, "predicate"), "runDetails"), "builder"),
                      "builderDependencies");
  size_t i;
  const json_t *d;
  json_array_foreach(deps, i, d) {
    const char *name = json_string_value(json_object_get(d, "name"));
    if (name && strcmp(name, "dstack-app") == 0)
      return d;
  }
  return NULL;
}

/* dstack app: what the agent's Info put into builderDependencies is what the quote attests through
 * the RTMR3 events. Needs only the log to replay to the quote's RTMRs, so a hardware bundle checked
 * without collateral still learns whether its app claim holds. */
static bool check_dstack_app(struct state *s, const json_t *app) {
  static const char *const PAIRS[][2] = {
      {"appId", "app-id"}, {"composeHash", "compose-hash"}, {"instanceId", "instance-id"}, {"osImageHash", "os-image-hash"}};
  const json_t *log = json_object_get(json_object_get(s->bundle, "tee"), "eventLog");
  cleanup_json json_t *events = NULL;
  cleanup_error tb_error *e = NULL;
  if (!parse_quote(s))
    return record(s, TB_CHECK_DSTACK_APP, false, "not checked: the quote does not parse");
  if (json_array_size(log) == 0)
    return record(s, TB_CHECK_DSTACK_APP, false, "the provenance names a dstack app but the bundle has no event log");
  if (eventlog_parse(log, &events, &e) < 0 || eventlog_check_quote(events, s->q, &e) < 0)
    return record(s, TB_CHECK_DSTACK_APP, false, "%s", e->msg);
  const json_t *annotations = json_object_get(app, "annotations");
  size_t attested = 0;
  for (size_t i = 0; i < sizeof(PAIRS) / sizeof(PAIRS[0]); i++) {
    const char *claimed = json_string_value(json_object_get(annotations, PAIRS[i][0]));
    const char *logged = eventlog_find(events, PAIRS[i][1]);
    if (logged == NULL)
      continue; /* older dstack logs lack os-image-hash */
    if (claimed == NULL || strcasecmp(claimed, logged) != 0)
      return record(s, TB_CHECK_DSTACK_APP, false, "builderDependencies say %s %s, the event log's %s is %s",
                    PAIRS[i][0], claimed ? claimed : "(none)", PAIRS[i][1], logged);
    attested++;
  }
  if (attested == 0)
    return record(s, TB_CHECK_DSTACK_APP, false, "the event log has none of app-id, compose-hash, instance-id, "
                                                 "os-image-hash");
  return record(s, TB_CHECK_DSTACK_APP, true, "%zu of the app's fields match the replayed event log", attested);
}

/* The KMS root a chain must end at: the policy's "kmsRoot", or for simulated evidence the local
 * simulated KMS (never a key carried in the bundle). NULL detail: anchored. */
static char *kms_root_unanchored(struct state *s, const char *root_hex) {
  int listed = policy_kms_root_listed(s->o->policy, root_hex);
  if (listed == 1)
    return NULL;
  if (listed == 0)
    return xasprintf("the chain ends at KMS root %s, which the policy's kmsRoot does not list", root_hex);
  if (!is_simulated(s))
    return xasprintf("the chain ends at KMS root %s, which nothing vouches for: pin the KMS's k256 root key as "
                     "\"kmsRoot\" in --policy", root_hex);
  unsigned char sim_root[TB_K256_PUBKEY_LEN];
  char sim_hex[2 * TB_K256_PUBKEY_LEN + 1];
  cleanup_error tb_error *e = NULL;
  if (tb_tee_sim_kms_root(s->o->sim_dir, sim_root, &e) < 0)
    return xasprintf("simulated KMS in %s: %s", s->o->sim_dir, e->msg);
  tb_hex_encode(sim_root, sizeof(sim_root), sim_hex);
  if (strcmp(sim_hex, root_hex) != 0)
    return xasprintf("the chain ends at KMS root %s, not at the local simulated KMS %s", root_hex, sim_hex);
  return NULL;
}

/* Key chain (--key dstack): the signing key is the one the app's KMS-issued key vouches for, for
 * the app the quote's event log names. */
static bool check_key_chain(struct state *s, const json_t *chain) {
  struct tb_key_chain_claim claim;
  cleanup_error tb_error *e = NULL;
  if (tb_key_chain_check(chain, s->spki, s->spki_len, &claim, &e) < 0)
    return record(s, TB_CHECK_KEY_CHAIN, false, "%s", e->msg);
  cleanup_json json_t *events = NULL;
  const json_t *log = json_object_get(json_object_get(s->bundle, "tee"), "eventLog");
  const char *logged_app = json_array_size(log) > 0 && eventlog_parse(log, &events, &e) == 0
                               ? eventlog_find(events, "app-id")
                               : NULL;
  if (logged_app && strcasecmp(logged_app, claim.app_id_hex) != 0)
    return record(s, TB_CHECK_KEY_CHAIN, false, "the chain is for app %s, the event log's app-id is %s",
                  claim.app_id_hex, logged_app);
  char root_hex[2 * TB_K256_PUBKEY_LEN + 1];
  tb_hex_encode(claim.kms_root, sizeof(claim.kms_root), root_hex);
  cleanup_free char *unanchored = kms_root_unanchored(s, root_hex);
  if (unanchored)
    return record(s, TB_CHECK_KEY_CHAIN, false, "%s", unanchored);
  return record(s, TB_CHECK_KEY_CHAIN, true, "signing key derived for app %s%s, issued under KMS root %s",
                claim.app_id_hex, logged_app ? " (the event log's app-id)" : "", root_hex);
}

/* Subjects: every listed file has its digest, and no file under artifacts/ or logs/ is unlisted. */
static bool check_subjects(struct state *s) {
  cleanup_error tb_error *e = NULL;
  cleanup_json json_t *statement = NULL, *actual = NULL;
  if (tb_json_load_buf("payload", (const char *)s->env.payload, s->env.payload_len, &statement, &e) < 0)
    return record(s, TB_CHECK_SUBJECTS, false, "%s", e->msg);
  const char *type = json_string_value(json_object_get(statement, "_type"));
  const char *ptype = json_string_value(json_object_get(statement, "predicateType"));
  if (!type || !ptype || strcmp(type, TB_STATEMENT_TYPE) != 0 || strcmp(ptype, TB_PREDICATE_TYPE) != 0)
    return record(s, TB_CHECK_SUBJECTS, false, "the payload is not an in-toto v1 SLSA provenance v1 statement");
  cleanup_json json_t *want = NULL;
  if (tb_subjects_listed(statement, &want, &e) < 0)
    return record(s, TB_CHECK_SUBJECTS, false, "%s", e->msg);
  size_t i;
  json_t *subj;
  s->r->n_subjects = json_object_size(want);
  if (tb_subjects_collect(s->o->out_dir, &actual, &e) < 0)
    return record(s, TB_CHECK_SUBJECTS, false, "%s", e->msg);
  json_array_foreach(actual, i, subj) {
    const char *name = json_string_value(json_object_get(subj, "name"));
    const char *got = json_string_value(json_object_get(json_object_get(subj, "digest"), "sha256"));
    const char *expected = json_string_value(json_object_get(want, name));
    if (expected == NULL)
      return record(s, TB_CHECK_SUBJECTS, false, "%s is not listed in the provenance", name);
    if (strcmp(expected, got) != 0)
      return record(s, TB_CHECK_SUBJECTS, false, "%s: sha256 %s, provenance says %s", name, got, expected);
    json_object_del(want, name);
  }
  const char *missing;
  json_t *v;
  json_object_foreach(want, missing, v) { return record(s, TB_CHECK_SUBJECTS, false, "%s is missing", missing); }
  s->r->statement = steal_pointer(&statement);
  return record(s, TB_CHECK_SUBJECTS, true, "%zu files match", s->r->n_subjects);
}

/* provenance.json is a copy of the payload for readers; it must not say anything else. */
static bool check_provenance_file(struct state *s) {
  cleanup_free char *path = xasprintf("%s/%s", s->o->out_dir, TB_PROVENANCE_FILE);
  cleanup_free char *data = NULL;
  size_t len = 0;
  cleanup_error tb_error *e = NULL;
  if (tb_read_file(path, MAX_BUNDLE, &data, &len, &e) < 0)
    return record(s, TB_CHECK_PROVENANCE_FILE, false, "%s", e->msg);
  if (len != s->env.payload_len || memcmp(data, s->env.payload, len) != 0)
    return record(s, TB_CHECK_PROVENANCE_FILE, false, "%s differs from the signed payload", TB_PROVENANCE_FILE);
  return record(s, TB_CHECK_PROVENANCE_FILE, true, "identical to the signed payload");
}

/* Links: the outputs this one was made from still hold what it read (an audit's build). */
static void check_links(struct state *s) {
  cleanup_json json_t *statement = NULL;
  cleanup_error tb_error *e = NULL;
  cleanup_free char *detail = NULL;
  if (tb_json_load_buf("payload", (const char *)s->env.payload, s->env.payload_len, &statement, &e) < 0)
    return; /* check_subjects has said so */
  enum tb_links_result r = tb_links_check(s->o->out_dir, statement, &detail);
  if (r != TB_LINKS_NONE)
    record(s, TB_CHECK_LINKS, r == TB_LINKS_OK, "%s", detail);
}

static void run_checks(struct state *s) {
  if (!check_bundle(s)) {
    static const char *const REST[] = {TB_CHECK_SIGNATURE, TB_CHECK_BINDING, TB_CHECK_QUOTE, TB_CHECK_TEE,
                                       TB_CHECK_TCB,       TB_CHECK_MEASUREMENTS, TB_CHECK_SUBJECTS,
                                       TB_CHECK_PROVENANCE_FILE};
    for (size_t i = 0; i < sizeof(REST) / sizeof(REST[0]); i++)
      not_checked(s, REST[i], TB_CHECK_BUNDLE);
    return;
  }
  bool sig = check_signature(s);
  cleanup_json json_t *statement = NULL;
  cleanup_error tb_error *e = NULL;
  if (sig) {
    (void)tb_json_load_buf("payload", (const char *)s->env.payload, s->env.payload_len, &statement, &e);
    check_binding(s);
  } else {
    not_checked(s, TB_CHECK_BINDING, TB_CHECK_SIGNATURE);
  }
  bool quote = check_quote(s);
  check_tee(s, statement);
  if (quote) {
    check_tcb(s);
    check_measurements(s);
  } else {
    not_checked(s, TB_CHECK_TCB, TB_CHECK_QUOTE);
    not_checked(s, TB_CHECK_MEASUREMENTS, TB_CHECK_QUOTE);
  }
  if (statement && dstack_app_dependency(statement) != NULL)
    check_dstack_app(s, dstack_app_dependency(statement));
  const json_t *chain = json_object_get(json_object_get(s->bundle, "tee"), "keySignatureChain");
  if (chain && sig)
    check_key_chain(s, chain);
  else if (chain)
    not_checked(s, TB_CHECK_KEY_CHAIN, TB_CHECK_SIGNATURE);
  else if (policy_pins_kms_root(s->o->policy))
    /* The chain is not signed: dropping it must not drop the policy's pin with it. */
    record(s, TB_CHECK_KEY_CHAIN, false, "the policy pins kmsRoot, but the bundle has no keySignatureChain: its "
                                         "key was not derived from the app's KMS (--key dstack)");
  /* Subjects are read from a payload only once its signature holds. */
  if (sig) {
    check_subjects(s);
    check_provenance_file(s);
    check_links(s);
  } else {
    not_checked(s, TB_CHECK_SUBJECTS, TB_CHECK_SIGNATURE);
    not_checked(s, TB_CHECK_PROVENANCE_FILE, TB_CHECK_SIGNATURE);
  }
}

int tb_verify(const struct tb_verify_options *opts, struct tb_verify_report *report, tb_error **err) {
  memset(report, 0, sizeof(*report));
  struct state s = {.o = opts, .r = report};
  run_checks(&s);
  state_clear(&s);
  for (size_t i = 0; i < report->n_checks; i++)
    if (!report->checks[i].ok)
      return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: %s", report->checks[i].name, report->checks[i].detail);
  return 0;
}

int tb_verify_report_add(struct tb_verify_report *report, const char *name, bool ok, const char *detail,
                         tb_error **err) {
  struct tb_verify_check *c = &report->checks[report->n_checks++];
  c->name = name;
  c->ok = ok;
  c->detail = xstrdup(detail);
  return ok ? 0 : tb_error_set(err, TB_EXIT_VERIFY, 0, "%s: %s", name, detail);
}

void tb_verify_report_clear(struct tb_verify_report *report) {
  for (size_t i = 0; i < report->n_checks; i++)
    free(report->checks[i].detail);
  json_decref(report->statement);
  memset(report, 0, sizeof(*report));
}

json_t *tb_verify_report_json(const struct tb_verify_report *report) {
  json_t *checks = json_array();
  bool ok = report->n_checks > 0;
  for (size_t i = 0; i < report->n_checks; i++) {
    const struct tb_verify_check *c = &report->checks[i];
    ok = ok && c->ok;
    json_array_append_new(checks, json_pack("{s:s, s:b, s:s}", "name", c->name, "ok", c->ok, "detail", c->detail));
  }
  return json_pack("{s:b, s:o, s:I, s:s, s:s, s:b}", "ok", ok, "checks", checks, "subjects",
                   (json_int_t)report->n_subjects, "tee", report->tee, "tcbStatus", report->tcb_status, "simulated",
                   report->simulated);
}
