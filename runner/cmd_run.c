/* teebuild run JOB.json -o OUT: any pinned toolchain, any argv, in the jail. */
#include <getopt.h>
#include <stdio.h>

#include "common/cleanup.h"
#include "runner/cli.h"
#include "runner/job.h"

static const char usage[] =
    "usage: teebuild run JOB.json -o OUT [--force] [--allow-no-cgroups]\n"
    "\n"
    "Run the job file JOB.json in the jail: its toolchains mounted read-only at /toolchain/NAME, its\n"
    "inputs copied to /src, and what it writes to /out collected into OUT/artifacts; its stdout and\n"
    "stderr go to OUT/logs. Relative paths in the job file are relative to the job file.\n"
    "\n" JOB_OPTIONS_HELP
    "\n"
    "Exit status: 0 the job exited 0; 1 it failed (status, limit, blocked syscall); 3 bad job file,\n"
    "unknown toolchain or non-empty OUT; 4 the jail could not be set up; 5 no attestation.\n";

static void spec_clearp(struct job_spec *spec) { job_spec_clear(spec); }

int cmd_run(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  static const struct option long_opts[] = {JOB_LONG_OPTIONS, {0}};
  struct job_options opts = {0};
  int opt;
  optind = 0;
  while ((opt = tb_getopt(argc, argv, "run", "o:h", long_opts, err)) != -1) {
    if (opt == 'h') {
      (void)fputs(usage, stdout);
      return 0;
    }
    if (opt == '?')
      return TB_EXIT_USAGE;
    if (!job_options_take(opt, optarg, &opts)) {
      tb_usage_error(err, "run", "unknown option %s", argv[optind - 1]);
      return TB_EXIT_USAGE;
    }
  }
  if (optind != argc - 1 || opts.out == NULL) {
    tb_usage_error(err, "run", "%s", optind != argc - 1 ? "expected exactly one JOB.json" : "-o OUT is required");
    return TB_EXIT_USAGE;
  }
  __attribute__((cleanup(spec_clearp))) struct job_spec spec = {0};
  if (job_spec_load(argv[optind], &spec, err) < 0)
    return job_command_failed(g, "run", opts.out, err);
  return job_command(g, "run", &spec, JOB_BUILD_TYPE_RUN, job_spec_external(&spec), &opts, NULL, NULL, err);
}
