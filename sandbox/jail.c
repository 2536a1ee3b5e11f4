/* jail_run(): checks the request, compiles (or reuses) the seccomp program, and runs the jail
 * (supervise.c) — from the caller itself when it is single-threaded, else from a forked supervisor
 * that reports back the result or one error.
 *
 * Why a separate process for a threaded caller (the runner serves a simulated TEE from a thread):
 * a raw clone3 from such a process gives the child only the calling thread, and a lock another
 * thread held at that instant (malloc's, stdio's) stays locked forever in the child. fork() makes
 * malloc and stdio usable again in its child, and from that single-threaded child clone3 is safe.
 * A caller with one thread has no such lock to leak, so it is spared the fork. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "sandbox/jail_internal.h"

static const char *const reserved_jail_paths[] = {"/proc", "/dev", "/out", "/tmp"};

/* "/a" is "/a" itself or above "/a/b". */
static bool path_covers(const char *outer, const char *inner) {
  size_t n = strlen(outer);
  return strncmp(outer, inner, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

/* Absolute, no empty, "." or ".." component, no trailing slash, not "/". */
static bool is_normal_jail_path(const char *p) {
  if (p == NULL || p[0] != '/' || p[1] == '\0' || strlen(p) > 256)
    return false;
  for (const char *c = p + 1;;) {
    size_t len = strcspn(c, "/");
    if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
      return false;
    if (c[len] == '\0')
      return true;
    c += len + 1;
  }
}

static int validate_binds(const struct jail_config *cfg, tb_error **err) {
  for (size_t i = 0; i < cfg->n_binds; i++) {
    const struct jail_bind *b = &cfg->binds[i];
    struct stat st;
    if (!is_normal_jail_path(b->jail_path))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "jail path '%s' is not a normalised absolute path",
                          b->jail_path ? b->jail_path : "(null)");
    for (size_t r = 0; r < sizeof(reserved_jail_paths) / sizeof(reserved_jail_paths[0]); r++)
      if (path_covers(reserved_jail_paths[r], b->jail_path))
        return tb_error_set(err, TB_EXIT_INPUT, 0, "jail path %s is reserved", b->jail_path);
    for (size_t j = 0; j < i; j++)
      if (path_covers(cfg->binds[j].jail_path, b->jail_path) ||
          path_covers(b->jail_path, cfg->binds[j].jail_path))
        return tb_error_set(err, TB_EXIT_INPUT, 0, "jail paths %s and %s overlap",
                            cfg->binds[j].jail_path, b->jail_path);
    if (b->host_path == NULL || b->host_path[0] != '/' || stat(b->host_path, &st) < 0 ||
        !S_ISDIR(st.st_mode))
      return tb_error_set(err, TB_EXIT_INPUT, errno == 0 ? ENOTDIR : errno,
                          "bind source for %s ('%s') must be an absolute path to a directory",
                          b->jail_path, b->host_path ? b->host_path : "(null)");
  }
  return 0;
}

static int validate_stdio(const struct jail_config *cfg, tb_error **err) {
  const int fds[] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
  static const char *const names[] = {"stdin", "stdout", "stderr"};
  for (int i = 0; i < 3; i++) {
    if (fds[i] < 0 && i == 0)
      continue;
    if (fds[i] < 0 || fcntl(fds[i], F_GETFD) < 0)
      return tb_error_set(err, TB_EXIT_SANDBOX, EBADF, "job %s", names[i]);
    /* A terminal would let the job type into the caller's shell (TIOCSTI) or read its input. */
    if (isatty(fds[i]))
      return tb_error_set(err, TB_EXIT_SANDBOX, 0, "refusing a terminal as the job's %s", names[i]);
  }
  return 0;
}

/* Sizes are turned into bytes (<< 20) and times into nanoseconds: keep both in 63 bits. */
static int validate_limits(const struct jail_limits *l, tb_error **err) {
  const struct {
    const char *name;
    uint64_t value, max;
  } checks[] = {{"memory_mb", l->memory_mb, 1ull << 40}, {"output_mb", l->output_mb, 1ull << 40},
                {"wall_s", l->wall_s, 1ull << 32},      {"cpu_s", l->cpu_s, 1ull << 32},
                {"pids", l->pids, 1ull << 32},          {"nofile", l->nofile, 1ull << 62}};
  for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
    if (checks[i].value > checks[i].max)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "limit %s of %llu is too large", checks[i].name,
                          (unsigned long long)checks[i].value);
  return 0;
}

static int validate_config(const struct jail_config *cfg, tb_error **err) {
  if (cfg->argv == NULL || cfg->argv[0] == NULL || cfg->argv[0][0] != '/')
    return tb_error_set(err, TB_EXIT_INPUT, 0, "the job's program must be an absolute path");
  if (cfg->env == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "the job's environment is missing");
  if (seccomp_profile_find(cfg->seccomp_profile) == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "unknown seccomp profile '%s'",
                        cfg->seccomp_profile ? cfg->seccomp_profile : "(none)");
  bool empty = false;
  if (cfg->out_host_dir == NULL || tb_dir_is_empty(cfg->out_host_dir, &empty, err) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, ENOENT, "jail output directory");
  if (!empty)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "jail output directory %s must exist and be empty",
                        cfg->out_host_dir);
  if (validate_binds(cfg, err) < 0 || validate_limits(&cfg->limits, err) < 0)
    return -1;
  return validate_stdio(cfg, err);
}

/* What the supervisor sends back: the result, or one error. */
struct supervisor_report {
  int rc;
  int exit_code;
  int status;
  struct jail_result result;
  char msg[2048];
};

