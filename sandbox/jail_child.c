/* Inside the jail: the init process (pid 1 of the new pid namespace) and the payload it forks.
 *
 * Order, and why:
 *   init:    no_new_privs (first: nothing after it can gain privileges); PR_SET_PDEATHSIG; default
 *            signal dispositions and an empty mask (the payload inherits them); wait
 *            for the parent's GO (id maps written; end of stream = the parent died); clone the
 *            host trees to show (mounts.c), still as the caller's uid; become JAIL_ID (caps in the
 *            namespace are kept: the host uid it leaves is not the namespace's root);
 *            PR_SET_PDEATHSIG again, since a credential change clears it, and re-check the parent
 *            through the socket; hostname; filesystem (mounts.c); send the parent an fd to /out;
 *            join the job's v1 cgroup the parent made meanwhile (v2 was joined at clone3); cgroup
 *            namespace (now that we are in the job's cgroup, so that it is the jail's root); take
 *            the seccomp filter; start the payload; reap every child; report the payload's status;
 *            exit, which makes the kernel kill whatever else still runs in the namespace.
 *   payload: setsid (no controlling terminal); stdio; umask; cwd /src; rlimits; drop all caps;
 *            seccomp; send the listener fd; close every other fd; execve. seccomp comes last
 *            because everything before it needs syscalls the profiles deny; what follows it
 *            (sendmsg, close_range, execve) is in every profile's base list.
 * Any failure is sent to the parent as one message and the process exits; only here, in the
 * child, does sandbox/ exit. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sandbox/jail_internal.h"

static _Noreturn void fail_and_exit(int sync, tb_error *err) {
  struct sync_msg msg = {.type = SYNC_ERROR,
                         .status = err ? err->status : EINVAL,
                         .exit_code = err ? err->exit_code : TB_EXIT_SANDBOX};
  (void)snprintf(msg.text, sizeof(msg.text), "%s", err && err->msg ? err->msg : "jail setup failed");
  sync_send(sync, &msg, -1);
  _exit(127);
}

static int send_fd(int sync, enum sync_type type, int fd, tb_error **err) {
  struct sync_msg msg = {.type = type};
  int r = sync_send(sync, &msg, fd);
  return r < 0 ? tb_error_set(err, TB_EXIT_SANDBOX, -r, "send fd to parent") : 0;
}

static int set_parent_death_signal(int sync, tb_error **err) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "PR_SET_PDEATHSIG");
  /* The parent may have died before the call: then its end of the socket is closed. getppid() is
   * no help, it reads 0 for a namespace's init. */
  struct pollfd p = {.fd = sync, .events = POLLRDHUP};
  if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP)))
    _exit(127);
  return 0;
}

/* The parent's next message, which must be of this type; returns its fd (or -1). */
static int wait_for(int sync, enum sync_type type) {
  struct sync_msg msg;
  int fd;
  int r = sync_recv(sync, &msg, &fd, 0);
  if (r <= 0 || msg.type != type)
    _exit(127); /* the parent is gone or gave up; it reports what happened */
  return fd;
}

/* Dispositions set to SIG_IGN and blocked signals survive fork and execve: start from the
 * defaults, whatever the caller had (an ignored SIGCHLD would even make the init's waitpid fail,
 * an ignored SIGPIPE would change how the job behaves). */
static int reset_signals(tb_error **err) {
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      (void)signal(sig, SIG_DFL); /* fails only for numbers glibc reserves; those it manages itself */
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "sigprocmask");
  return 0;
}

static int become_jail_user(const struct jail_plan *p, tb_error **err) {
  if (setresgid(JAIL_ID, JAIL_ID, JAIL_ID) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "setresgid %d", JAIL_ID);
  /* Unprivileged, setgroups is denied and the caller's own groups stay (unmapped, so they show
   * as nobody); as root the inherited host groups (root's!) must go. */
  if (p->host_root && setgroups(0, NULL) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "setgroups");
  if (setresuid(JAIL_ID, JAIL_ID, JAIL_ID) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "setresuid %d", JAIL_ID);
  return 0;
}

