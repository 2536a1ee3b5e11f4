/* Running a job: resolve its toolchains, stage its inputs and output directory, run it in the
 * jail, and keep the record the provenance is made from. */
#include "runner/job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runner/job_env.h"
#include "runner/out_dir.h"
#include "runner/paths.h"
#include "runner/stage_inputs.h"
#include "runner/toolchain_check.h"

/* Where the job's stdout waits when it becomes an artifact: artifacts/ is the jail's /out and must
 * be empty when the jail starts. */
#define STDOUT_CAPTURE "stdout.capture"

struct job_run {
  const struct job_spec *spec;
  char *out;       /* OUT, absolute, without trailing slashes */
  bool force;
  char *staging;   /* OUT.tmp-XXXXXX: artifacts/, logs/, and src/ while the job runs */
  char *src_stage; /* the inputs exactly as the jail sees them at /src */
  char *seccomp_cache; /* STORE/seccomp: compiled seccomp profiles (sandbox/seccomp_cache.c) */
  struct job_record rec;
  struct attest_prefetch prefetch; /* the TEE, opened while the job runs */
  struct toolchain_check check;    /* the toolchains' seals, checked while the job runs */
};

/* jail_config.on_started: what needs no job output runs beside it. */
static void on_jail_started(void *opaque) {
  struct job_run *run = opaque;
  toolchain_check_start(&run->check);
  attest_prefetch_start(&run->prefetch);
}

static int resolve_toolchains(const struct tb_globals *g, const struct job_spec *spec, struct job_record *rec,
                              char **seccomp_cache, tb_error **err) {
  struct store *store = NULL;
  int ret = store_open(g->store_dir, &store, err);
  if (ret < 0)
    return ret;
  *seccomp_cache = xasprintf("%s/seccomp", store_path(store));
  rec->toolchains = xcalloc(spec->n_toolchains, sizeof(*rec->toolchains));
  for (size_t i = 0; ret == 0 && i < spec->n_toolchains; i++) {
    struct job_toolchain *t = &rec->toolchains[i];
    ret = store_resolve(store, spec->toolchains[i].ref, &t->info, err);
    if (ret < 0) {
      ret = tb_error_wrap(err, "toolchain \"%s\"", spec->toolchains[i].name);
      break;
    }
    t->name = xstrdup(spec->toolchains[i].name);
    t->ref = xstrdup(spec->toolchains[i].ref);
    rec->n_toolchains++;
  }
  store_close(store);
  return ret;
}

/* OUT is staged before the inputs are copied: inside the inputs, the copy would copy itself. */
static int check_out_outside_inputs(const struct job_run *run, tb_error **err) {
  cleanup_free char *inputs = realpath(run->spec->inputs_dir, NULL);
  cleanup_free char *staging = realpath(run->staging, NULL);
  if (inputs == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: %s", run->spec->inputs_dir);
  size_t n = strlen(inputs);
  if (staging != NULL && strncmp(staging, inputs, n) == 0 && (staging[n] == '/' || inputs[n - 1] == '/'))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "output directory %s: must not be inside the inputs %s", run->out,
                        run->spec->inputs_dir);
  return 0;
}

static int stage_job_inputs(struct job_run *run, tb_error **err) {
  run->src_stage = xasprintf("%s/src", run->staging);
  if (mkdir(run->src_stage, 0755) < 0 || chmod(run->src_stage, 0755) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "mkdir %s", run->src_stage);
  const struct job_spec *spec = run->spec;
  if (spec->inputs_dir == NULL)
    return 0;
  int ret = check_out_outside_inputs(run, err);
  if (ret == 0)
    ret = stage_inputs(spec->inputs_dir, run->src_stage, &run->rec.inputs, &run->rec.n_inputs, err);
  if (ret < 0 || spec->stdin_path == NULL)
    return ret;
  for (size_t i = 0; i < run->rec.n_inputs; i++)
    if (strcmp(run->rec.inputs[i].name, spec->stdin_path) == 0)
      return 0;
  return tb_error_set(err, TB_EXIT_INPUT, 0, "\"stdin\": %s is not a file in the inputs", spec->stdin_path);
}

