/* teebuild audit: Slither on exactly what a build compiled, as an attested job chained to the build.
 *
 * The build's standard-JSON input and output become crytic-compile's archive export (so Slither
 * never runs solc), which is the job's only input; the build is verified while the archive is
 * made, before Slither starts, and only a build that verified gets an audit: its bundle and subjects join the audit's
 * resolvedDependencies, so the audit names the exact bytecode it read. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest/bundle.h"
#include "attest/links.h"
#include "attest/policy.h"
#include "attest/subjects.h"
#include "attest/verify.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runner/cli.h"
#include "runner/job.h"
#include "runner/paths.h"
#include "runner/slither_archive.h"
#include "runner/slither_report.h"
#include "runner/tee_setup.h"

/* The Slither pack toolchains/slither/ makes (requirements.txt pins it). */
#define SLITHER_DEFAULT_VERSION "0.11.6"
#define AUDIT_JSON_MAX_BYTES (64u << 20)

static const char usage[] =
    "usage: teebuild audit --build OUT -o AUDIT [options]\n"
    "       teebuild audit --source FILE|DIR --solc VERSION [--build OUT] -o AUDIT [options]\n"
    "\n"
    "Run Slither in the jail on exactly what a teebuild build compiled. Slither reads\n"
    "crytic-compile's archive made from the build's solc-input.json and solc-output.json (sources\n"
    "under /src), never running solc itself; the build's bundle is verified meanwhile, and a build\n"
    "that does not verify gets no audit (exit 6). With --source, the\n"
    "sources are built first (a second attested job) into --build OUT, by default AUDIT.build.\n"
    "\n"
    "  --build OUT            the build to audit (or, with --source, where to build)\n"
    "  --source FILE|DIR      build this contract file (alone) or directory first\n"
    "  --solc VERSION         with --source: the solc to build with (as 'teebuild build --solc')\n"
    "  --slither VERSION      Slither toolchain slither@VERSION (default " SLITHER_DEFAULT_VERSION ")\n"
    "  --fail-on LEVEL        high|medium|low|informational|none (default high): exit 1 when a\n"
    "                         finding has this impact or a higher one (informational: any finding)\n"
    "  --detectors LIST       run only these Slither detectors (comma-separated)\n"
    "  --exclude LIST         do not run these detectors\n"
    "  --allow-simulated      accept a build attested by the simulated TEE (implied by --tee simulated)\n"
    "  --policy FILE, --collateral FILE, --pccs URL\n"
    "                         how the build is verified, as for 'teebuild verify'\n" JOB_OPTIONS_HELP
    "\n"
    "AUDIT/artifacts holds slither.json (Slither's JSON report) and slither.sarif (SARIF 2.1.0).\n"
    "Exit status: 0 no finding at --fail-on; 1 findings at --fail-on, or Slither failed (its own\n"
    "message follows the first line); 3 bad input; 4 jail; 5 attestation; 6 the build does not verify.\n";

enum {
  OPT_BUILD = 0x200,
  OPT_SOURCE,
  OPT_SOLC,
  OPT_SLITHER,
  OPT_FAIL_ON,
  OPT_DETECTORS,
  OPT_EXCLUDE,
  OPT_SIMULATED,
  OPT_POLICY,
  OPT_COLLATERAL,
  OPT_PCCS,
};

struct audit_args {
  const char *build;
  const char *source;
  const char *solc;
  const char *slither;
  const char *fail_on;
  int fail_level;
  const char *detectors;
  const char *exclude;
  bool allow_simulated;
  const char *policy, *collateral, *pccs; /* verifying the build */
  struct job_options job;
};

