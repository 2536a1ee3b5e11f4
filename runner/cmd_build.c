/* teebuild build: Solidity compiled by a pinned solc in the jail, lowered to one job. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/cli.h"
#include "runner/job.h"
#include "runner/solc_artifacts.h"
#include "runner/solc_input.h"

#define SOLC_OUTPUT_MAX (1u << 30)

static const char usage[] =
    "usage: teebuild build SRC_DIR --solc VERSION [solc settings] -o OUT [--force]\n"
    "       teebuild build --standard-json FILE --solc VERSION -o OUT [--force]\n"
    "\n"
    "Compile Solidity with a pinned solc inside the jail. SRC_DIR mode compiles every .sol file under\n"
    "SRC_DIR (skipping hidden directories and node_modules/, and lib/, test/, tests/ at the top) and\n"
    "what they import: relative imports as solc resolves them, others through SRC_DIR/remappings.txt,\n"
    "then SRC_DIR/PATH, SRC_DIR/node_modules/PATH, SRC_DIR/lib/PATH. Source unit names are relative\n"
    "to SRC_DIR, so the bytecode does not depend on where SRC_DIR is.\n"
    "\n"
    "  --solc VERSION         solc@VERSION, else solc-js@VERSION from the store (or NAME@VERSION,\n"
    "                         sha256:HEX)\n"
    "  --standard-json FILE   compile this standard-JSON input (sources inline, relative names)\n"
    "  --optimize             enable the optimizer\n"
    "  --optimize-runs N      optimizer runs (default 200; implies --optimize)\n"
    "  --evm-version V        target EVM version\n"
    "  --via-ir               compile through the IR pipeline\n"
    "  --storage-layout       add storageLayout to the contract artifacts\n" JOB_OPTIONS_HELP
    "\n"
    "OUT/artifacts holds <source>/<Contract>.json, build-info/<id>.json (Hardhat format),\n"
    "solc-input.json and solc-output.json. Exit status: 0 compiled; 1 compilation failed (solc's\n"
    "messages follow the first line); 3 bad input or unknown solc; 4 jail; 5 attestation.\n";

enum { OPT_SOLC = 0x200, OPT_STANDARD_JSON, OPT_OPTIMIZE, OPT_RUNS, OPT_EVM, OPT_VIA_IR, OPT_LAYOUT };

struct build_args {
  const char *src_dir;
  const char *standard_json;
  const char *solc;
  bool settings_given; /* solc settings only make sense with SRC_DIR */
  struct solc_settings settings;
  struct job_options job;
};

static int parse_runs(const char *arg, long *runs, tb_error **err) {
  char *end = NULL;
  errno = 0;
  long v = strtol(arg, &end, 10);
  if (errno != 0 || *arg == '\0' || *end != '\0' || v < 0 || v > 4294967295L)
    return tb_usage_error(err, "build", "--optimize-runs: \"%s\" is not a number of runs", arg);
  *runs = v;
  return 0;
}

static int take_build_option(int opt, struct build_args *a, tb_error **err) {
  a->settings_given |= opt >= OPT_OPTIMIZE;
  switch (opt) {
  case OPT_SOLC: a->solc = optarg; return 0;
  case OPT_STANDARD_JSON: a->standard_json = optarg; return 0;
  case OPT_OPTIMIZE: a->settings.optimize = true; return 0;
  case OPT_RUNS: a->settings.optimize = true; return parse_runs(optarg, &a->settings.optimize_runs, err);
  case OPT_EVM: a->settings.evm_version = optarg; return 0;
  case OPT_VIA_IR: a->settings.via_ir = true; return 0;
  case OPT_LAYOUT: a->settings.storage_layout = true; return 0;
  default: return tb_usage_error(err, "build", "unknown option");
  }
}

