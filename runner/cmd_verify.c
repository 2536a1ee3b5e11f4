/* teebuild verify OUT: check an output directory offline, check by check (attest/verify.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "attest/policy.h"
#include "attest/verify.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "runner/cli.h"
#include "runner/tee_setup.h"
#include "runner/verify_rebuild.h"

static const char usage[] =
    "usage: teebuild verify OUT [--policy FILE] [--collateral FILE | --pccs URL] [--time UNIX_S]\n"
    "                          [--allow-simulated] [--sim-root DIR] [--rebuild]\n"
    "\n"
    "Check, in this order: the DSSE envelope signature; that the quote's report_data binds the\n"
    "payload and the key; the quote (DCAP, to the pinned Intel root with --collateral, or to the\n"
    "local simulation root for simulated evidence); that the TEE is not simulated (unless\n"
    "--allow-simulated); the TCB status and measurements against the policy; that every subject\n"
    "file matches its digest and no file is unlisted.\n"
    "\n"
    "--policy FILE  accepted TCB statuses and measurements: {\"tcbStatus\", \"mrtd\", \"rtmr0\"..\"rtmr3\",\n"
    "               \"composeHash\", \"osImageHash\": [...]} (default: TCB status UpToDate only)\n"
    "--pccs URL     fetch the collateral from a PCCS or Intel PCS base URL; for simulated evidence,\n"
    "               `teebuild tee-sim --listen`'s (the root stays the one in --sim-root; without\n"
    "               --collateral or --pccs the local simulation makes the collateral)\n"
    "--time UNIX_S  verify certificates and collateral at this time (default: now)\n"
    "--sim-root DIR the simulation root to trust (default: STORE/tee-sim)\n"
    "--rebuild      build again here (solc-build statements: from artifacts/solc-input.json with the\n"
    "               recorded solc digest, no TEE) and compare every subject\n"
    "\n"
    "Exit status: 0 verified; 6 a check failed (named first on stderr); 2 usage; 3 unreadable input.\n";

struct verify_args {
  const char *out, *policy, *collateral, *pccs, *sim_root;
  int64_t now;
  bool allow_simulated, rebuild;
};

static int parse_args(int argc, char **argv, struct verify_args *a, bool *help, tb_error **err) {
  enum { POLICY = 1, COLLATERAL, PCCS, TIME, ALLOW_SIM, REBUILD, SIM_ROOT };
  static const struct option long_opts[] = {{"policy", required_argument, NULL, POLICY},
                                            {"collateral", required_argument, NULL, COLLATERAL},
                                            {"pccs", required_argument, NULL, PCCS},
                                            {"time", required_argument, NULL, TIME},
                                            {"allow-simulated", no_argument, NULL, ALLOW_SIM},
                                            {"rebuild", no_argument, NULL, REBUILD},
                                            {"sim-root", required_argument, NULL, SIM_ROOT},
                                            {"help", no_argument, NULL, 'h'},
                                            {0}};
  int opt;
  char *end = NULL;
  optind = 0;
  while ((opt = tb_getopt(argc, argv, "verify", "h", long_opts, err)) != -1) {
    switch (opt) {
    case POLICY: a->policy = optarg; break;
    case COLLATERAL: a->collateral = optarg; break;
    case SIM_ROOT: a->sim_root = optarg; break;
    case ALLOW_SIM: a->allow_simulated = true; break;
    case TIME:
      a->now = strtoll(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || a->now < 0)
        return tb_usage_error(err, "verify", "--time: not a Unix time in seconds: %s", optarg);
      break;
    case PCCS: a->pccs = optarg; break;
    case REBUILD: a->rebuild = true; break;
    case 'h': *help = true; return 0;
    default: return -1;
    }
  }
  if (optind != argc - 1 || argv[optind][0] == '\0')
    return tb_usage_error(err, "verify", "expected exactly one OUT directory");
  if (a->collateral && a->pccs)
    return tb_usage_error(err, "verify", "--collateral and --pccs exclude each other");
  a->out = argv[optind];
  return 0;
}

static void print_checks(const struct tb_verify_report *r) {
  for (size_t i = 0; i < r->n_checks; i++)
    tb_info("verify: %-4s %s: %s", r->checks[i].ok ? "ok" : "FAIL", r->checks[i].name, r->checks[i].detail);
}

/* Only a statement that passed every other check is worth rebuilding. */
static int add_rebuild_check(const struct tb_globals *g, const char *out, struct tb_verify_report *report,
                             tb_error **err) {
  bool ok = false;
  cleanup_free char *detail = NULL;
  int ret = verify_rebuild(g, out, &ok, &detail, err);
  if (ret < 0)
    return ret;
  return tb_verify_report_add(report, TB_CHECK_REBUILD, ok, detail, err);
}

int cmd_verify(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  struct verify_args a = {.now = (int64_t)time(NULL)};
  bool help = false;
  if (parse_args(argc, argv, &a, &help, err) < 0)
    return TB_EXIT_USAGE;
  if (help) {
    (void)fputs(usage, stdout);
    return 0;
  }
  /* A directory that is not there is a wrong argument (3); one whose bundle is missing or
   * damaged is evidence that does not verify (6). */
  struct stat st;
  if (stat(a.out, &st) < 0) {
    (void)tb_error_set(err, TB_EXIT_INPUT, errno, "verify: %s", a.out);
    return TB_EXIT_INPUT;
  }
  if (!S_ISDIR(st.st_mode)) {
    (void)tb_error_set(err, TB_EXIT_INPUT, ENOTDIR, "verify: %s", a.out);
    return TB_EXIT_INPUT;
  }
  cleanup_json json_t *policy = NULL;
  cleanup_free char *collateral = NULL, *sim_dir = NULL;
  size_t len = 0;
  if ((a.policy && policy_load(a.policy, &policy, err) < 0) ||
      (a.collateral && tb_read_file(a.collateral, 16u << 20, &collateral, &len, err) < 0) ||
      tee_sim_dir(g->store_dir, a.sim_root, &sim_dir, err) < 0) {
    tb_error_wrap(err, "verify");
    return tb_error_exit_code(*err);
  }
  struct tb_verify_options opts = {.out_dir = a.out,
                                   .policy = policy,
                                   .collateral_json = collateral,
                                   .pccs_url = a.pccs,
                                   .now = a.now,
                                   .allow_simulated = a.allow_simulated,
                                   .sim_dir = sim_dir};
  struct tb_verify_report report;
  int ret = tb_verify(&opts, &report, err);
  if (ret == 0 && a.rebuild)
    ret = add_rebuild_check(g, a.out, &report, err);
  if (g->json) {
    cleanup_json json_t *j = tb_verify_report_json(&report);
    tb_print_json_result(j);
  }
  if (ret == 0)
    print_checks(&report);
  tb_verify_report_clear(&report);
  if (ret < 0) {
    tb_error_wrap(err, "verify");
    return TB_EXIT_VERIFY;
  }
  tb_info("verify: %s verified", a.out);
  return 0;
}