static int take_audit_option(int opt, struct audit_args *a, tb_error **err) {
  switch (opt) {
  case OPT_BUILD: a->build = optarg; return 0;
  case OPT_SOURCE: a->source = optarg; return 0;
  case OPT_SOLC: a->solc = optarg; return 0;
  case OPT_SLITHER: a->slither = optarg; return 0;
  case OPT_DETECTORS: a->detectors = optarg; return 0;
  case OPT_EXCLUDE: a->exclude = optarg; return 0;
  case OPT_SIMULATED: a->allow_simulated = true; return 0;
  case OPT_POLICY: a->policy = optarg; return 0;
  case OPT_COLLATERAL: a->collateral = optarg; return 0;
  case OPT_PCCS: a->pccs = optarg; return 0;
  case OPT_FAIL_ON:
    a->fail_on = optarg;
    if (slither_fail_level_parse(optarg, &a->fail_level) < 0)
      return tb_usage_error(err, "audit", "--fail-on: \"%s\" is not high|medium|low|informational|none", optarg);
    return 0;
  default: return tb_usage_error(err, "audit", "unknown option");
  }
}

/* Returns 1 after printing --help. */
static int parse_args(int argc, char **argv, struct audit_args *a, tb_error **err) {
  static const struct option long_opts[] = {
      JOB_LONG_OPTIONS,
      {"build", required_argument, NULL, OPT_BUILD},
      {"source", required_argument, NULL, OPT_SOURCE},
      {"solc", required_argument, NULL, OPT_SOLC},
      {"slither", required_argument, NULL, OPT_SLITHER},
      {"fail-on", required_argument, NULL, OPT_FAIL_ON},
      {"detectors", required_argument, NULL, OPT_DETECTORS},
      {"exclude", required_argument, NULL, OPT_EXCLUDE},
      {"allow-simulated", no_argument, NULL, OPT_SIMULATED},
      {"policy", required_argument, NULL, OPT_POLICY},
      {"collateral", required_argument, NULL, OPT_COLLATERAL},
      {"pccs", required_argument, NULL, OPT_PCCS},
      {0},
  };
  *a = (struct audit_args){.slither = SLITHER_DEFAULT_VERSION, .fail_on = "high", .fail_level = SLITHER_HIGH};
  int opt, ret;
  optind = 0;
  while ((opt = tb_getopt(argc, argv, "audit", "o:h", long_opts, err)) != -1) {
    if (opt == 'h') {
      (void)fputs(usage, stdout);
      return 1;
    }
    if (opt == '?')
      return -EINVAL;
    if (!job_options_take(opt, optarg, &a->job) && (ret = take_audit_option(opt, a, err)) < 0)
      return ret;
  }
  if (optind < argc)
    return tb_usage_error(err, "audit", "unexpected argument %s", argv[optind]);
  if (a->source == NULL && a->build == NULL)
    return tb_usage_error(err, "audit", "give --build OUT, or --source FILE|DIR --solc VERSION");
  if ((a->source == NULL) != (a->solc == NULL))
    return tb_usage_error(err, "audit", "--source and --solc go together");
  if (a->job.out == NULL)
    return tb_usage_error(err, "audit", "-o AUDIT is required");
  if (a->collateral && a->pccs)
    return tb_usage_error(err, "audit", "--collateral and --pccs exclude each other");
  return 0;
}

static void rm_tmpdirp(char **dir) {
  if (*dir)
    tb_rm_rf(*dir, NULL);
  free(*dir);
}
#define cleanup_tmpdir __attribute__((cleanup(rm_tmpdirp)))