/* What is wrong with a complete command line, or NULL. */
static const char *args_problem(const struct build_args *a) {
  if ((a->src_dir == NULL) == (a->standard_json == NULL))
    return "give either SRC_DIR or --standard-json FILE";
  if (a->standard_json && a->settings_given)
    return "with --standard-json the solc settings come from the file";
  if (a->solc == NULL)
    return "--solc VERSION is required";
  if (a->job.out == NULL)
    return "-o OUT is required";
  return NULL;
}

/* Returns 1 after printing --help, 0 for a complete command line, < 0 on a usage error. */
static int parse_args(int argc, char **argv, struct build_args *a, tb_error **err) {
  static const struct option long_opts[] = {
      JOB_LONG_OPTIONS,
      {"solc", required_argument, NULL, OPT_SOLC},
      {"standard-json", required_argument, NULL, OPT_STANDARD_JSON},
      {"optimize", no_argument, NULL, OPT_OPTIMIZE},
      {"optimize-runs", required_argument, NULL, OPT_RUNS},
      {"evm-version", required_argument, NULL, OPT_EVM},
      {"via-ir", no_argument, NULL, OPT_VIA_IR},
      {"storage-layout", no_argument, NULL, OPT_LAYOUT},
      {0},
  };
  a->settings.optimize_runs = 200;
  int opt;
  optind = 0;
  while ((opt = tb_getopt(argc, argv, "build", "o:h", long_opts, err)) != -1) {
    if (opt == 'h') {
      (void)fputs(usage, stdout);
      return 1;
    }
    if (opt == '?')
      return -1;
    if (!job_options_take(opt, optarg, &a->job) && take_build_option(opt, a, err) < 0)
      return -1;
  }
  if (optind < argc)
    a->src_dir = argv[optind++];
  const char *problem = optind < argc ? "more than one SRC_DIR" : args_problem(a);
  if (problem != NULL) {
    tb_usage_error(err, "build", "%s", problem);
    return -1;
  }
  return 0;
}

/* --solc VERSION names a native solc or, failing that, a solc-js pack of that version. */
static int choose_solc(const struct tb_globals *g, const char *solc, char **ref, char **version, tb_error **err) {
  struct store *store = NULL;
  int ret = store_open(g->store_dir, &store, err);
  if (ret < 0)
    return ret;
  bool explicit_ref = strchr(solc, '@') != NULL || strncmp(solc, "sha256:", 7) == 0;
  cleanup_free char *native = explicit_ref ? xstrdup(solc) : xasprintf("solc@%s", solc);
  cleanup_free char *js = xasprintf("solc-js@%s", solc);
  const char *candidates[] = {native, explicit_ref ? NULL : js};
  ret = -1;
  for (size_t i = 0; ret < 0 && i < 2 && candidates[i]; i++) {
    struct toolchain_info info = {0};
    cleanup_error tb_error *miss = NULL;
    if (store_resolve(store, candidates[i], &info, &miss) < 0)
      continue;
    *ref = xstrdup(candidates[i]);
    *version = xstrdup(info.version);
    toolchain_info_clear(&info);
    ret = 0;
  }
  store_close(store);
  if (ret < 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0,
                        explicit_ref ? "unknown toolchain %s" : "no toolchain %s or solc-js@%s in the store (see 'teebuild toolchain')",
                        native, solc);
  return 0;
}

static int make_input(const struct build_args *a, json_t **input, char file_sha256[65], tb_error **err) {
  if (a->standard_json)
    return solc_input_from_file(a->standard_json, a->settings.storage_layout, input, file_sha256, err);
  return solc_input_from_dir(a->src_dir, &a->settings, input, err);
}

/* The input goes to solc through the job's inputs; these bytes are also solc-input.json. */
static int write_input(const json_t *input, const char *dir, char **bytes, size_t *len, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/input.json", dir);
  int ret = tb_json_write_file(path, input, err);
  if (ret == 0)
    ret = tb_read_file(path, SOLC_OUTPUT_MAX, bytes, len, err);
  return ret;
}

