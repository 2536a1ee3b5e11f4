/* Interfaces between the files of sandbox/; nothing outside sandbox/ includes this. */
#ifndef TB_SANDBOX_JAIL_INTERNAL_H
#define TB_SANDBOX_JAIL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/hash.h"
#include "sandbox/jail.h"

/* The jail's fixed identity, and the host id it maps to when teebuild runs as root: a non-zero id
 * no host account uses, so RLIMIT_NPROC applies (the kernel exempts real uid 0). */
#define JAIL_ID 1000
#define JAIL_ROOT_HOST_ID 1000000

/* ---- sync.c: the parent <-> jail socket (SOCK_SEQPACKET: one send is one message) ---- */
enum sync_type {
  SYNC_GO = 1,    /* parent -> init: id maps written; go on */
  SYNC_START,     /* parent -> init: the cgroups are sent; start the payload */
  SYNC_ERROR,     /* jail -> parent: setup failed; text says where and why, status is the errno */
  SYNC_OUT_FD,    /* init -> parent: an fd to the jail's /out tmpfs (SCM_RIGHTS) */
  SYNC_NOTIFY_FD, /* payload -> parent: the seccomp listener fd (SCM_RIGHTS) */
  SYNC_STATUS,    /* init -> parent: the payload's wait status */
  SYNC_CGROUP_FD, /* parent -> init: a v1 tasks file of the job's cgroup to join (SCM_RIGHTS) */
};

struct sync_msg {
  uint32_t type;
  int32_t status;    /* errno for SYNC_ERROR, wait status for SYNC_STATUS */
  int32_t exit_code; /* enum tb_exit for SYNC_ERROR */
  char text[480];
};

/* Send msg, with fd attached when fd >= 0. Returns 0 or -errno. */
int sync_send(int sock, const struct sync_msg *msg, int fd);
/* Receive one message (and its fd, else *fd = -1). Returns 1, 0 at end of stream, or -errno. */
int sync_recv(int sock, struct sync_msg *msg, int *fd, int flags);

/* ---- seccomp.c ---- */
struct seccomp_program {
  const char *name;
  const void *bpf; /* struct sock_filter[], exactly the bytes libseccomp exported */
  size_t len;      /* in bytes */
};

/* The compiled profile, built (or read from cache_dir, unless NULL) once per process and kept for
 * its lifetime. */
int seccomp_program_get(const char *profile, const char *cache_dir,
                        const struct seccomp_program **out, tb_error **err);
/* Install the filter on the calling thread; returns the user-notification listener fd. */
int seccomp_program_install(const struct seccomp_program *prog, tb_error **err);
/* Answer one pending notification: EPERM for a syscall libseccomp can name (recorded in result),
 * ENOSYS for numbers it cannot (newer than the profile). Returns 0, or -errno from the listener. */
int seccomp_notify_answer(int listener, struct jail_result *result);

/* ---- seccomp_cache.c ---- */
/* Fill prog's bpf and len from dir's file for this profile and code; false when there is
 * none usable (missing, not private to our euid, malformed): then compile. */
bool seccomp_cache_load(const char *dir, const char *profile, struct seccomp_program *prog);
/* Keep a compiled program in dir (made 0700 if missing); failures only cost the next process a
 * compile. */
void seccomp_cache_store(const char *dir, const char *profile, const struct seccomp_program *prog);

/* ---- seccomp_profiles.c ---- */
struct seccomp_profile {
  const char *name;
  const char *const *allow; /* NULL-terminated syscall names, allowed on top of the base list */
  bool allow_processes;     /* fork/vfork/clone of new processes (threads are always allowed) */
};
extern const char *const seccomp_base_allow[];
const struct seccomp_profile *seccomp_profile_find(const char *name);

/* ---- cgroup.c ---- */
enum cgroup_kind { CGROUP_NONE, CGROUP_V1, CGROUP_V2 };
#define CGROUP_V1_CONTROLLERS 3 /* memory, pids, cpuacct */

struct jail_cgroup {
  enum cgroup_kind kind;
  char *dirs[CGROUP_V1_CONTROLLERS]; /* v2: dirs[0] only */
  int v2_dir_fd;                     /* v2: for clone3's CLONE_INTO_CGROUP */
  int v1_tasks_fds[CGROUP_V1_CONTROLLERS]; /* v1: sent to the jail's init, which joins by them */
};

