/* Resource limits: the defaults, and the rlimits every job gets whether or not a cgroup also
 * bounds it. Memory goes through RLIMIT_DATA only when there is no cgroup: V8 (wasm) reserves huge
 * virtual ranges it never touches, so RLIMIT_AS would break node; RLIMIT_DATA counts only private
 * writable mappings actually requested. */
#include <errno.h>
#include <sys/resource.h>

#include "sandbox/jail_internal.h"

const struct jail_limits JAIL_DEFAULT_LIMITS = {
    .wall_s = 600, .cpu_s = 600, .memory_mb = 4096, .pids = 256, .output_mb = 512, .nofile = 1024,
};

static uint64_t or_default(uint64_t v, uint64_t def) { return v ? v : def; }

void limits_effective(const struct jail_limits *given, struct jail_limits *out) {
  const struct jail_limits *d = &JAIL_DEFAULT_LIMITS;
  out->wall_s = or_default(given->wall_s, d->wall_s);
  out->cpu_s = or_default(given->cpu_s, d->cpu_s);
  out->memory_mb = or_default(given->memory_mb, d->memory_mb);
  out->pids = or_default(given->pids, d->pids);
  out->output_mb = or_default(given->output_mb, d->output_mb);
  out->nofile = or_default(given->nofile, d->nofile);
}

static int set_limit(int resource, const char *name, rlim_t soft, rlim_t hard, tb_error **err) {
  struct rlimit rl = {.rlim_cur = soft, .rlim_max = hard};
  if (setrlimit(resource, &rl) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "setrlimit %s", name);
  return 0;
}

int limits_apply(const struct jail_limits *lim, bool cgroup_in_force, tb_error **err) {
  /* CPU: SIGXCPU at the limit, SIGKILL a second later for a job that ignores it. NPROC: +1 for
   * the jail's init, which runs under the same uid; with a cgroup, one more, so the cgroup's pids
   * limit is the one hit and its event counter tells the outcome (the rlimit is a backstop). */
  rlim_t nproc = lim->pids + (cgroup_in_force ? 2 : 1);
  if (set_limit(RLIMIT_CPU, "CPU", lim->cpu_s, lim->cpu_s + 1, err) < 0 ||
      set_limit(RLIMIT_NOFILE, "NOFILE", lim->nofile, lim->nofile, err) < 0 ||
      set_limit(RLIMIT_FSIZE, "FSIZE", lim->output_mb << 20, lim->output_mb << 20, err) < 0 ||
      set_limit(RLIMIT_NPROC, "NPROC", nproc, nproc, err) < 0 ||
      set_limit(RLIMIT_CORE, "CORE", 0, 0, err) < 0)
    return -1;
  if (!cgroup_in_force)
    return set_limit(RLIMIT_DATA, "DATA", lim->memory_mb << 20, lim->memory_mb << 20, err);
  return 0;
}