static int set_up_init(const struct jail_plan *p, int *out_fd, tb_error **err) {
  __attribute__((cleanup(mounts_release))) struct host_trees trees = {0};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "PR_SET_NO_NEW_PRIVS");
  if (set_parent_death_signal(p->sync_fd, err) < 0 || reset_signals(err) < 0)
    return -1;
  wait_for(p->sync_fd, SYNC_GO); /* carries no fd */
  if (mounts_clone_host_trees(p->cfg, &trees, err) < 0 || become_jail_user(p, err) < 0 ||
      set_parent_death_signal(p->sync_fd, err) < 0)
    return -1;
  if (sethostname("teebuild", strlen("teebuild")) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "sethostname");
  if (mounts_build(p->cfg, &p->limits, &trees, out_fd, err) < 0)
    return -1;
  /* The payload runs under the same uid: keep it from reading this process's memory or fds. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "PR_SET_DUMPABLE");
  return send_fd(p->sync_fd, SYNC_OUT_FD, *out_fd, err);
}

/* Put the job's stdio on 0, 1, 2 and return a copy of the sync socket above them, whatever
 * numbers the caller's fds had (any of them may be 0..2, or equal). */
static int arrange_fds(const struct jail_plan *p, tb_error **err) {
  int sync = fcntl(p->sync_fd, F_DUPFD_CLOEXEC, 3);
  int in = p->cfg->stdin_fd >= 0 ? fcntl(p->cfg->stdin_fd, F_DUPFD_CLOEXEC, 3)
                                 : open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = fcntl(p->cfg->stdout_fd, F_DUPFD_CLOEXEC, 3);
  int errfd = fcntl(p->cfg->stderr_fd, F_DUPFD_CLOEXEC, 3);
  if (sync < 0 || in < 0 || out < 0 || errfd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "duplicate stdio");
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "dup2 stdio");
  close(in);
  close(out);
  close(errfd);
  return sync;
}

/* Join the cgroups the parent sends until it says start; sets whether a cgroup bounds the job
 * (v2 at clone3, or v1 now). */
static int join_cgroups(const struct jail_plan *p, bool *cgroup_in_force, tb_error **err) {
  *cgroup_in_force = p->cgroup_v2_fd >= 0;
  for (;;) {
    struct sync_msg msg;
    int fd;
    int r = sync_recv(p->sync_fd, &msg, &fd, 0);
    if (r <= 0 || (msg.type != SYNC_CGROUP_FD && msg.type != SYNC_START) ||
        (msg.type == SYNC_CGROUP_FD) != (fd >= 0)) {
      if (r > 0 && fd >= 0)
        close(fd);
      _exit(127); /* the parent is gone or gave up; it reports what happened */
    }
    if (msg.type == SYNC_START) {
      if (unshare(CLONE_NEWCGROUP) < 0)
        return tb_error_set(err, TB_EXIT_SANDBOX, errno, "unshare cgroup namespace");
      return 0;
    }
    r = cgroup_join_self(fd, err);
    close(fd);
    if (r < 0)
      return -1;
    *cgroup_in_force = true;
  }
}

static int set_up_payload(const struct jail_plan *p, const struct seccomp_program *seccomp,
                          bool cgroup_in_force, int *sync, tb_error **err) {
  if (setsid() < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "setsid");
  int copy = arrange_fds(p, err);
  if (copy < 0)
    return -1;
  *sync = copy;
  umask(022);
  if (chdir("/src") < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "chdir /src");
  if (limits_apply(&p->limits, cgroup_in_force, err) < 0 || caps_drop_all(err) < 0)
    return -1;
  int listener = seccomp_program_install(seccomp, err);
  if (listener < 0)
    return -1;
  int r = send_fd(*sync, SYNC_NOTIFY_FD, listener, err);
  close(listener);
  if (r < 0)
    return -1;
  /* Only stdio and the (close-on-exec) sync socket survive into the job. */
  if (close_range(3, (unsigned)*sync - 1, 0) < 0 || close_range((unsigned)*sync + 1, ~0U, 0) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "close_range");
  return 0;
}

