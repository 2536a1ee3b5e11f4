/* The end of every job: turn its record into an SLSA provenance statement, sign it, bind it into
 * a TEE quote, and write provenance.json and teebuild.bundle.json into the staging OUT. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attest/bundle.h"
#include "attest/key.h"
#include "attest/provenance.h"
#include "attest/tee.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/job.h"
#include "runner/tee_setup.h"

#ifndef TEEBUILD_VERSION
#define TEEBUILD_VERSION "0.0.0"
#endif

static json_t *strv_json(char *const *v) {
  json_t *arr = json_array();
  for (; v && *v; v++)
    json_array_append_new(arr, json_string(*v));
  return arr;
}

/* The jail policy in force: what a verifier needs to judge how isolated the job was. Wall time
 * and host specifics are left out so that the same job gives the same statement. */
static json_t *internal_parameters(const struct job_record *rec) {
  const struct jail_isolation *iso = &rec->result.isolation;
  const struct jail_limits *l = &rec->limits;
  char seccomp_sha256[TB_SHA256_HEX_LEN + 1] = "";
  if (iso->seccomp_bpf != NULL) {
    unsigned char d[TB_SHA256_LEN];
    tb_sha256_buf(iso->seccomp_bpf, iso->seccomp_bpf_len, d);
    tb_hex_encode(d, sizeof(d), seccomp_sha256);
  }
  return json_pack("{s:o, s:o, s:{s:s, s:s, s:{s:s, s:s}, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:b}}",
                   "argv", strv_json(rec->argv), "env", strv_json(rec->env), "jail", "namespaces", iso->namespaces,
                   "cgroup", iso->cgroup, "seccomp", "profile", rec->seccomp_profile, "sha256", seccomp_sha256,
                   "uid", (json_int_t)iso->jail_uid, "gid", (json_int_t)iso->jail_gid, "limits", "wall_s",
                   (json_int_t)l->wall_s, "cpu_s", (json_int_t)l->cpu_s, "memory_mb", (json_int_t)l->memory_mb,
                   "pids", (json_int_t)l->pids, "output_mb", (json_int_t)l->output_mb, "nofile",
                   (json_int_t)l->nofile, "lowered", "allowNoCgroups", rec->lowering.allow_no_cgroups);
}

static json_t *resolved_dependencies(const struct job_record *rec) {
  json_t *deps = json_array();
  for (size_t i = 0; i < rec->n_toolchains; i++) {
    const struct job_toolchain *t = &rec->toolchains[i];
    cleanup_free char *name = xasprintf("toolchain/%s", t->name);
    json_array_append_new(deps, json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s, s:s}}", "name", name, "uri",
                                          t->info.uri ? t->info.uri : "", "digest", "sha256", t->info.sha256,
                                          "annotations", "ref", t->ref, "version", t->info.version, "treeSha256",
                                          t->info.tree_sha256));
  }
  for (size_t i = 0; i < rec->n_inputs; i++) {
    cleanup_free char *name = xasprintf("src/%s", rec->inputs[i].name);
    json_array_append_new(deps, json_pack("{s:s, s:{s:s}}", "name", name, "digest", "sha256", rec->inputs[i].sha256));
  }
  if (rec->dependencies)
    json_array_extend(deps, rec->dependencies);
  return deps;
}

static const char *outcome_name(enum jail_outcome o) {
  static const char *const NAMES[] = {
      [JAIL_EXITED] = "exited",           [JAIL_SIGNALED] = "signaled",         [JAIL_TIMED_OUT] = "timed-out",
      [JAIL_CPU_LIMIT] = "cpu-limit",     [JAIL_MEMORY_LIMIT] = "memory-limit", [JAIL_PIDS_LIMIT] = "pids-limit",
      [JAIL_OUTPUT_LIMIT] = "output-limit", [JAIL_BLOCKED_SYSCALL] = "blocked-syscall",
  };
  return (size_t)o < sizeof(NAMES) / sizeof(NAMES[0]) && NAMES[o] ? NAMES[o] : "unknown";
}

/* How the job ended, so a statement for a failed job cannot pass for a successful one. */
static json_t *byproducts(const struct job_record *rec) {
  const struct jail_result *r = &rec->result;
  return json_pack("[{s:s, s:{s:s, s:i, s:i, s:s}}]", "name", "teebuild:outcome", "annotations", "outcome",
                   outcome_name(r->outcome), "exitCode", r->exit_code, "signal", r->signal, "blockedSyscall",
                   r->blocked_syscall);
}

