/* teebuild quote verify QUOTE: full DCAP verification of any TDX quote (binary, hex, 0x-hex, or a
 * dstack GetQuote JSON response, whose event log is then replayed against the quote's RTMRs).
 * `teebuild quote` with anything else asks a TEE for a raw quote (cmd_quote_raw). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest/dcap.h"
#include "attest/eventlog.h"
#include "attest/policy.h"
#include "attest/quote_tdx.h"
#include "attest/sim_quote.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/cli.h"
#include "runner/tee_setup.h"
#include "toolchains/store.h"

static const char usage[] =
    "usage: teebuild quote verify QUOTE [--collateral FILE] [--time UNIX_S] [--policy FILE] [--json]\n"
    "                             [--allow-simulated] [--sim-root DIR]\n"
    "       teebuild quote --report-data HEX   (a raw quote from the TEE; see 'teebuild quote --help')\n"
    "\n"
    "Verify a TDX quote (v4 or v5) with Intel DCAP: the PCK chain to the pinned Intel SGX Root CA with\n"
    "its CRLs, the TCB info and QE identity (signatures, issuer chains, validity), the QE report\n"
    "signature, the attestation key hash, the quote signature, the TCB level and TDX module identity.\n"
    "QUOTE is a file: binary, hex (optionally 0x-prefixed), or a dstack GetQuote JSON response (its\n"
    "event log must then replay to the quote's RTMR0-3).\n"
    "\n"
    "--collateral FILE   QuoteCollateralV3 JSON (as dcap-qvl gives it)\n"
    "--pccs URL          fetch the collateral from a PCCS or Intel PCS base URL instead (cached in the\n"
    "                    store under dcap-collateral/ while valid); one of the two is required\n"
    "--time UNIX_S       verify at this time instead of now (collateral expires after about 30 days)\n"
    "--policy FILE       accepted TCB statuses and measurements (default: UpToDate only)\n"
    "--allow-simulated   trust teebuild's simulation root instead of Intel's (tee-sim quotes); the\n"
    "                    collateral may come from `teebuild tee-sim --listen` with --pccs; without\n"
    "                    --collateral or --pccs it is made by the local simulation for --time\n"
    "--sim-root DIR      the simulation root to trust (default: STORE/tee-sim)\n"
    "--json              {\"ok\", \"status\", \"advisoryIds\", \"version\", \"teeType\", \"mrtd\", \"rtmr0\"..\"rtmr3\",\n"
    "                    \"reportData\", \"error\"} on stdout\n"
    "\n"
    "Exit status: 0 verified and allowed by the policy; 6 a check failed (named first on stderr);\n"
    "2 usage; 3 unreadable input.\n";

struct quote_verify_args {
  const char *quote, *collateral, *pccs, *policy, *sim_root;
  int64_t now;
  bool allow_simulated, help;
};

static int parse_args(int argc, char **argv, struct quote_verify_args *a, tb_error **err) {
  enum { COLLATERAL = 1, TIME, POLICY, PCCS, ALLOW_SIM, SIM_ROOT };
  static const struct option long_opts[] = {{"collateral", required_argument, NULL, COLLATERAL},
                                            {"time", required_argument, NULL, TIME},
                                            {"policy", required_argument, NULL, POLICY},
                                            {"pccs", required_argument, NULL, PCCS},
                                            {"allow-simulated", no_argument, NULL, ALLOW_SIM},
                                            {"sim-root", required_argument, NULL, SIM_ROOT},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
  int opt;
  char *end = NULL;
  optind = 0; /* options may follow QUOTE: let getopt permute */
  while ((opt = tb_getopt(argc, argv, "quote verify", "h", long_opts, err)) != -1) {
    switch (opt) {
    case COLLATERAL: a->collateral = optarg; break;
    case POLICY: a->policy = optarg; break;
    case SIM_ROOT: a->sim_root = optarg; break;
    case ALLOW_SIM: a->allow_simulated = true; break;
    case TIME:
      a->now = strtoll(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || a->now < 0)
        return tb_usage_error(err, "quote verify", "--time: not a Unix time in seconds: %s", optarg);
      break;
    case PCCS: a->pccs = optarg; break;
    case 'h': a->help = true; return 0;
    default: return -1;
    }
  }
  if (optind != argc - 1)
    return tb_usage_error(err, "quote verify", "expected exactly one QUOTE file");
  a->quote = argv[optind];
  if (a->collateral && a->pccs)
    return tb_usage_error(err, "quote verify", "--collateral and --pccs exclude each other");
  if (a->collateral == NULL && a->pccs == NULL && !a->allow_simulated)
    return tb_usage_error(err, "quote verify", "--collateral FILE or --pccs URL is required");
  return 0;
}