static const char *tmp_root(void) { return getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp"; }

/* A single contract file is built alone: `teebuild build` compiles a whole directory. */
static int source_dir(const char *source, char **tmp, const char **dir, tb_error **err) {
  struct stat st;
  if (stat(source, &st) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "--source %s", source);
  if (S_ISDIR(st.st_mode)) {
    *dir = source;
    return 0;
  }
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = tb_read_file(source, AUDIT_JSON_MAX_BYTES, &text, &len, err);
  if (ret == 0)
    ret = tb_mkdtemp_in(tmp_root(), "teebuild-audit-src-", tmp, err);
  if (ret < 0)
    return ret;
  const char *base = strrchr(source, '/');
  cleanup_free char *copy = xasprintf("%s/%s", *tmp, base ? base + 1 : source);
  *dir = *tmp;
  return tb_write_file_staged(copy, text, len, 0644, err);
}

/* The first of the two chained jobs: an ordinary `teebuild build`, reporting as it always does
 * (but never on stdout: --json is the audit's result alone). */
static int build_first(const struct tb_globals *g, const struct audit_args *a, const char *build_out, tb_error **err) {
  cleanup_tmpdir char *tmp = NULL;
  const char *dir = NULL;
  int ret = source_dir(a->source, &tmp, &dir, err);
  if (ret < 0)
    return ret;
  struct tb_globals quiet = *g;
  quiet.json = false;
  char *argv[] = {"build", (char *)dir, "--solc", (char *)a->solc, "-o", (char *)build_out,
                  a->job.force ? "--force" : NULL, NULL};
  int status = cmd_build(&quiet, a->job.force ? 7 : 6, argv, err);
  if (status == 0)
    return 0;
  if (*err == NULL) /* the build ran and failed; it already said why */
    tb_error_set(err, status, 0, "the build of %s failed", a->source);
  return tb_error_wrap(err, "audit");
}

/* Something that is no teebuild output at all is bad input, not a failed verification. */
static int check_is_output(const char *build, tb_error **err) {
  cleanup_free char *bundle = xasprintf("%s/" TB_BUNDLE_FILE, build);
  if (access(bundle, F_OK) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "--build %s is not a teebuild output (no " TB_BUNDLE_FILE ")",
                        build);
  return 0;
}

/* The path from directory `from` to `to` (both absolute and resolved), malloc'ed: "../" for each
 * directory of from below their common ancestor, then the rest of to. */
static char *relative_path(const char *from, const char *to) {
  size_t common = 0; /* the longest shared prefix ending at a component boundary in both */
  for (size_t i = 0;; i++) {
    if ((from[i] == '\0' || from[i] == '/') && (to[i] == '\0' || to[i] == '/'))
      common = i;
    if (from[i] != to[i] || from[i] == '\0')
      break;
  }
  size_t ups = 0;
  for (const char *p = from + common; *p; p++)
    ups += *p == '/' && p[1] != '\0' && p[1] != '/';
  const char *rest = to + common + (to[common] == '/');
  char *rel = xmalloc(3 * ups + strlen(rest) + 1);
  char *end = rel;
  for (size_t i = 0; i < ups; i++)
    end = stpcpy(end, "../");
  stpcpy(end, rest);
  return rel;
}

/* Where the build lies seen from AUDIT ("../build"): verify follows it to check the build still
 * holds what was audited, and a relative path keeps host paths out of the statement. */
static int build_seen_from_audit(const char *build, const char *audit, char **rel, tb_error **err) {
  cleanup_free char *parent = path_dirname(audit);
  int ret = tb_mkdir_p(parent, 0755, err);
  if (ret < 0)
    return ret;
  cleanup_free char *from = realpath(parent, NULL);
  cleanup_free char *to = realpath(build, NULL);
  if (from == NULL || to == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "resolve %s", from == NULL ? parent : build);
  cleanup_free char *below = relative_path(from, to);
  *rel = xasprintf("../%s", below); /* out of AUDIT itself */
  return 0;
}

/* The build the audit read, as resolvedDependencies: its bundle (with where it lies, REL), then each
 * subject of its verified statement. */
static json_t *build_link(const char *rel, const char *bundle_hex, const json_t *subjects) {
  json_t *list = json_array();
  json_array_append_new(list, json_pack("{s:s, s:{s:s}, s:{s:s}}", "name", "build/" TB_BUNDLE_FILE, "digest", "sha256",
                                        bundle_hex, "annotations", TB_LINK_OUT_ANNOTATION, rel));
  const char *name;
  json_t *sha;
  json_object_foreach((json_t *)subjects, name, sha) {
    cleanup_free char *dep = xasprintf("build/%s", name);
    json_array_append_new(list, json_pack("{s:s, s:{s:O}}", "name", dep, "digest", "sha256", sha));
  }
  return list;
}

/* The archive is made from bytes read before the verdict: they must be the ones the verified
 * statement lists, or Slither may have read something else than what was verified. */
static int check_read_as_verified(const json_t *subjects, const char *name, const char *data, size_t len,
                                  tb_error **err) {
  unsigned char md[TB_SHA256_LEN];
  char hex[TB_SHA256_HEX_LEN + 1];
  tb_sha256_buf(data, len, md);
  tb_hex_encode(md, sizeof(md), hex);
  const char *verified = json_string_value(json_object_get(subjects, name));
  if (verified == NULL || strcmp(verified, hex) != 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "%s changed during the audit (read: sha256 %s; verified: %s)", name,
                        hex, verified ? verified : "none");
  return 0;
}

/* The build is verified in a thread beside the archive export, and the verdict is awaited before
 * Slither's jail starts: a build that does not verify is refused before anything runs. Awaiting it
 * there also keeps the process single-threaded while the jail starts; a threaded caller makes the
 * jail fork its supervisor, and a fork while the verification holds an allocator lock hung under
 * ASan, whose allocator is not fork-safe. The archive comes from bytes read once and checked against
 * the verified statement (complete_record), not from a second read of the build. A thread, not a
 * fork: a bare fork of this threaded process could inherit a lock another thread held. */
struct verdict {
  const char *build, *rel;
  json_t *policy;
  char *collateral, *sim_dir;
  struct tb_verify_options opts;
  pthread_t thread;
  bool running;
  /* the outcome: 0 with what the verified statement lists and the build's resolvedDependencies, or
   * < 0 with err */
  int ret;
  tb_error *err;
  json_t *subjects, *deps;
  char bundle_hex[TB_SHA256_HEX_LEN + 1];
};

static int reach_verdict(struct verdict *v, tb_error **err) {
  struct tb_verify_report report;
  int ret = tb_verify(&v->opts, &report, err);
  if (ret < 0) {
    tb_verify_report_clear(&report);
    return tb_error_wrap(err, "build %s does not verify", v->build);
  }
  cleanup_free char *bundle = xasprintf("%s/" TB_BUNDLE_FILE, v->build);
  ret = tb_subjects_listed(report.statement, &v->subjects, err);
  tb_verify_report_clear(&report);
  if (ret == 0)
    ret = tb_sha256_file_hex(bundle, v->bundle_hex, err);
  if (ret < 0)
    return tb_error_wrap(err, "build %s", v->build);
  v->deps = build_link(v->rel, v->bundle_hex, v->subjects);
  return 0;
}

static void *verdict_thread(void *opaque) {
  struct verdict *v = opaque;
  v->ret = reach_verdict(v, &v->err);
  return NULL;
}

/* How the build is to be verified, loaded here so that a bad --policy or --collateral is reported as
 * such before anything runs; then the verification starts (in this thread when no other starts). */
static int verdict_start(const struct tb_globals *g, const struct audit_args *a, struct verdict *v, tb_error **err) {
  size_t len = 0;
  int ret = tee_sim_dir(g->store_dir, NULL, &v->sim_dir, err);
  if (ret == 0 && a->policy)
    ret = policy_load(a->policy, &v->policy, err);
  if (ret == 0 && a->collateral)
    ret = tb_read_file(a->collateral, AUDIT_JSON_MAX_BYTES, &v->collateral, &len, err);
  if (ret < 0)
    return ret;
  v->opts = (struct tb_verify_options){
      .out_dir = v->build,
      .policy = v->policy,
      .collateral_json = v->collateral,
      .pccs_url = a->pccs,
      .now = time(NULL),
      .allow_simulated = a->allow_simulated || strcmp(g->tee, "simulated") == 0,
      .sim_dir = v->sim_dir,
  };
  v->running = pthread_create(&v->thread, NULL, verdict_thread, v) == 0;
  if (!v->running)
    verdict_thread(v);
  return 0;
}

/* 0, or < 0 when the build does not verify; its error stays in v->err until someone reports it. */
static int verdict_await(struct verdict *v) {
  if (v->running) {
    pthread_join(v->thread, NULL);
    v->running = false;
  }
  return v->ret;
}

static void verdict_clear(struct verdict *v) {
  verdict_await(v);
  tb_error_free(&v->err);
  json_decref(v->policy);
  json_decref(v->subjects);
  json_decref(v->deps);
  free(v->collateral);
  free(v->sim_dir);
}

static void add_option(json_t *argv, const char *flag, const char *value) {
  if (value == NULL)
    return;
  json_array_append_new(argv, json_string(flag));
  json_array_append_new(argv, json_string(value));
}

static json_t *lowered_job(const struct audit_args *a, const char *inputs_dir) {
  cleanup_free char *ref = xasprintf("slither@%s", a->slither);
  json_t *argv = json_pack("[s, s, s, s, s, s, s, s]", "/toolchain/slither/bin/slither",
                           SLITHER_ARCHIVE_ROOT "/" SLITHER_ARCHIVE_NAME, "--json", "/out/slither.json", "--sarif",
                           "/out/slither.sarif", "--fail-none", "--disable-color");
  add_option(argv, "--detect", a->detectors);
  add_option(argv, "--exclude", a->exclude);
  return json_pack("{s:{s:s}, s:o, s:s, s:s}", "toolchains", "slither", ref, "argv", argv, "inputs", inputs_dir,
                   "seccomp", "python");
}

/* What the user asked for; the build's bundle joins it with the verdict (complete_record). */
static json_t *external_parameters(const struct audit_args *a) {
  return json_pack("{s:s, s:s, s:s*, s:s*}", "slither", a->slither, "failOn", a->fail_on, "detectors", a->detectors,
                   "exclude", a->exclude);
}

struct collect_ctx {
  const char *fail_on; /* as the user named the level */
  int fail_level;
  bool counted;
  struct slither_counts counts;
  struct verdict *verdict;
  const struct slither_build_json *json; /* what the archive was made from */
  json_t *external, *deps;               /* the job record's, completed once the build has verified */
};

/* The record the audit is attested with names the build only once it has verified and the bytes
 * the archive was made from are the ones verified: the bundle in externalParameters, the bundle and
 * subjects in resolvedDependencies. */
static int complete_record(struct collect_ctx *ctx, tb_error **err) {
  struct verdict *v = ctx->verdict;
  int ret = verdict_await(v);
  if (ret < 0) {
    *err = steal_pointer(&v->err);
    return ret;
  }
  ret = check_read_as_verified(v->subjects, SLITHER_SOLC_INPUT, ctx->json->input, ctx->json->input_len, err);
  if (ret == 0)
    ret = check_read_as_verified(v->subjects, SLITHER_SOLC_OUTPUT, ctx->json->output, ctx->json->output_len, err);
  if (ret < 0)
    return tb_error_wrap(err, "build %s", v->build);
  json_object_set_new(ctx->external, "build", json_pack("{s:{s:s}}", "bundle", "sha256", v->bundle_hex));
  json_array_extend(ctx->deps, v->deps);
  return 0;
}

/* The last non-empty line of a log: what a crashed program said last. */
static char *last_line(const char *path) {
  cleanup_free char *text = NULL;
  size_t len = 0;
  cleanup_error tb_error *ignored = NULL;
  if (tb_read_file(path, AUDIT_JSON_MAX_BYTES, &text, &len, &ignored) < 0)
    return xstrdup("(no output)");
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
    text[--len] = '\0';
  char *nl = strrchr(text, '\n');
  return xstrdup(len == 0 ? "(no output)" : nl ? nl + 1 : text);
}

/* Slither's own words on a failure: the first line leads, the whole text follows as details. */
static int slither_failed(const char *message, tb_error **failure, char **details) {
  size_t first = strcspn(message, "\n");
  tb_error_set(failure, TB_EXIT_JOB_FAILED, 0, "slither failed: %.*s", (int)first, message);
  if (message[first] != '\0')
    *details = xasprintf("%s\n", message);
  return 1;
}

/* Nothing is attested before the verdict: a build that does not verify fails here (< 0, *err), and
 * the job's output is discarded unattested. Whatever else goes wrong is the audit job's failure,
 * reported through *failure. */
static int collect_report(struct job_run *run, void *opaque, tb_error **failure, char **details, tb_error **err) {
  struct collect_ctx *ctx = opaque;
  int ret = complete_record(ctx, err);
  if (ret < 0)
    return ret;
  const struct job_record *rec = job_run_record(run);
  if (rec->result.outcome != JAIL_EXITED) /* killed, timed out, a limit hit */
    return job_outcome(rec, failure) < 0 ? 1 : 0;
  const char *staging = job_staging_dir(run);
  int status = rec->result.exit_code;
  cleanup_free char *report = xasprintf("%s/artifacts/slither.json", staging);
  cleanup_free char *sarif = xasprintf("%s/artifacts/slither.sarif", staging);
  cleanup_free char *slither_error = NULL;
  cleanup_error tb_error *unreadable = NULL;
  ret = slither_report_read(report, &ctx->counts, &slither_error, &unreadable);
  if (ret == 1)
    return slither_failed(slither_error, failure, details);
  if (status != 0) {
    /* crashed (1) or refused its arguments (2) before writing a report: its stderr says why */
    cleanup_free char *log = xasprintf("%s/logs/stderr", staging);
    cleanup_free char *said = last_line(log);
    tb_error_set(failure, TB_EXIT_JOB_FAILED, 0, "slither exited with status %d: %s", status, said);
    return 1;
  }
  if (ret < 0) {
    tb_error_set(failure, TB_EXIT_JOB_FAILED, 0, "slither's report is unusable: %s", unreadable->msg);
    return 1;
  }
  if (access(sarif, F_OK) < 0) {
    tb_error_set(failure, TB_EXIT_JOB_FAILED, 0, "slither wrote no SARIF report");
    return 1;
  }
  ctx->counted = true;
  size_t failing = ctx->fail_level == SLITHER_FAIL_NONE ? 0 : slither_failing(&ctx->counts, ctx->fail_level);
  if (failing > 0) {
    tb_error_set(failure, TB_EXIT_JOB_FAILED, 0, "%zu finding%s at or above %s", failing, failing == 1 ? "" : "s",
                 ctx->fail_on);
    return 1;
  }
  return 0;
}

static char *file_sha256_hex(const char *path) {
  char hex[TB_SHA256_HEX_LEN + 1];
  cleanup_error tb_error *ignored = NULL;
  return tb_sha256_file_hex(path, hex, &ignored) < 0 ? NULL : xstrdup(hex);
}

/* design's audit --json: counts by impact, what was audited and what attests the audit. */
static void print_result(const char *out, const char *build, int exit_code, const struct collect_ctx *ctx) {
  cleanup_free char *bundle_path = xasprintf("%s/teebuild.bundle.json", out);
  cleanup_free char *prov_path = xasprintf("%s/provenance.json", out);
  cleanup_free char *contract_path = xasprintf("%s/artifacts/solc-output.json", build);
  cleanup_free char *report_path = xasprintf("%s/artifacts/slither.json", out);
  cleanup_free char *contract_hash = file_sha256_hex(contract_path);
  cleanup_free char *audit_hash = file_sha256_hex(report_path);
  cleanup_json json_t *bundle = NULL, *statement = NULL;
  cleanup_error tb_error *ignored = NULL, *ignored2 = NULL;
  tb_json_load_file(bundle_path, AUDIT_JSON_MAX_BYTES, &bundle, &ignored);
  tb_json_load_file(prov_path, AUDIT_JSON_MAX_BYTES, &statement, &ignored2);
  json_t *tee = json_object_get(bundle, "tee"), *provider = json_object_get(tee, "provider");
  json_t *started = json_object_get(
      json_object_get(json_object_get(json_object_get(statement, "predicate"), "runDetails"), "metadata"), "startedOn");
  cleanup_json json_t *result = json_pack(
      "{s:b, s:s, s:s, s:i, s:b, s:I, s:o, s:s?, s:s?, s:O?, s:O?, s:O?, s:s?}", "ok", exit_code == 0, "out", out,
      "build", build, "exitCode", exit_code, "passed", exit_code == 0 && ctx->counted, "findingsCount",
      (json_int_t)ctx->counts.total, "counts", slither_counts_json(&ctx->counts), "contractHash", contract_hash,
      "auditHash", audit_hash, "attestationQuote", json_object_get(tee, "quote"), "executedAt", started,
      "teeProvider", provider, "bundle", bundle ? bundle_path : NULL);
  /* and the names every job's --json uses (runner/job_result.c), beside the ones issue #5 set */
  json_object_set_new(result, "tee", json_is_string(provider) ? json_incref(provider) : json_string("none"));
  json_object_set_new(result, "subjects", json_integer((json_int_t)json_array_size(json_object_get(statement, "subject"))));
  tb_print_json_result(result);
}

/* One line for people: the counts by impact and the verdict against --fail-on. */
static void print_summary(const struct collect_ctx *ctx) {
  const struct slither_counts *c = &ctx->counts;
  tb_info("audit: %zu findings (high %zu, medium %zu, low %zu, informational %zu, optimization %zu); "
          "--fail-on %s: %s",
          c->total, c->by_impact[SLITHER_HIGH], c->by_impact[SLITHER_MEDIUM], c->by_impact[SLITHER_LOW],
          c->by_impact[SLITHER_INFORMATIONAL], c->by_impact[SLITHER_OPTIMIZATION], ctx->fail_on,
          slither_failing(c, ctx->fail_level) == 0 ? "passed" : "FAILED");
}

static void spec_clearp(struct job_spec *spec) { job_spec_clear(spec); }

/* A verification that failed is the audit's outcome, whatever else failed meanwhile. *err, if set,
 * is already wrapped. */
static int audit_failed(const struct tb_globals *g, const struct audit_args *a, struct verdict *v, tb_error **err) {
  if (verdict_await(v) < 0 && v->err != NULL) {
    tb_error_free(err);
    *err = steal_pointer(&v->err);
    tb_error_wrap(err, "audit");
  }
  if (g->json)
    job_print_failure(a->job.out, tb_error_exit_code(*err), *err);
  return tb_error_exit_code(*err);
}

static int audit(const struct tb_globals *g, struct audit_args *a, const char *build, tb_error **err) {
  cleanup_tmpdir char *tmp = NULL;
  cleanup_free char *rel = NULL;
  __attribute__((cleanup(slither_build_json_clear))) struct slither_build_json json = {0};
  __attribute__((cleanup(verdict_clear))) struct verdict v = {.build = build};
  __attribute__((cleanup(spec_clearp))) struct job_spec spec = {0};
  int ret = check_is_output(build, err);
  if (ret == 0)
    ret = tb_mkdtemp_in(tmp_root(), "teebuild-audit-", &tmp, err);
  if (ret == 0)
    ret = build_seen_from_audit(build, a->job.out, &rel, err);
  v.rel = rel;
  if (ret == 0)
    ret = verdict_start(g, a, &v, err);
  if (ret == 0)
    ret = slither_build_json_read(build, &json, err);
  if (ret == 0)
    ret = slither_archive_write(&json, build, tmp, err);
  cleanup_json json_t *job = ret == 0 ? lowered_job(a, tmp) : NULL;
  if (ret == 0)
    ret = job_spec_parse(job, tmp, "audit job", &spec, err);
  if (ret == 0)
    ret = verdict_await(&v); /* its error is v.err, which audit_failed reports */
  if (ret < 0) {
    tb_error_wrap(err, "audit");
    return audit_failed(g, a, &v, err);
  }
  cleanup_json json_t *deps = json_array();
  a->job.dependencies = deps;
  a->job.collect_always = true;
  struct collect_ctx ctx = {.fail_on = a->fail_on, .fail_level = a->fail_level, .verdict = &v, .json = &json,
                            .deps = deps, .external = external_parameters(a)};
  struct tb_globals quiet = *g;
  quiet.json = false; /* the audit's own --json result below replaces the job's */
  int status = job_command(&quiet, "audit", &spec, JOB_BUILD_TYPE_SLITHER, ctx.external, &a->job, collect_report,
                           &ctx, err);
  if (*err != NULL)
    return audit_failed(g, a, &v, err);
  if (g->json)
    print_result(a->job.out, build, status, &ctx);
  else if (ctx.counted)
    print_summary(&ctx);
  return status;
}

int cmd_audit(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  struct audit_args a;
  int ret = parse_args(argc, argv, &a, err);
  if (ret != 0)
    return ret > 0 ? 0 : tb_error_exit_code(*err);
  cleanup_free char *build = a.build ? xstrdup(a.build) : xasprintf("%s.build", a.job.out);
  if (a.source != NULL && build_first(g, &a, build, err) < 0) {
    if (g->json)
      job_print_failure(a.job.out, tb_error_exit_code(*err), *err);
    return tb_error_exit_code(*err);
  }
  return audit(g, &a, build, err);
}