static int statement_payload(const struct job_record *rec, struct tb_tee *tee, const json_t *app,
                             const char *staging_out, char **payload, size_t *len, tb_error **err) {
  cleanup_json json_t *builder_deps = NULL;
  if (app)
    builder_deps = json_pack("[O]", app);
  cleanup_json json_t *internal = internal_parameters(rec);
  cleanup_json json_t *deps = resolved_dependencies(rec);
  cleanup_json json_t *by = byproducts(rec);
  struct tb_provenance_params p = {.build_type = rec->build_type,
                                   .external_parameters = rec->external_parameters,
                                   .internal_parameters = internal,
                                   .resolved_dependencies = deps,
                                   .byproducts = by,
                                   .tee_provider = tb_tee_provider(tee),
                                   .builder_dependencies = builder_deps,
                                   .teebuild_version = TEEBUILD_VERSION,
                                   .out_dir = staging_out,
                                   .started = rec->started,
                                   .finished = rec->finished};
  return tb_provenance_payload(&p, payload, len, err);
}

/* The provider is chosen first: the statement's builder.id names it and its agent says which app
 * this is. */
static int open_tee(const struct job_record *rec, char **sim_dir, struct tb_tee **tee, json_t **app,
                    tb_error **err) {
  if (tee_sim_dir(rec->store_dir, NULL, sim_dir, err) < 0)
    return -1;
  struct tb_tee_config cfg = {.sim_dir = *sim_dir};
  if (tb_tee_open(rec->tee ? rec->tee : "auto", &cfg, tee, err) < 0)
    return -1;
  return tb_tee_app(*tee, app, err);
}

static void *prefetch_run(void *opaque) {
  struct attest_prefetch *pre = opaque;
  pre->ret = open_tee(pre->rec, &pre->sim_dir, &pre->tee, &pre->app, &pre->err);
  /* Kept by provenance for the statement; a failure is reported there, where it is needed. */
  char self[TB_SHA256_HEX_LEN + 1];
  cleanup_error tb_error *ignored = NULL;
  (void)tb_provenance_self_digest(self, &ignored);
  return NULL;
}

void attest_prefetch_start(void *opaque) {
  struct attest_prefetch *pre = opaque;
  /* Without a thread the TEE is simply opened after the job, as job_attest does. */
  pre->started = pthread_create(&pre->thread, NULL, prefetch_run, pre) == 0;
}

static void prefetch_join(struct attest_prefetch *pre) {
  if (pre->started)
    pthread_join(pre->thread, NULL);
  pre->started = false;
}

void attest_prefetch_clear(struct attest_prefetch *pre) {
  prefetch_join(pre);
  if (pre->tee)
    tb_tee_close(pre->tee);
  pre->tee = NULL;
  json_decref(pre->app);
  pre->app = NULL;
  free(pre->sim_dir);
  pre->sim_dir = NULL;
  tb_error_free(&pre->err);
}

int job_attest(const struct job_record *rec, struct attest_prefetch *pre, const char *staging_out, tb_error **err) {
  cleanup_free char *payload = NULL;
  cleanup_pkey EVP_PKEY *key = NULL;
  cleanup_json json_t *bundle = NULL, *key_chain = NULL;
  size_t len = 0;
  bool prefetched = pre->started;
  prefetch_join(pre);
  int ret = prefetched ? pre->ret : open_tee(rec, &pre->sim_dir, &pre->tee, &pre->app, err);
  if (prefetched && ret < 0)
    *err = steal_pointer(&pre->err);
  /* The key is made last, once the jail is long gone. */
  if (ret < 0 || statement_payload(rec, pre->tee, pre->app, staging_out, &payload, &len, err) < 0 ||
      tee_signing_key(rec->key, pre->tee, &key, &key_chain, err) < 0 ||
      tb_bundle_seal(pre->tee, key, payload, len, &bundle, err) < 0)
    return tb_error_wrap(err, "attest");
  if (key_chain)
    tb_bundle_add_key_chain(bundle, key_chain);
  if (tb_bundle_write(staging_out, payload, len, bundle, err) < 0)
    return tb_error_wrap(err, "attest");
  return 0;
}