static char **copy_strv(const char *const *v) {
  size_t n = 0;
  while (v[n])
    n++;
  char **copy = xcalloc(n + 1, sizeof(*copy));
  for (size_t i = 0; i < n; i++)
    copy[i] = xstrdup(v[i]);
  return copy;
}

static void fill_record(struct job_run *run, const struct tb_globals *g, const char *build_type, json_t *external,
                        const struct job_options *opts) {
  struct job_record *rec = &run->rec;
  rec->build_type = build_type;
  rec->external_parameters = external;
  rec->argv = copy_strv(run->spec->argv);
  rec->env = job_env_build(run->spec);
  rec->seccomp_profile = xstrdup(run->spec->seccomp);
  rec->limits = run->spec->limits;
  rec->lowering.allow_no_cgroups = opts->allow_no_cgroups;
  rec->dependencies = json_incref((json_t *)opts->dependencies);
  rec->tee = g->tee;
  rec->key = opts->key;
  rec->store_dir = g->store_dir;
}

int job_prepare(const struct tb_globals *g, const struct job_spec *spec, const char *build_type, json_t *external,
                const struct job_options *opts, struct job_run **out, tb_error **err) {
  struct job_run *run = xcalloc(1, sizeof(*run));
  run->prefetch.rec = &run->rec;
  run->check.rec = &run->rec;
  run->spec = spec;
  run->out = path_absolute(opts->out); /* the jail takes absolute host paths only */
  run->force = opts->force;
  fill_record(run, g, build_type, external, opts);
  *out = run; /* the caller frees it, whatever happens below */
  int ret = out_dir_check(run->out, opts->force, err);
  if (ret == 0)
    ret = resolve_toolchains(g, spec, &run->rec, &run->seccomp_cache, err);
  if (ret == 0)
    ret = out_dir_stage(run->out, &run->staging, err);
  if (ret == 0)
    ret = stage_job_inputs(run, err);
  return ret;
}

/* Files the job writes through are created with fixed modes whatever the umask. */
static int open_output(const char *path, tb_error **err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 || fchmod(fd, 0644) < 0) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    return tb_error_set(err, TB_EXIT_SANDBOX, saved, "create %s", path);
  }
  return fd;
}

static int open_stdin(const struct job_run *run, tb_error **err) {
  if (run->spec->stdin_path == NULL)
    return -1;
  cleanup_free char *path = xasprintf("%s/%s", run->src_stage, run->spec->stdin_path);
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "open %s", path);
  return fd;
}

static struct jail_bind *make_binds(const struct job_run *run, char ***paths) {
  size_t n = run->rec.n_toolchains;
  struct jail_bind *binds = xcalloc(n + 1, sizeof(*binds));
  *paths = xcalloc(n + 1, sizeof(**paths));
  for (size_t i = 0; i < n; i++) {
    (*paths)[i] = xasprintf("/toolchain/%s", run->rec.toolchains[i].name);
    binds[i] = (struct jail_bind){run->rec.toolchains[i].info.root, (*paths)[i]};
  }
  binds[n] = (struct jail_bind){run->src_stage, "/src"};
  return binds;
}

static int run_jail(struct job_run *run, int stdin_fd, int stdout_fd, int stderr_fd, tb_error **err) {
  struct job_record *rec = &run->rec;
  cleanup_strv char **jail_paths = NULL;
  cleanup_free struct jail_bind *binds = make_binds(run, &jail_paths);
  cleanup_free char *out_dir = xasprintf("%s/artifacts", run->staging);
  struct jail_config cfg = {
      .argv = (const char *const *)rec->argv,
      .env = (const char *const *)rec->env,
      .binds = binds,
      .n_binds = rec->n_toolchains + 1,
      .out_host_dir = out_dir,
      .stdin_fd = stdin_fd,
      .stdout_fd = stdout_fd,
      .stderr_fd = stderr_fd,
      .seccomp_profile = rec->seccomp_profile,
      .seccomp_cache_dir = run->seccomp_cache,
      .limits = rec->limits,
      .lowering = rec->lowering,
      .on_started = on_jail_started,
      .on_started_arg = run,
  };
  tb_debug("running %s in the jail", rec->argv[0]);
  clock_gettime(CLOCK_REALTIME, &rec->started);
  int ret = jail_run(&cfg, &rec->result, err);
  clock_gettime(CLOCK_REALTIME, &rec->finished);
  return ret;
}

