/* A job: the one format every kind of work is lowered to (design.md "A job file"), its execution
 * in the jail, and the record of everything the provenance needs. */
#ifndef TB_RUNNER_JOB_H
#define TB_RUNNER_JOB_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/error.h"
#include "common/hash.h"
#include "runner/cli.h"
#include "sandbox/jail.h"
#include "toolchains/store.h"

#define JOB_BUILD_TYPE_RUN "https://teebuild.dev/run/v1"
#define JOB_BUILD_TYPE_SOLC "https://teebuild.dev/solc-build/v1"
#define JOB_BUILD_TYPE_SLITHER "https://teebuild.dev/slither-audit/v1"

/* ---- the job file, parsed and checked (job_spec.c) ---- */

struct job_toolchain_ref {
  const char *name; /* mounted at /toolchain/<name> */
  const char *ref;  /* NAME@VERSION or sha256:HEX */
};

struct job_env_var {
  const char *key;
  const char *value;
};

struct job_spec {
  json_t *doc;         /* the job as given; every const char * below points into it */
  char *inputs_dir;    /* host path of the inputs (resolved against the job file), or NULL */
  struct job_toolchain_ref *toolchains; /* sorted by name */
  size_t n_toolchains;
  const char **argv;   /* NULL-terminated; argv[0] absolute inside the jail */
  const char *stdin_path;  /* relative to the inputs, or NULL */
  const char *stdout_path; /* relative to OUT, under artifacts/, or NULL */
  struct job_env_var *env;
  size_t n_env;
  struct jail_limits limits; /* defaults filled in */
  const char *seccomp;       /* profile name, "default" unless given */
};

/* Parse a job document. base_dir resolves relative paths; what names the document in errors.
 * Takes a reference to doc. Failures are TB_EXIT_INPUT and name the offending key. spec is
 * zeroed first and must be cleared whatever the result. */
int job_spec_parse(json_t *doc, const char *base_dir, const char *what, struct job_spec *spec, tb_error **err);
int job_spec_load(const char *path, struct job_spec *spec, tb_error **err);
void job_spec_clear(struct job_spec *spec);

/* The job as the user gave it, with host paths replaced by where the jail sees them. */
json_t *job_spec_external(const struct job_spec *spec);

/* ---- the record the provenance is made from ---- */

struct job_toolchain {
  char *name;                 /* mount name */
  char *ref;                  /* as the job wrote it */
  struct toolchain_info info; /* what it resolved to: uri, sha256, root */
};

struct job_input {
  char *name; /* path below the inputs root, '/'-separated */
  char sha256[TB_SHA256_HEX_LEN + 1];
  uint64_t size;
};

struct job_record {
  const char *build_type;      /* JOB_BUILD_TYPE_* */
  json_t *external_parameters; /* the job (or build request) as the user gave it, no host paths */
  struct job_toolchain *toolchains; /* sorted by name */
  size_t n_toolchains;
  struct job_input *inputs; /* sorted by name: exactly the bytes the jail saw at /src */
  size_t n_inputs;
  char **argv;              /* NULL-terminated */
  char **env;               /* the complete environment the job saw, sorted, NULL-terminated */
  char *seccomp_profile;
  struct jail_limits limits;
  struct jail_lowering lowering; /* isolation the user explicitly lowered */
  struct jail_result result;     /* outcome, and the isolation actually in force */
  struct timespec started, finished; /* CLOCK_REALTIME around jail_run */
  json_t *dependencies;          /* further resolvedDependencies the command named, or NULL */
  const char *tee;               /* --tee as requested */
  const char *key;               /* --key FILE|dstack, or NULL */
  const char *store_dir;         /* --store as given, NULL for the default rules */
};

/* The TEE opened while the job runs (a simulated one started, the agent's client loaded, the app
 * described) and teebuild's own digest taken: none of it depends on the job, and after it it cost
 * ~5 ms. Started from the jail's
 * on_started hook, so that no thread of ours is alive when the jail starts. */
struct tb_tee;
struct attest_prefetch {
  const struct job_record *rec;
  pthread_t thread;
  bool started;
  int ret;
  tb_error *err;
  char *sim_dir;
  struct tb_tee *tee;
  json_t *app;
};
/* jail_config.on_started for an attest_prefetch whose rec is set. */
void attest_prefetch_start(void *prefetch);
/* Wait for it, if started, and free what it holds. */
void attest_prefetch_clear(struct attest_prefetch *pre);

/* Sign the record into staging_out (provenance.json, teebuild.bundle.json) before it is renamed
 * into place, with the TEE pre opened if it was started. Owned by attest (runner/job_attest.c). */
int job_attest(const struct job_record *rec, struct attest_prefetch *pre, const char *staging_out, tb_error **err);