static json_t *lowered_job(const char *solc_ref, const char *inputs_dir) {
  return json_pack("{s:{s:s}, s:[s,s], s:s, s:s, s:s}", "toolchains", "solc", solc_ref, "argv",
                   "/toolchain/solc/bin/solc", "--standard-json", "inputs", inputs_dir, "stdin", "input.json",
                   "stdout", "artifacts/solc-output.json");
}

/* settings as solc got them (outputSelection completed); for --standard-json also the digest of
 * the file as the user gave it, which nothing else in the statement would name. */
static json_t *external_parameters(const struct build_args *a, const json_t *input, const char *file_sha256) {
  json_t *p = json_pack("{s:s, s:s, s:O}", "solc", a->solc, "source", a->standard_json ? "standard-json" : "directory",
                        "settings", json_object_get(input, "settings"));
  if (a->standard_json)
    json_object_set_new(p, "standardJsonSha256", json_string(file_sha256));
  return p;
}

struct collect_ctx {
  const json_t *input;
  const char *input_bytes;
  size_t input_len;
  const char *version;
};

static int collect_artifacts(struct job_run *run, void *opaque, tb_error **failure, char **details, tb_error **err) {
  const struct collect_ctx *ctx = opaque;
  cleanup_free char *artifacts = xasprintf("%s/artifacts", job_staging_dir(run));
  cleanup_free char *in_path = xasprintf("%s/solc-input.json", artifacts);
  int ret = tb_write_file_staged(in_path, ctx->input_bytes, ctx->input_len, 0644, err);
  if (ret < 0)
    return ret;
  cleanup_free char *out_path = xasprintf("%s/solc-output.json", artifacts);
  __attribute__((cleanup(tb_unmap_file))) struct tb_mapped_file output = {0};
  if (tb_map_file(out_path, SOLC_OUTPUT_MAX, &output, failure) < 0) {
    tb_error_wrap(failure, "solc gave no standard-JSON output");
    return 1;
  }
  return solc_collect_output(artifacts, (struct tb_json_text){output.data, output.len}, ctx->input,
                             ctx->input_bytes, ctx->input_len, ctx->version, failure, details, err);
}

static void spec_clearp(struct job_spec *spec) { job_spec_clear(spec); }

static void rm_tmpdirp(char **dir) {
  if (*dir)
    tb_rm_rf(*dir, NULL);
  free(*dir);
}

static int build(const struct tb_globals *g, const struct build_args *a, tb_error **err) {
  cleanup_json json_t *input = NULL;
  cleanup_free char *solc_ref = NULL, *version = NULL, *bytes = NULL;
  __attribute__((cleanup(rm_tmpdirp))) char *tmp = NULL;
  __attribute__((cleanup(spec_clearp))) struct job_spec spec = {0};
  size_t len = 0;
  char file_sha256[TB_SHA256_HEX_LEN + 1] = "";
  const char *tmproot = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  int ret = make_input(a, &input, file_sha256, err);
  if (ret == 0)
    ret = choose_solc(g, a->solc, &solc_ref, &version, err);
  if (ret == 0)
    ret = tb_mkdtemp_in(tmproot, "teebuild-build-", &tmp, err);
  if (ret == 0)
    ret = write_input(input, tmp, &bytes, &len, err);
  cleanup_json json_t *job = ret == 0 ? lowered_job(solc_ref, tmp) : NULL;
  if (ret == 0)
    ret = job_spec_parse(job, tmp, "build job", &spec, err);
  if (ret < 0)
    return job_command_failed(g, "build", a->job.out, err);
  struct collect_ctx ctx = {input, bytes, len, version};
  return job_command(g, "build", &spec, JOB_BUILD_TYPE_SOLC, external_parameters(a, input, file_sha256), &a->job,
                     collect_artifacts, &ctx, err);
}

int cmd_build(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  struct build_args a = {0};
  int ret = parse_args(argc, argv, &a, err);
  if (ret != 0)
    return ret > 0 ? 0 : tb_error_exit_code(*err);
  return build(g, &a, err);
}