/* Captured stdout joins the artifacts only now, and never over a file the job wrote itself. */
static int place_captured_stdout(const struct job_run *run, tb_error **err) {
  const char *rel = run->spec->stdout_path;
  cleanup_free char *from = xasprintf("%s/" STDOUT_CAPTURE, run->staging);
  cleanup_free char *to = xasprintf("%s/%s", run->staging, rel);
  cleanup_free char *parent = path_dirname(to);
  int ret = tb_mkdir_p(parent, 0755, err);
  if (ret < 0)
    return ret;
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "\"stdout\": cannot place %s", rel);
  return 0;
}

int job_execute(struct job_run *run, tb_error **err) {
  const struct job_spec *spec = run->spec;
  cleanup_free char *out_path = spec->stdout_path ? xasprintf("%s/" STDOUT_CAPTURE, run->staging)
                                                  : xasprintf("%s/logs/stdout", run->staging);
  cleanup_free char *err_path = xasprintf("%s/logs/stderr", run->staging);
  cleanup_close int in = open_stdin(run, err);
  if (spec->stdin_path != NULL && in < 0)
    return in;
  cleanup_close int out = open_output(out_path, err);
  if (out < 0)
    return out;
  cleanup_close int errfd = open_output(err_path, err);
  if (errfd < 0)
    return errfd;
  int ret = run_jail(run, in, out, errfd, err);
  if (ret == 0)
    ret = toolchain_check_finish(&run->check, err);
  if (ret < 0)
    return ret;
  if (spec->stdout_path != NULL && (ret = place_captured_stdout(run, err)) < 0)
    return ret;
  /* /src is not part of OUT: its digests are already in the record */
  return tb_rm_rf(run->src_stage, err);
}

int job_outcome(const struct job_record *rec, tb_error **err) {
  const struct jail_result *r = &rec->result;
  if (r->outcome == JAIL_EXITED && r->exit_code == 0)
    return 0;
  if (r->outcome == JAIL_EXITED)
    return tb_error_set(err, TB_EXIT_JOB_FAILED, 0, "job exited with status %d", r->exit_code);
  char buf[256];
  return tb_error_set(err, TB_EXIT_JOB_FAILED, 0, "%s", jail_outcome_describe(r, buf, sizeof(buf)));
}

const char *job_staging_dir(const struct job_run *run) { return run->staging; }

const struct job_record *job_run_record(const struct job_run *run) { return &run->rec; }

const char *job_out_dir(const struct job_run *run) { return run->out; }

int job_finish(struct job_run *run, tb_error **err) {
  int ret = job_attest(&run->rec, &run->prefetch, run->staging, err);
  if (ret < 0)
    return ret;
  if ((ret = out_dir_commit(run->staging, run->out, run->force, err)) < 0)
    return ret;
  free(run->staging); /* committed: nothing is left to remove */
  run->staging = NULL;
  return 0;
}

static void record_clear(struct job_record *rec) {
  json_decref(rec->external_parameters);
  for (size_t i = 0; i < rec->n_toolchains; i++) {
    free(rec->toolchains[i].name);
    free(rec->toolchains[i].ref);
    toolchain_info_clear(&rec->toolchains[i].info);
  }
  free(rec->toolchains);
  job_inputs_free(rec->inputs, rec->n_inputs);
  tb_cleanup_strvp(&rec->argv);
  tb_cleanup_strvp(&rec->env);
  free(rec->seccomp_profile);
  json_decref(rec->dependencies);
}

void job_run_free(struct job_run *run) {
  if (run == NULL)
    return;
  if (run->staging != NULL)
    tb_rm_rf(run->staging, NULL);
  free(run->staging);
  free(run->src_stage);
  free(run->seccomp_cache);
  free(run->out);
  attest_prefetch_clear(&run->prefetch);
  toolchain_check_clear(&run->check);
  record_clear(&run->rec);
  free(run);
}
