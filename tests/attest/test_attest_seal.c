/* Seal an OUT directory with the simulated TEE, verify it, then tamper with it every way a
 * forger could and check that verify names the right check. Also talks to tee-sim directly. */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attest/agent_http.h"
#include "attest/base64.h"
#include "attest/bundle.h"
#include "attest/dsse.h"
#include "attest/key.h"
#include "attest/provenance.h"
#include "attest/quote_tdx.h"
#include "attest/tee.h"
#include "attest/tee_sim.h"
#include "attest/verify.h"
#include "check.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

static char *tmp_root, *sim_dir;

static void put(const char *dir, const char *rel, const char *text) {
  cleanup_free char *path = xasprintf("%s/%s", dir, rel);
  cleanup_free char *parent = xstrdup(path);
  *strrchr(parent, '/') = '\0';
  cleanup_error tb_error *e = NULL;
  if (tb_mkdir_p(parent, 0755, &e) < 0 || tb_write_file_atomic(path, text, strlen(text), 0644, &e) < 0)
    abort();
}

static json_t *statement_for(const char *out, const char *provider) {
  cleanup_json json_t *ext = json_pack("{s:[s], s:s}", "argv", "/toolchain/busybox/bin/sh", "inputs", "src");
  cleanup_json json_t *internal = json_pack("{s:s}", "seccomp", "default");
  cleanup_json json_t *deps = json_pack("[{s:s, s:{s:s}}]", "name", "src/a.sol", "digest", "sha256",
                                        "0000000000000000000000000000000000000000000000000000000000000000");
  struct tb_provenance_params p = {.build_type = "https://teebuild.dev/run/v1",
                                   .external_parameters = ext,
                                   .internal_parameters = internal,
                                   .resolved_dependencies = deps,
                                   .tee_provider = provider,
                                   .teebuild_version = "0.1.0",
                                   .out_dir = out};
  clock_gettime(CLOCK_REALTIME, &p.started);
  p.finished = p.started;
  json_t *st = NULL;
  cleanup_error tb_error *e = NULL;
  if (tb_provenance_statement(&p, &st, &e) < 0)
    abort();
  return st;
}

static int seal(const char *out, const char *kind) {
  struct tb_tee_config cfg = {.sim_dir = sim_dir};
  cleanup_error tb_error *e = NULL;
  cleanup_tee struct tb_tee *tee = NULL;
  cleanup_json json_t *st = NULL, *bundle = NULL;
  cleanup_free char *payload = NULL;
  size_t len = 0;
  cleanup_pkey EVP_PKEY *key = NULL;
  if (tb_tee_open(kind, &cfg, &tee, &e) < 0 || (st = statement_for(out, tb_tee_provider(tee))) == NULL ||
      tb_json_canonical(st, &payload, &len, &e) < 0 || tb_key_generate(&key, &e) < 0 ||
      tb_bundle_seal(tee, key, payload, len, &bundle, &e) < 0 || tb_bundle_write(out, payload, len, bundle, &e) < 0) {
    printf("# seal: %s\n", e ? e->msg : "?");
    return -1;
  }
  return 0;
}

/* The name of the first failed check ("" when everything passed). */
static const char *first_failure(const char *out, bool allow_simulated, char buf[64]) {
  struct tb_verify_options o = {.out_dir = out, .now = time(NULL), .allow_simulated = allow_simulated,
                                .sim_dir = sim_dir};
  struct tb_verify_report r;
  cleanup_error tb_error *e = NULL;
  buf[0] = '\0';
  if (tb_verify(&o, &r, &e) < 0) {
    for (size_t i = 0; i < r.n_checks; i++)
      if (!r.checks[i].ok) {
        (void)snprintf(buf, 64, "%s", r.checks[i].name);
        printf("#   %s: %s\n", r.checks[i].name, r.checks[i].detail);
        break;
      }
  }
  tb_verify_report_clear(&r);
  return buf;
}