struct cgroup_events {
  bool oom_killed;
  bool pids_max_hit;
};

/* Make the job's cgroup with its limits: v2 before clone3 (cg left empty, kind CGROUP_NONE, when
 * v2 is not usable), else v1 after it (kind CGROUP_NONE when neither is). An unusable hierarchy is
 * no error here: the caller decides whether none will do. */
void cgroup_create_v2(struct jail_cgroup *cg, const struct jail_limits *lim);
void cgroup_create_v1(struct jail_cgroup *cg, const struct jail_limits *lim);
/* In the jail's init, before the payload exists: join a v1 cgroup by writing "0" to its tasks
 * file. (A thread moving itself skips the global threadgroup lock whose RCU grace period makes a
 * parent-side attach cost several milliseconds; v2 joins at clone3 instead.) */
int cgroup_join_self(int tasks_fd, tb_error **err);
/* CPU time the job's cgroup has used, in nanoseconds; 0 without a cgroup. */
uint64_t cgroup_cpu_usage_ns(const struct jail_cgroup *cg);
void cgroup_read_events(const struct jail_cgroup *cg, struct cgroup_events *ev);
/* Remove the cgroup (once every member is gone) and free it; safe on a zeroed struct. */
void cgroup_destroy(struct jail_cgroup *cg);
const char *cgroup_kind_name(enum cgroup_kind kind);

/* ---- idmap.c ---- */
/* Map JAIL_ID to the host id the jail runs as, for the init process pid; records it in iso. */
int idmap_write(pid_t pid, struct jail_isolation *iso, tb_error **err);

/* ---- limits.c ---- */
/* The caller's limits with every zero field replaced by the default. */
void limits_effective(const struct jail_limits *given, struct jail_limits *out);
/* Set the payload's rlimits; RLIMIT_DATA carries the memory limit only without a cgroup. */
int limits_apply(const struct jail_limits *lim, bool cgroup_in_force, tb_error **err);

/* ---- caps.c ---- */
/* Empty the bounding, ambient, inheritable, permitted and effective sets. */
int caps_drop_all(tb_error **err);

/* ---- mounts.c ---- */
#define JAIL_DEV_NODES 5

/* Detached clones of the host trees the jail shows: the binds and the /dev nodes. */
struct host_trees {
  int *binds;
  size_t n_binds;
  int dev[JAIL_DEV_NODES];
};

/* In the jail's init, still under the caller's uid (so it reaches whatever the caller can): make
 * the mount namespace private and clone the host trees, read-only, nosuid, nodev. */
int mounts_clone_host_trees(const struct jail_config *cfg, struct host_trees *t, tb_error **err);
/* Then build the jail's filesystem from them, pivot into it and leave the root read-only.
 * *out_fd gets an fd to /out for the parent's copy-out. */
int mounts_build(const struct jail_config *cfg, const struct jail_limits *lim,
                 const struct host_trees *t, int *out_fd, tb_error **err);
void mounts_release(struct host_trees *t);

/* ---- copyout.c ---- */
/* Copy the tree under jail_out (an fd to the jail's /out) into host_dir: regular files (0644) and
 * directories (0755) only; anything else fails with TB_EXIT_INPUT naming the path. */
int copyout_tree(int jail_out, const char *host_dir, tb_error **err);

/* ---- supervise.c ---- */
/* In a single-threaded process (the caller, or the supervisor forked for a threaded one): run the
 * jail for a validated cfg and fill result (whose limits are already the effective ones). Returns
 * as jail_run() does. */
int supervise_jail(const struct jail_config *cfg, const struct seccomp_program *prog,
                   struct jail_result *result, tb_error **err);

/* ---- jail_child.c ---- */
struct jail_plan {
  const struct jail_config *cfg;
  struct jail_limits limits;
  int cgroup_v2_fd;      /* the job's v2 cgroup for CLONE_INTO_CGROUP, or -1 (v1 fds come later) */
  bool host_root;        /* teebuild runs as root: supplementary groups can (and must) be dropped */
  int sync_fd;
  /* The filter the payload installs. The init is a copy of the supervisor's memory, taken after
   * the program was loaded, so it holds these bytes: nothing needs to carry them in. */
  const struct seccomp_program *seccomp;
};

/* The jail's init (pid 1 of its pid namespace): set up, run the payload, report, exit. */
_Noreturn void jail_child_main(const struct jail_plan *plan);

#endif