/* The event log of a dstack GetQuote response (or `teebuild --json quote` output), if QUOTE was one;
 * NULL otherwise. */
static int read_event_log(const char *path, json_t **events, tb_error **err) {
  *events = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = tb_read_file(path, 16u << 20, &text, &len, err);
  if (ret < 0)
    return ret;
  const char *s = text;
  while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
    s++;
  if (*s != '{')
    return 0;
  cleanup_json json_t *resp = NULL;
  if (tb_json_load_buf(path, text, len, &resp, err) < 0)
    return -1;
  const json_t *log = json_object_get(resp, "event_log"); /* dstack's name; teebuild's own is eventLog */
  if (log == NULL)
    log = json_object_get(resp, "eventLog");
  return log ? eventlog_parse(log, events, err) : 0;
}

/* STORE/dcap-collateral, or NULL (no cache) when the store cannot be opened. A simulation's
 * collateral is never cached: another tee-sim (another root) may serve the same URL next, and the
 * cache is keyed by URL and platform only. */
static char *collateral_cache_dir(const struct tb_globals *g, const struct quote_verify_args *a) {
  if (a->allow_simulated)
    return NULL;
  struct store *store = NULL;
  tb_error *e = NULL;
  if (store_open(g->store_dir, &store, &e) < 0) {
    tb_error_free(&e);
    return NULL;
  }
  char *dir = xasprintf("%s/dcap-collateral", store_path(store));
  store_close(store);
  return dir;
}

/* Trust anchor and collateral: Intel's root with the given or fetched collateral, or the simulation's. */
static int load_trust(const struct tb_globals *g, const struct quote_verify_args *a, const struct tdx_quote *q,
                      unsigned char **root, size_t *root_len, char **collateral, tb_error **err) {
  size_t len = 0;
  if (a->collateral && tb_read_file(a->collateral, 16u << 20, collateral, &len, err) < 0)
    return tb_error_wrap(err, "--collateral");
  if (a->pccs) {
    cleanup_free char *cache = collateral_cache_dir(g, a);
    if (dcap_fetch_collateral(a->pccs, q, cache, a->now, collateral, err) < 0)
      return -1;
  }
  if (!a->allow_simulated) {
    *root = xmalloc(dcap_intel_root_ca_der_len);
    memcpy(*root, dcap_intel_root_ca_der, dcap_intel_root_ca_der_len);
    *root_len = dcap_intel_root_ca_der_len;
    return 0;
  }
  cleanup_free char *sim_dir = NULL;
  int ret = tee_sim_dir(g->store_dir, a->sim_root, &sim_dir, err);
  if (ret == 0)
    ret = sim_root_der(sim_dir, root, root_len, err);
  if (ret == 0 && *collateral == NULL)
    ret = sim_collateral_json(sim_dir, a->now, collateral, err);
  return ret;
}

/* Every check, in order; the first failure fills *err. *q and *verdict are filled as far as reached. */
static int verify_quote(const struct tb_globals *g, const struct quote_verify_args *a, struct tdx_quote **q,
                        struct dcap_verdict *verdict, bool *dcap_done, tb_error **err) {
  cleanup_free unsigned char *bytes = NULL, *root = NULL;
  cleanup_free char *collateral = NULL;
  cleanup_json json_t *policy = NULL, *events = NULL;
  size_t len = 0, root_len = 0;
  int ret = tdx_quote_read_file(a->quote, &bytes, &len, err);
  if (ret == 0)
    ret = read_event_log(a->quote, &events, err);
  if (ret == 0 && a->policy)
    ret = policy_load(a->policy, &policy, err);
  if (ret == 0)
    ret = tdx_quote_parse(bytes, len, q, err);
  if (ret == 0)
    ret = load_trust(g, a, *q, &root, &root_len, &collateral, err);
  if (ret == 0)
    ret = dcap_verify(*q, collateral, root, root_len, a->now, verdict, err);
  if (ret < 0)
    return ret;
  *dcap_done = true;
  cleanup_free char *cache = a->pccs ? collateral_cache_dir(g, a) : NULL;
  if (cache)
    dcap_cache_collateral(a->pccs, *q, cache, collateral);
  if (events && (ret = eventlog_check_quote(events, *q, err)) < 0)
    return ret;
  if ((ret = policy_check_tcb(policy, verdict->status, err)) < 0)
    return ret;
  return policy_check_measurements(policy, *q, events, err);
}