static _Noreturn void run_payload(const struct jail_plan *p, const struct seccomp_program *seccomp,
                                  bool cgroup_in_force) {
  tb_error *err = NULL;
  int sync = p->sync_fd;
  if (set_up_payload(p, seccomp, cgroup_in_force, &sync, &err) < 0)
    fail_and_exit(sync, err);
  execve(p->cfg->argv[0], (char *const *)p->cfg->argv, (char *const *)p->cfg->env);
  /* A program that is not there (or not executable) is the job's mistake, not the jail's. ENOENT
   * for a file that exists means its ELF or script interpreter is missing: the jail has no /usr. */
  int e = errno;
  int code = e == ENOENT || e == EACCES || e == ENOEXEC ? TB_EXIT_INPUT : TB_EXIT_SANDBOX;
  if (e == ENOENT && access(p->cfg->argv[0], F_OK) == 0)
    tb_error_set(&err, code, 0, "execve %s: its interpreter (ELF loader or #! program) is not in the jail",
                 p->cfg->argv[0]);
  else
    tb_error_set(&err, code, e, "execve %s", p->cfg->argv[0]);
  fail_and_exit(sync, err);
}

/* Reap everything (orphans are reparented here) until the payload itself ends. */
static _Noreturn void reap_until_payload_ends(int sync, pid_t payload) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR)
      continue;
    if (pid < 0)
      _exit(127);
    if (pid == payload) {
      struct sync_msg msg = {.type = SYNC_STATUS, .status = status};
      sync_send(sync, &msg, -1);
      _exit(0);
    }
  }
}

struct payload_args {
  const struct jail_plan *plan;
  const struct seccomp_program *seccomp;
  bool cgroup_in_force;
};

static int payload_main(void *arg) {
  const struct payload_args *a = arg;
  run_payload(a->plan, a->seccomp, a->cgroup_in_force);
}

#define PAYLOAD_STACK_SIZE ((size_t)256 << 10)

/* The payload shares the init's memory until its execve (CLONE_VM | CLONE_VFORK, as posix_spawn
 * does): no copy of the caller's page tables, and the init, which has nothing to do meanwhile,
 * sleeps until then. It runs on a stack of its own; whatever it allocates before failing is only
 * a leak in an init about to report and exit. Everything it changes is its own: fds, cwd, umask,
 * credentials, rlimits and the filter are per process or per task without CLONE_FILES, CLONE_FS
 * or CLONE_THREAD. */
static pid_t spawn_payload(const struct payload_args *args) {
  void *stack = mmap(NULL, PAYLOAD_STACK_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  return clone(payload_main, (char *)stack + PAYLOAD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD,
               (void *)args);
}

_Noreturn void jail_child_main(const struct jail_plan *p) {
  tb_error *err = NULL;
  int out_fd = -1;
  if (set_up_init(p, &out_fd, &err) < 0)
    fail_and_exit(p->sync_fd, err);
  close(out_fd);
  bool cgroup_in_force;
  if (join_cgroups(p, &cgroup_in_force, &err) < 0)
    fail_and_exit(p->sync_fd, err);
  struct payload_args args = {.plan = p, .seccomp = p->seccomp, .cgroup_in_force = cgroup_in_force};
  pid_t payload = spawn_payload(&args);
  if (payload < 0) {
    tb_error_set(&err, TB_EXIT_SANDBOX, errno, "start the payload");
    fail_and_exit(p->sync_fd, err);
  }
  reap_until_payload_ends(p->sync_fd, payload);
}