static char *copy_of(const char *out, const char *name) {
  char *dst = xasprintf("%s/%s", tmp_root, name);
  char *const argv[] = {"cp", "-a", (char *)out, dst, NULL};
  pid_t pid;
  int status;
  if (posix_spawnp(&pid, "cp", NULL, NULL, argv, environ) != 0 || waitpid(pid, &status, 0) != pid ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    abort();
  return dst;
}

static json_t *load_bundle(const char *out) {
  cleanup_free char *path = xasprintf("%s/%s", out, TB_BUNDLE_FILE);
  json_t *b = NULL;
  cleanup_error tb_error *e = NULL;
  if (tb_json_load_file(path, 1 << 26, &b, &e) < 0)
    abort();
  return b;
}

static void save_bundle(const char *out, const json_t *b) {
  cleanup_free char *path = xasprintf("%s/%s", out, TB_BUNDLE_FILE);
  cleanup_error tb_error *e = NULL;
  if (tb_json_write_file(path, b, &e) < 0)
    abort();
}

/* Flip one byte of the base64 quote in the bundle at offset off. */
static void flip_quote_byte(const char *out, size_t off) {
  cleanup_json json_t *b = load_bundle(out);
  json_t *tee = json_object_get(b, "tee");
  cleanup_free unsigned char *q = NULL;
  size_t n = 0;
  cleanup_error tb_error *e = NULL;
  if (tb_base64_decode(json_string_value(json_object_get(tee, "quote")), &q, &n, TB_EXIT_VERIFY, &e) < 0 || off >= n)
    abort();
  q[off] ^= 0x01;
  cleanup_free char *b64 = tb_base64_encode(q, n);
  json_object_set_new(tee, "quote", json_string(b64));
  save_bundle(out, b);
}

/* A forger edits the payload and signs it with a key of their own. */
static void resign_with_other_key(const char *out) {
  cleanup_json json_t *b = load_bundle(out);
  json_t *env = json_object_get(b, "dsseEnvelope");
  struct tb_dsse_parsed p;
  cleanup_error tb_error *e = NULL;
  if (tb_dsse_envelope_parse(env, &p, &e) < 0)
    abort();
  cleanup_json json_t *st = json_loadb((const char *)p.payload, p.payload_len, 0, NULL);
  tb_dsse_parsed_clear(&p);
  json_object_set_new(json_object_get(json_object_get(st, "predicate"), "buildDefinition"), "buildType",
                      json_string("https://evil.example/v1"));
  cleanup_free char *payload = NULL, *pem = NULL;
  size_t len = 0, spki_len = 0, sig_len = 0;
  cleanup_pkey EVP_PKEY *key = NULL;
  cleanup_free unsigned char *spki = NULL, *sig = NULL;
  if (tb_json_canonical(st, &payload, &len, &e) < 0 || tb_key_generate(&key, &e) < 0 ||
      tb_key_spki_der(key, &spki, &spki_len, &e) < 0 || tb_key_public_pem(key, &pem, &e) < 0 ||
      tb_dsse_sign(key, TB_DSSE_PAYLOAD_TYPE, payload, len, &sig, &sig_len, &e) < 0)
    abort();
  char keyid[TB_KEYID_LEN];
  tb_key_id(spki, spki_len, keyid);
  json_object_set_new(b, "dsseEnvelope", tb_dsse_envelope_new(TB_DSSE_PAYLOAD_TYPE, payload, len, keyid, sig, sig_len));
  json_object_set_new(json_object_get(b, "verificationMaterial"), "publicKey", json_string(pem));
  save_bundle(out, b);
  cleanup_free char *prov = xasprintf("%s/%s", out, TB_PROVENANCE_FILE);
  tb_write_file_atomic(prov, payload, len, 0644, &e);
}

static void swap_public_key(const char *out) {
  cleanup_json json_t *b = load_bundle(out);
  cleanup_pkey EVP_PKEY *key = NULL;
  cleanup_free char *pem = NULL;
  cleanup_error tb_error *e = NULL;
  if (tb_key_generate(&key, &e) < 0 || tb_key_public_pem(key, &pem, &e) < 0)
    abort();
  json_object_set_new(json_object_get(b, "verificationMaterial"), "publicKey", json_string(pem));
  save_bundle(out, b);
}

static void flip_signature(const char *out) {
  cleanup_json json_t *b = load_bundle(out);
  json_t *sig = json_array_get(json_object_get(json_object_get(b, "dsseEnvelope"), "signatures"), 0);
  cleanup_free unsigned char *raw = NULL;
  size_t n = 0;
  cleanup_error tb_error *e = NULL;
  if (tb_base64_decode(json_string_value(json_object_get(sig, "sig")), &raw, &n, TB_EXIT_VERIFY, &e) < 0)
    abort();
  raw[n - 3] ^= 0x40;
  cleanup_free char *b64 = tb_base64_encode(raw, n);
  json_object_set_new(sig, "sig", json_string(b64));
  save_bundle(out, b);
}

static void truncate_bundle(const char *out) {
  cleanup_free char *path = xasprintf("%s/%s", out, TB_BUNDLE_FILE);
  if (truncate(path, 300) < 0)
    abort();
}

static void expect_failure(const char *base, const char *name, void (*tamper)(const char *), const char *check) {
  cleanup_free char *out = copy_of(base, name);
  tamper(out);
  char buf[64];
  const char *got = first_failure(out, true, buf);
  CHECK(strcmp(got, check) == 0, "%s is rejected by the %s check (got '%s')", name, check, got);
}

static void flip_artifact(const char *out) { put(out, "artifacts/a.txt", "HELLO\n"); }
static void add_artifact(const char *out) { put(out, "artifacts/extra.bin", "x"); }
static void remove_artifact(const char *out) {
  cleanup_free char *p = xasprintf("%s/artifacts/sub/b.json", out);
  unlink(p);
}
static void flip_report_data(const char *out) { flip_quote_byte(out, 568 + 5); }
static void flip_signed_body(const char *out) { flip_quote_byte(out, 48 + 136 + 3); /* inside MRTD */ }

static void test_round_trip(void) {
  cleanup_free char *out = xasprintf("%s/out", tmp_root);
  put(out, "artifacts/a.txt", "hello\n");
  put(out, "artifacts/sub/b.json", "{}\n");
  put(out, "logs/stdout", "");
  put(out, "logs/stderr", "warning\n");
  CHECK(seal(out, "simulated") == 0, "seal OUT with the simulated TEE");
  char buf[64];
  CHECK(strcmp(first_failure(out, true, buf), "") == 0, "verify --allow-simulated passes");
  CHECK(strcmp(first_failure(out, false, buf), TB_CHECK_TEE) == 0, "without --allow-simulated the tee check fails");

  expect_failure(out, "artifact-flipped", flip_artifact, TB_CHECK_SUBJECTS);
  expect_failure(out, "artifact-added", add_artifact, TB_CHECK_SUBJECTS);
  expect_failure(out, "artifact-removed", remove_artifact, TB_CHECK_SUBJECTS);
  expect_failure(out, "payload-resigned", resign_with_other_key, TB_CHECK_BINDING);
  expect_failure(out, "signature-flipped", flip_signature, TB_CHECK_SIGNATURE);
  expect_failure(out, "public-key-swapped", swap_public_key, TB_CHECK_SIGNATURE);
  expect_failure(out, "quote-report-data", flip_report_data, TB_CHECK_BINDING);
  expect_failure(out, "quote-signed-body", flip_signed_body, TB_CHECK_QUOTE);
  expect_failure(out, "bundle-truncated", truncate_bundle, TB_CHECK_BUNDLE);

  /* A root carried by someone else's simulator is not ours: the quote must not verify. */
  cleanup_free char *other = copy_of(out, "other-sim-root");
  char *saved = sim_dir;
  sim_dir = xasprintf("%s/another-sim", tmp_root);
  CHECK(strcmp(first_failure(other, true, buf), TB_CHECK_QUOTE) == 0, "a quote from another simulation root fails");
  free(sim_dir);
  sim_dir = saved;

  cleanup_free char *none = xasprintf("%s/out-none", tmp_root);
  put(none, "artifacts/a.txt", "hello\n");
  CHECK(seal(none, "none") == 0, "seal with --tee none");
  CHECK(strcmp(first_failure(none, true, buf), TB_CHECK_QUOTE) == 0, "no evidence fails the quote check");
}

/* A real TDX quote (dcap-qvl's sample, Intel-rooted, with its collateral) in a bundle that claims
 * dstack: the hardware path of verify runs DCAP to the pinned Intel root and accepts the quote, and
 * the binding check still refuses it, since that quote never saw our statement. */
static void test_hardware_quote(void) {
  const char *data = getenv("TB_TESTDATA");
  if (data == NULL) {
    CHECK(0, "TB_TESTDATA is set");
    return;
  }
  cleanup_free char *out = xasprintf("%s/out-hw", tmp_root);
  put(out, "artifacts/a.txt", "hello\n");
  CHECK(seal(out, "none") == 0, "seal, then swap in a real quote");
  cleanup_free char *qpath = xasprintf("%s/tdx/dcapqvl_tdx_quote.bin", data);
  cleanup_free char *cpath = xasprintf("%s/tdx/dcapqvl_tdx_quote_collateral.json", data);
  cleanup_free char *quote = NULL, *collateral = NULL;
  size_t qlen = 0, clen = 0;
  cleanup_error tb_error *e = NULL;
  if (tb_read_file(qpath, 1 << 20, &quote, &qlen, &e) < 0 || tb_read_file(cpath, 1 << 22, &collateral, &clen, &e) < 0) {
    CHECK(0, "read the dcap-qvl sample: %s", e->msg);
    return;
  }
  cleanup_json json_t *b = load_bundle(out);
  cleanup_free char *b64 = tb_base64_encode(quote, qlen);
  json_t *tee = json_object_get(b, "tee");
  json_object_set_new(tee, "provider", json_string("dstack"));
  json_object_set_new(tee, "quote", json_string(b64));
  save_bundle(out, b);
  struct tb_verify_options o = {.out_dir = out, .collateral_json = collateral, .now = 1752919234, .sim_dir = sim_dir};
  struct tb_verify_report r;
  cleanup_error tb_error *ve = NULL;
  int ret = tb_verify(&o, &r, &ve);
  const struct tb_verify_check *binding = NULL, *quote_check = NULL, *tee_check = NULL;
  for (size_t i = 0; i < r.n_checks; i++) {
    if (strcmp(r.checks[i].name, TB_CHECK_BINDING) == 0)
      binding = &r.checks[i];
    if (strcmp(r.checks[i].name, TB_CHECK_QUOTE) == 0)
      quote_check = &r.checks[i];
    if (strcmp(r.checks[i].name, TB_CHECK_TEE) == 0)
      tee_check = &r.checks[i];
  }
  CHECK(ret < 0 && binding && !binding->ok, "the binding check refuses a quote over someone else's report_data");
  CHECK(quote_check && quote_check->ok && strcmp(r.tcb_status, "UpToDate") == 0,
        "the quote verifies to the Intel root with its collateral (%s)", quote_check ? quote_check->detail : "");
  CHECK(quote_check && strstr(quote_check->detail, "Intel SGX root"), "a dstack quote is not taken for simulated");
  CHECK(tee_check && !tee_check->ok && strstr(tee_check->detail, "the bundle says provider dstack, the signed statement"),
        "the tee check names the relabelled provider (%s)", tee_check ? tee_check->detail : "");
  tb_verify_report_clear(&r);
}

static void test_deterministic(void) {
  cleanup_free char *out = xasprintf("%s/out", tmp_root);
  cleanup_json json_t *a = statement_for(out, "simulated"), *b = statement_for(out, "simulated");
  json_t *meta_a = json_object_get(json_object_get(json_object_get(a, "predicate"), "runDetails"), "metadata");
  json_t *meta_b = json_object_get(json_object_get(json_object_get(b, "predicate"), "runDetails"), "metadata");
  CHECK(!json_equal(meta_a, meta_b), "invocationId differs between runs");
  json_object_del(json_object_get(json_object_get(a, "predicate"), "runDetails"), "metadata");
  json_object_del(json_object_get(json_object_get(b, "predicate"), "runDetails"), "metadata");
  cleanup_free char *ca = NULL, *cb = NULL;
  size_t la = 0, lb = 0;
  cleanup_error tb_error *e = NULL;
  CHECK(tb_json_canonical(a, &ca, &la, &e) == 0 && tb_json_canonical(b, &cb, &lb, &e) == 0 && la == lb &&
            memcmp(ca, cb, la) == 0,
        "same job, same canonical bytes apart from runDetails.metadata");
}

static void test_tee_sim(void) {
  cleanup_free char *sock = xasprintf("%s/agent.sock", tmp_root);
  struct tb_tee_sim *sim = NULL;
  cleanup_error tb_error *e = NULL;
  CHECK(tb_tee_sim_start(sock, sim_dir, &sim, &e) == 0, "tee-sim listens on %s", sock);
  cleanup_json json_t *req = json_pack("{s:s}", "report_data", "1234"), *reply = NULL;
  CHECK(tb_agent_call(sock, "/GetQuote", req, &reply, &e) == 0, "GetQuote");
  const char *rd = json_string_value(json_object_get(reply, "report_data"));
  CHECK(rd && strlen(rd) == 128 && strncmp(rd, "1234", 4) == 0 && strspn(rd + 4, "0") == 124,
        "report_data is right-padded with zeros to 64 bytes");
  cleanup_free unsigned char *quote = NULL;
  size_t quote_len = 0;
  struct tdx_quote *q = NULL;
  CHECK(tb_agent_hex_field(reply, "quote", &quote, &quote_len, &e) == 0 &&
            tdx_quote_parse(quote, quote_len, &q, &e) == 0 && q->body.report_data[0] == 0x12 &&
            q->body.report_data[1] == 0x34 && q->body.report_data[63] == 0,
        "the quote is a TDX quote carrying the padded report_data");
  if (q)
    tdx_quote_free(q);
  cleanup_json json_t *info = NULL, *k1 = NULL, *k2 = NULL, *empty = json_object();
  CHECK(tb_agent_call(sock, "/Info", empty, &info, &e) == 0 &&
            strcmp(json_string_value(json_object_get(info, "tee")), "simulated") == 0,
        "Info says the TEE is simulated");
  cleanup_json json_t *kreq = json_pack("{s:s, s:s}", "path", "wallet/eth", "purpose", "signing");
  CHECK(tb_agent_call(sock, "/GetKey", kreq, &k1, &e) == 0 && tb_agent_call(sock, "/GetKey", kreq, &k2, &e) == 0 &&
            json_equal(json_object_get(k1, "key"), json_object_get(k2, "key")) &&
            strlen(json_string_value(json_object_get(k1, "key"))) == 64,
        "GetKey is deterministic per path");
  cleanup_json json_t *bad = json_pack("{s:s}", "report_data", "zz"), *r2 = NULL;
  cleanup_error tb_error *e2 = NULL;
  CHECK(tb_agent_call(sock, "/GetQuote", bad, &r2, &e2) < 0 && strstr(e2->msg, "HTTP 400") &&
            strstr(e2->msg, "report_data"),
        "bad report_data: HTTP 400 with the agent's error (%s)", e2 ? e2->msg : "");
  tb_tee_sim_stop(sim);
  CHECK(access(sock, F_OK) != 0, "the socket is removed on stop");
}

int main(void) {
  cleanup_error tb_error *e = NULL;
  if (tb_mkdtemp_in("/tmp", "tb-attest-", &tmp_root, &e) < 0)
    return 1;
  sim_dir = xasprintf("%s/sim", tmp_root);
  test_tee_sim();
  test_round_trip();
  test_deterministic();
  test_hardware_quote();
  tb_rm_rf(tmp_root, &e);
  free(sim_dir);
  free(tmp_root);
  return check_done();
}
