/* The jail: runs one untrusted program with the isolation design.md describes and reports how it
 * ended and which isolation was actually in force. Calls only common/. */
#ifndef TB_SANDBOX_JAIL_H
#define TB_SANDBOX_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct jail_bind {
  const char *host_path; /* absolute host path of a directory */
  const char *jail_path; /* absolute path inside the jail, e.g. /toolchain/solc or /src */
};

struct jail_limits {
  uint64_t wall_s;    /* wall clock: the whole jail is killed past it */
  uint64_t cpu_s;     /* RLIMIT_CPU, and cgroup cpu accounting where available */
  uint64_t memory_mb; /* cgroup memory limit where available, else RLIMIT_DATA */
  uint64_t pids;      /* cgroup pids limit where available, and RLIMIT_NPROC */
  uint64_t output_mb; /* size of the /out tmpfs and RLIMIT_FSIZE for stdout/stderr files */
  uint64_t nofile;    /* RLIMIT_NOFILE */
};

/* Defaults used when a job gives no limits (design.md's example values). */
extern const struct jail_limits JAIL_DEFAULT_LIMITS;

/* Isolation the caller explicitly agrees to lower; by default every field is false and the jail
 * refuses to run when a feature is missing. */
struct jail_lowering {
  bool allow_no_cgroups; /* run with rlimits only when no cgroup controllers can be used */
};

struct jail_config {
  const char *const *argv;   /* argv[0] is an absolute path inside the jail */
  const char *const *env;    /* complete environment, "KEY=VALUE", NULL-terminated (already fixed) */
  const struct jail_bind *binds; /* bound read-only, nosuid, nodev */
  size_t n_binds;
  const char *out_host_dir;  /* existing empty host directory; receives what the job wrote to /out */
  int stdin_fd;              /* host fd for the job's stdin, or -1 for /dev/null */
  int stdout_fd;             /* host fds (regular files or pipes, never a tty) */
  int stderr_fd;
  const char *seccomp_profile; /* name of a profile shipped with teebuild, e.g. "default" */
  const char *seccomp_cache_dir; /* compiled profiles kept here across processes, or NULL */
  struct jail_limits limits;  /* a zero field takes its JAIL_DEFAULT_LIMITS value */
  struct jail_lowering lowering;
  /* Called once, in the caller's process and thread, when jail_run will fork no more there (the
   * job is running, or a supervisor process runs it): from then on the caller may start threads
   * of its own. A thread alive when jail_run starts makes it fork a supervisor instead. May be
   * NULL; not called when the jail could not be started. */
  void (*on_started)(void *arg);
  void *on_started_arg;
};

enum jail_outcome {
  JAIL_EXITED,          /* the program exited; see exit_code */
  JAIL_SIGNALED,        /* killed by a signal; see signal */
  JAIL_TIMED_OUT,       /* wall-clock limit hit; the whole jail was killed */
  JAIL_CPU_LIMIT,       /* RLIMIT_CPU / cgroup cpu limit hit */
  JAIL_MEMORY_LIMIT,    /* cgroup OOM kill or allocation failure at the memory limit */
  JAIL_PIDS_LIMIT,      /* a fork failed at the pids limit */
  JAIL_OUTPUT_LIMIT,    /* /out or a log file reached output_mb */
  JAIL_BLOCKED_SYSCALL, /* the program failed after a syscall denied by seccomp; see blocked_syscall */
};

/* What was actually in force, recorded in the provenance's internalParameters. */
struct jail_isolation {
  char namespaces[128];      /* e.g. "user,mount,pid,net,ipc,uts,cgroup" */
  char cgroup[16];           /* "v2", "v1" or "none" */
  char seccomp_profile[32];
  /* The BPF program loaded, exactly; the sandbox's memory for the process's lifetime. Its digest
   * is the caller's to take (the jail itself needs no hashing, so no libcrypto). */
  const void *seccomp_bpf;
  size_t seccomp_bpf_len;
  uint32_t jail_uid, jail_gid;
  uint32_t host_uid;         /* host uid the jail's uid maps to */
};

struct jail_result {
  enum jail_outcome outcome;
  int exit_code;
  int signal;
  char blocked_syscall[32]; /* first syscall seccomp denied, "" if none */
  unsigned blocked_count;
  double wall_seconds;
  struct jail_limits limits; /* the limits in force: the config's, zero fields set to defaults */
  struct jail_isolation isolation;
};

/* Run the program and wait for the whole jail to end. Returns 0 whenever the program ran (whatever
 * its outcome); a negative code with TB_EXIT_SANDBOX when the jail could not be set up (one line,
 * e.g. "sandbox: pivot_root: Operation not permitted"), or with TB_EXIT_INPUT when the request is
 * wrong (jail paths, unknown profile, absurd limits, a program missing in the jail) or /out held
 * something that cannot be copied out (symlink, fifo, device, hard link). Bound trees must be
 * readable by the jail's host uid (jail_isolation.host_uid: 1000000 when the caller is root).
 * Safe in a multi-threaded caller: the jail is then run from a forked supervisor process (a
 * single-threaded caller runs it itself; SIGCHLD's disposition is held at default meanwhile). */
int jail_run(const struct jail_config *cfg, struct jail_result *result, tb_error **err);

/* The compiled BPF of a shipped seccomp profile, exactly as jail_run loads it. Compiled once per
 * process; the memory stays owned by the sandbox. For tools that report the policy before a run
 * or reuse the filter. */
int jail_seccomp_filter(const char *profile, const void **bpf, size_t *len, tb_error **err);

/* One line describing a non-success outcome, e.g. "blocked syscall ptrace" or "wall-clock limit
 * of 600 s reached". */
const char *jail_outcome_describe(const struct jail_result *result, char *buf, size_t len);

#endif