/* ---- execution (job.c) ---- */

struct job_options {
  const char *out; /* OUT as given */
  bool force;      /* replace a non-empty OUT */
  bool allow_no_cgroups;
  const char *key; /* --key FILE|dstack: the signing key; NULL for an ephemeral one */
  /* Set by a command, not by the user: */
  const json_t *dependencies; /* further resolvedDependencies, e.g. the build an audit read; or NULL */
  bool collect_always;        /* collect after every outcome, the command judging it (Slither's exit
                                 status and report say more than "non-zero") */
};

struct job_run;

/* Check OUT, resolve the toolchains, stage the inputs and the output directory. Takes ownership
 * of external (the externalParameters to record). */
int job_prepare(const struct tb_globals *g, const struct job_spec *spec, const char *build_type, json_t *external,
                const struct job_options *opts, struct job_run **out, tb_error **err);
/* Run the job in the jail and collect its output into the staging directory. Returns 0 whenever
 * the job ran, whatever its outcome (see job_outcome). */
int job_execute(struct job_run *run, tb_error **err);
/* 0 when the job exited with status 0; else TB_EXIT_JOB_FAILED with one line saying how it ended
 * ("job exited with status 3", "blocked syscall ptrace", ...). */
int job_outcome(const struct job_record *rec, tb_error **err);
/* Where the output directory is being assembled (artifacts/, logs/). */
const char *job_staging_dir(const struct job_run *run);
/* OUT as it will be named once finished. */
const char *job_out_dir(const struct job_run *run);
const struct job_record *job_run_record(const struct job_run *run);
/* Attest, then move the staging directory into place as OUT. */
int job_finish(struct job_run *run, tb_error **err);
/* Removes whatever staging is left. */
void job_run_free(struct job_run *run);
static inline void job_run_freep(struct job_run **run) { job_run_free(*run); }
#define cleanup_job_run __attribute__((cleanup(job_run_freep)))

/* ---- a command that runs one job (job_command.c) ---- */

/* Called after a job that exited 0 (with collect_always, after any outcome), before attestation, to
 * add artifacts to the staging directory. Returns 0, or 1 with *failure (one line) and *details
 * (printed after it, may stay NULL) when the job's result is a failure (e.g. a compiler error), or
 * < 0 with *err. */
typedef int (*job_collect_fn)(struct job_run *run, void *ctx, tb_error **failure, char **details, tb_error **err);

/* prepare, execute, collect, attest, commit OUT, and report: the whole life of a job for a command
 * named cmd. Returns the process exit status; a job that ran and failed is reported here (first
 * line "teebuild: CMD: why"), other failures are left in *err for main(). */
int job_command(const struct tb_globals *g, const char *cmd, const struct job_spec *spec, const char *build_type,
                json_t *external, const struct job_options *opts, job_collect_fn collect, void *ctx,
                tb_error **err);

/* A command failed before or around its job: name the command in *err, print the --json result
 * when asked, and return the exit status. */
int job_command_failed(const struct tb_globals *g, const char *cmd, const char *out, tb_error **err);

/* Options every job command takes; returns true when opt was one of them. */
bool job_options_take(int opt, const char *arg, struct job_options *opts);
#define JOB_LONG_OPTIONS                                                                                          \
  {"output", required_argument, NULL, 'o'}, {"force", no_argument, NULL, JOB_OPT_FORCE},                        \
      {"allow-no-cgroups", no_argument, NULL, JOB_OPT_ALLOW_NO_CGROUPS}, {"key", required_argument, NULL, JOB_OPT_KEY}, \
      {"help", no_argument, NULL, 'h'}
enum { JOB_OPT_FORCE = 0x100, JOB_OPT_ALLOW_NO_CGROUPS, JOB_OPT_KEY };
#define JOB_OPTIONS_HELP                                                                                          \
  "  -o, --output OUT       output directory (must be missing or empty)\n"                                     \
  "      --force            replace a non-empty OUT (atomically)\n"                                              \
  "      --allow-no-cgroups run with rlimits only where no cgroup controllers can be used (recorded)\n"           \
  "      --key FILE|dstack  sign with this PEM P-256 private key, or with the key the dstack agent derives\n"     \
  "                         for this app (GetKey; its signature chain goes into the bundle); default: an\n"    \
  "                         ephemeral key made after the job (or $TEEBUILD_SIGNING_KEY)\n"

/* ---- results (job_result.c) ---- */

/* The --json result of a finished job (design.md "Machine-readable results"). */
void job_print_result(const struct job_run *run, int exit_code);
/* The --json result when no output directory was made. */
void job_print_failure(const char *out, int exit_code, const tb_error *err);

#endif