static _Noreturn void run_supervisor(const struct jail_config *cfg,
                                     const struct seccomp_program *prog, pid_t caller,
                                     struct jail_result *result, int report_fd) {
  static struct supervisor_report report; /* static: a few KiB off the caller's thread stack */
  tb_error *err = NULL;
  /* Die with the caller (re-checked: it may have died already), and reap our own children even
   * if the caller ignores SIGCHLD. */
  (void)signal(SIGCHLD, SIG_DFL); /* cannot fail for SIGCHLD */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != caller)
    _exit(127);
  struct jail_config own = *cfg;
  own.on_started = NULL; /* the caller's own: it runs in the caller, after the fork */
  report.rc = supervise_jail(&own, prog, result, &err);
  report.result = *result;
  if (report.rc < 0) {
    report.exit_code = tb_error_exit_code(err);
    report.status = err ? err->status : EINVAL;
    (void)snprintf(report.msg, sizeof(report.msg), "%s", err && err->msg ? err->msg : "sandbox: failed");
  }
  ssize_t n = write(report_fd, &report, sizeof(report));
  _exit(n == (ssize_t)sizeof(report) ? 0 : 127);
}

static int read_report(int fd, pid_t supervisor, struct jail_result *result, tb_error **err) {
  static struct supervisor_report report;
  ssize_t n;
  do
    n = read(fd, &report, sizeof(report));
  while (n < 0 && errno == EINTR);
  int status = 0;
  while (waitpid(supervisor, &status, 0) < 0 && errno == EINTR)
    ;
  if (n != (ssize_t)sizeof(report))
    return tb_error_set(err, TB_EXIT_SANDBOX, 0, "sandbox: the jail's supervisor died (%s %d)",
                        WIFSIGNALED(status) ? "signal" : "status",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  *result = report.result;
  if (report.rc >= 0)
    return report.rc;
  report.msg[sizeof(report.msg) - 1] = '\0';
  int r = tb_error_set(err, report.exit_code, 0, "%s", report.msg);
  if (*err && report.status > 0)
    (*err)->status = report.status;
  return r;
}

/* Whether the calling thread is the process's only one. Only the calling thread could start
 * another, so the answer holds until jail_run() returns. Unreadable /proc counts as threaded. */
static bool caller_single_threaded(void) {
  cleanup_fclose FILE *f = fopen("/proc/self/status", "re");
  char line[256];
  while (f && fgets(line, sizeof(line), f))
    if (strncmp(line, "Threads:", 8) == 0)
      return strtol(line + 8, NULL, 10) == 1;
  return false;
}

/* As the supervisor does, but in the caller: the init's exit status must reach waitpid even if the
 * caller ignores SIGCHLD (or set SA_NOCLDWAIT), and the caller's own handler has no business with
 * the init; its disposition is restored afterwards. */
static int supervise_in_caller(const struct jail_config *cfg, const struct seccomp_program *prog,
                               struct jail_result *result, tb_error **err) {
  struct sigaction dfl = {.sa_handler = SIG_DFL}, old;
  sigemptyset(&dfl.sa_mask);
  if (sigaction(SIGCHLD, &dfl, &old) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "sigaction SIGCHLD");
  int r = supervise_jail(cfg, prog, result, err);
  sigaction(SIGCHLD, &old, NULL);
  return r;
}

static int supervise_in_child(const struct jail_config *cfg, const struct seccomp_program *prog,
                              struct jail_result *result, tb_error **err) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "pipe");
  pid_t caller = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return tb_error_set(err, TB_EXIT_SANDBOX, e, "fork the jail's supervisor");
  }
  if (pid == 0) {
    close(pipefd[0]);
    run_supervisor(cfg, prog, caller, result, pipefd[1]);
  }
  close(pipefd[1]);
  if (cfg->on_started)
    cfg->on_started(cfg->on_started_arg);
  int r = read_report(pipefd[0], pid, result, err);
  close(pipefd[0]);
  return r;
}

int jail_run(const struct jail_config *cfg, struct jail_result *result, tb_error **err) {
  memset(result, 0, sizeof(*result));
  limits_effective(&cfg->limits, &result->limits);
  const struct seccomp_program *prog;
  if (validate_config(cfg, err) < 0 || seccomp_program_get(cfg->seccomp_profile, cfg->seccomp_cache_dir, &prog, err) < 0)
    return -1;
  return caller_single_threaded() ? supervise_in_caller(cfg, prog, result, err)
                                  : supervise_in_child(cfg, prog, result, err);
}

const char *jail_outcome_describe(const struct jail_result *r, char *buf, size_t len) {
  const struct jail_limits *l = &r->limits;
  switch (r->outcome) {
  case JAIL_EXITED: (void)snprintf(buf, len, "exited with status %d", r->exit_code); break;
  case JAIL_SIGNALED: (void)snprintf(buf, len, "killed by signal %d (%s)", r->signal, strsignal(r->signal)); break;
  case JAIL_TIMED_OUT: (void)snprintf(buf, len, "wall-clock limit of %llu s reached", (unsigned long long)l->wall_s); break;
  case JAIL_CPU_LIMIT: (void)snprintf(buf, len, "CPU time limit of %llu s reached", (unsigned long long)l->cpu_s); break;
  case JAIL_MEMORY_LIMIT: (void)snprintf(buf, len, "memory limit of %llu MiB reached", (unsigned long long)l->memory_mb); break;
  case JAIL_PIDS_LIMIT: (void)snprintf(buf, len, "process limit of %llu reached", (unsigned long long)l->pids); break;
  case JAIL_OUTPUT_LIMIT: (void)snprintf(buf, len, "output limit of %llu MiB reached", (unsigned long long)l->output_mb); break;
  case JAIL_BLOCKED_SYSCALL: (void)snprintf(buf, len, "blocked syscall %s", r->blocked_syscall); break;
  }
  return buf;
}
