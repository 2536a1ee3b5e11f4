/* The life of one job behind a command: the same for `run` and `build`. */
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "runner/job.h"

bool job_options_take(int opt, const char *arg, struct job_options *opts) {
  switch (opt) {
  case 'o': opts->out = arg; return true;
  case JOB_OPT_FORCE: opts->force = true; return true;
  case JOB_OPT_ALLOW_NO_CGROUPS: opts->allow_no_cgroups = true; return true;
  case JOB_OPT_KEY: opts->key = arg; return true;
  default: return false;
  }
}

/* The job ran: did it succeed, and if so what does the command make of its output? */
static int judge(struct job_run *run, const struct job_options *opts, job_collect_fn collect, void *ctx,
                 tb_error **failure, char **details, tb_error **err) {
  if (!opts->collect_always && job_outcome(job_run_record(run), failure) < 0)
    return 1;
  return collect ? collect(run, ctx, failure, details, err) : 0;
}

static void report_failure(const char *cmd, tb_error *failure, const char *details) {
  tb_error_wrap(&failure, "%s", cmd);
  tb_error_print(failure, stderr);
  if (details != NULL)
    (void)fputs(details, stderr);
}

int job_command_failed(const struct tb_globals *g, const char *cmd, const char *out, tb_error **err) {
  tb_error_wrap(err, "%s", cmd);
  if (g->json)
    job_print_failure(out, tb_error_exit_code(*err), *err);
  return tb_error_exit_code(*err);
}

int job_command(const struct tb_globals *g, const char *cmd, const struct job_spec *spec, const char *build_type,
                json_t *external, const struct job_options *opts, job_collect_fn collect, void *ctx,
                tb_error **err) {
  cleanup_job_run struct job_run *run = NULL;
  cleanup_error tb_error *failure = NULL;
  cleanup_free char *details = NULL;
  int status = job_prepare(g, spec, build_type, external, opts, &run, err);
  if (status == 0)
    status = job_execute(run, err);
  if (status == 0)
    status = judge(run, opts, collect, ctx, &failure, &details, err);
  if (status >= 0 && job_finish(run, err) < 0)
    status = -1;
  if (status < 0)
    return job_command_failed(g, cmd, opts->out, err);
  if (status != 0)
    report_failure(cmd, failure, details);
  else
    tb_info("%s: wrote %s", cmd, job_out_dir(run));
  if (g->json)
    job_print_result(run, status);
  return status;
}