static void set_hex(json_t *o, const char *key, const unsigned char *p, size_t n) {
  char hex[2 * 64 + 1];
  tb_hex_encode(p, n, hex);
  json_object_set_new(o, key, json_string(hex));
}

/* design.md's `quote verify --json` object. */
static json_t *result_json(const struct tdx_quote *q, const struct dcap_verdict *v, bool dcap_done, const tb_error *err) {
  json_t *o = json_object();
  json_object_set_new(o, "ok", json_boolean(err == NULL));
  /* The same keys whatever the outcome: status is null when DCAP did not reach a TCB status
   * (unreadable quote, collateral that does not verify, no matching TCB level). */
  json_object_set_new(o, "status", dcap_done ? json_string(v->status) : json_null());
  json_t *ids = json_array();
  for (size_t i = 0; dcap_done && i < v->n_advisories; i++)
    json_array_append_new(ids, json_string(v->advisory_ids[i]));
  json_object_set_new(o, "advisoryIds", ids);
  /* as loud as the human output: a simulated quote proves nothing about a machine */
  json_object_set_new(o, "simulated", json_boolean(dcap_done && v->simulated));
  if (q) {
    json_object_set_new(o, "version", json_integer(q->version));
    json_object_set_new(o, "teeType", json_string("TDX"));
    set_hex(o, "mrtd", q->body.mr_td, 48);
    static const char *const names[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
    for (int i = 0; i < 4; i++)
      set_hex(o, names[i], q->body.rtmr[i], 48);
    set_hex(o, "reportData", q->body.report_data, 64);
  }
  if (err)
    json_object_set_new(o, "error", json_string(err->msg));
  return o;
}

static void print_human(const struct tdx_quote *q, const struct dcap_verdict *v) {
  char mrtd[97], rd[129];
  tb_hex_encode(q->body.mr_td, 48, mrtd);
  tb_hex_encode(q->body.report_data, 64, rd);
  printf("quote verify: ok: %s%s (TDX quote v%u)\n", v->status, v->simulated ? ", SIMULATED (teebuild sim root, not Intel)" : "",
         q->version);
  for (size_t i = 0; i < v->n_advisories; i++)
    printf("advisory: %s\n", v->advisory_ids[i]);
  printf("mrtd: %s\nreportData: %s\n", mrtd, rd);
}

static int cmd_quote_verify(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  struct quote_verify_args a = {.now = (int64_t)time(NULL)};
  if (parse_args(argc, argv, &a, err) < 0)
    return TB_EXIT_USAGE;
  if (a.help) {
    (void)fputs(usage, stdout);
    return 0;
  }
  cleanup_tdx_quote struct tdx_quote *q = NULL;
  struct dcap_verdict v = {0};
  bool dcap_done = false;
  int ret = verify_quote(g, &a, &q, &v, &dcap_done, err);
  /* --json answers every outcome past the command line, unreadable input (exit 3) included. */
  if (g->json) {
    cleanup_json json_t *o = result_json(q, &v, dcap_done, ret < 0 ? *err : NULL);
    tb_print_json_result(o);
  } else if (ret == 0 && q) {
    print_human(q, &v);
  }
  dcap_verdict_clear(&v);
  if (ret < 0) {
    tb_error_wrap(err, "quote verify");
    return tb_error_exit_code(*err);
  }
  return 0;
}

int cmd_quote(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  if (argc >= 2 && strcmp(argv[1], "verify") == 0)
    return cmd_quote_verify(g, argc - 1, argv + 1, err);
  return cmd_quote_raw(g, argc, argv, err);
}
