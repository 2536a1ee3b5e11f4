/* The supervisor: jail_run()'s caller, or the process it forks when the caller is threaded, running
 * one jail. It makes the job's cgroup, starts the jail's init in new user, mount, pid, net, ipc
 * and uts namespaces (clone3), writes its id maps, sends the v1 cgroups and the start, then supervises:
 * answers seccomp notifications, enforces the wall-clock and cgroup CPU limits by killing the init
 * (which takes the whole pid namespace with it), collects the payload's status, classifies the
 * outcome and copies /out to the host. Being single-threaded, it may clone3 the init and let it
 * run ordinary code (malloc, stdio) without inheriting a lock another thread held. */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sandbox/jail_internal.h"

#define JAIL_NAMESPACES "user,mount,pid,net,ipc,uts,cgroup"
#define CPU_POLL_MS 200

static double monotonic_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The parent's view of one running jail. */
struct supervision {
  pid_t pid;
  int pidfd;
  int sync;
  int notify;
  int out_fd;
  bool sync_eof;
  bool have_status;
  int payload_status;
  struct sync_msg error; /* type 0 until the jail reports a failure */
  bool timed_out;
  bool cpu_exceeded;
};

static void close_slot(int *fd) {
  tb_cleanup_closep(fd);
  *fd = -1;
}

static void release_supervision(struct supervision *s) {
  close_slot(&s->pidfd);
  close_slot(&s->sync);
  close_slot(&s->notify);
  close_slot(&s->out_fd);
}

static int spawn_init(const struct jail_plan *plan, struct supervision *s, tb_error **err) {
  struct clone_args args = {
      .flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
               CLONE_NEWUTS | CLONE_PIDFD,
      .pidfd = (uint64_t)(uintptr_t)&s->pidfd,
      .exit_signal = SIGCHLD,
  };
  if (plan->cgroup_v2_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)plan->cgroup_v2_fd;
  }
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "clone3 into new namespaces");
  if (pid == 0)
    jail_child_main(plan);
  s->pid = (pid_t)pid;
  return 0;
}

static void kill_jail(struct supervision *s) {
  /* SIGKILL to a pid namespace's init kills every process in it. */
  pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
}

static void keep_fd(int *slot, int fd) {
  if (*slot >= 0 || fd < 0) { /* a second one is a protocol violation: keep the first */
    if (fd >= 0)
      close(fd);
    return;
  }
  *slot = fd;
}

/* Read one pending message; false when none is pending. */
static bool read_sync_message(struct supervision *s) {
  struct sync_msg msg;
  int fd;
  int r = sync_recv(s->sync, &msg, &fd, MSG_DONTWAIT);
  if (r == -EAGAIN)
    return false;
  if (r <= 0) {
    s->sync_eof = true;
    return true;
  }
  switch (msg.type) {
  case SYNC_ERROR:
    if (s->error.type == 0)
      s->error = msg;
    break;
  case SYNC_OUT_FD: keep_fd(&s->out_fd, steal_fd(&fd)); break;
  case SYNC_NOTIFY_FD: keep_fd(&s->notify, steal_fd(&fd)); break;
  case SYNC_STATUS:
    s->have_status = true;
    s->payload_status = msg.status;
    break;
  }
  if (fd >= 0)
    close(fd);
  return true;
}

/* Once the jail is dead: what it sent last is still queued. */
static void drain_sync_messages(struct supervision *s) {
  while (!s->sync_eof && read_sync_message(s))
    ;
}

static bool cpu_limit_reached(const struct jail_cgroup *cg, const struct jail_limits *lim,
                              double *next_check) {
  double now = monotonic_s();
  if (cg->kind == CGROUP_NONE || now < *next_check)
    return false;
  *next_check = now + CPU_POLL_MS / 1000.0;
  return cgroup_cpu_usage_ns(cg) > lim->cpu_s * 1000000000ull;
}

/* Run until the jail's init is gone, answering seccomp and enforcing the time limits. */
static void supervise(struct supervision *s, const struct jail_limits *lim,
                      const struct jail_cgroup *cg, struct jail_result *result) {
  double deadline = monotonic_s() + (double)lim->wall_s;
  double next_cpu_check = monotonic_s() + CPU_POLL_MS / 1000.0;
  for (;;) {
    struct pollfd fds[3] = {{.fd = s->pidfd, .events = POLLIN},
                            {.fd = s->sync_eof ? -1 : s->sync, .events = POLLIN},
                            {.fd = s->notify, .events = POLLIN}};
    double left = deadline - monotonic_s();
    if (left <= 0 && !s->timed_out) {
      s->timed_out = true;
      kill_jail(s);
    }
    int timeout = s->timed_out ? -1 : (int)(left * 1000) + 1;
    if (cg->kind != CGROUP_NONE && (timeout < 0 || timeout > CPU_POLL_MS))
      timeout = CPU_POLL_MS;
    if (poll(fds, 3, timeout) < 0 && errno != EINTR)
      kill_jail(s); /* cannot supervise: end the jail rather than leave it unwatched */
    if (fds[2].revents & POLLIN) {
      if (seccomp_notify_answer(s->notify, result) < 0)
        close_slot(&s->notify);
    } else if (fds[2].revents) {
      close_slot(&s->notify); /* POLLHUP: every process under the filter is gone */
    }
    if (fds[1].revents)
      read_sync_message(s);
    if (fds[0].revents)
      break;
    if (!s->cpu_exceeded && cpu_limit_reached(cg, lim, &next_cpu_check)) {
      s->cpu_exceeded = true;
      kill_jail(s);
    }
  }
  drain_sync_messages(s);
}

static bool out_fs_full(int out_fd) {
  struct statfs sfs;
  return out_fd >= 0 && fstatfs(out_fd, &sfs) == 0 && (sfs.f_bavail == 0 || sfs.f_ffree == 0);
}

static bool file_at_limit(int fd, uint64_t limit_mb) {
  struct stat st;
  return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
         (uint64_t)st.st_size >= (limit_mb << 20);
}

static void classify(const struct supervision *s, const struct jail_config *cfg,
                     const struct jail_cgroup *cg, struct jail_result *r) {
  struct cgroup_events ev;
  cgroup_read_events(cg, &ev);
  int st = s->payload_status;
  bool exited = s->have_status && WIFEXITED(st);
  r->exit_code = exited ? WEXITSTATUS(st) : -1;
  r->signal = s->have_status && WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  bool failed = !(exited && r->exit_code == 0);
  bool output_full = out_fs_full(s->out_fd) || file_at_limit(cfg->stdout_fd, r->limits.output_mb) ||
                     file_at_limit(cfg->stderr_fd, r->limits.output_mb);
  if (s->timed_out)
    r->outcome = JAIL_TIMED_OUT;
  else if (s->cpu_exceeded || r->signal == SIGXCPU)
    r->outcome = JAIL_CPU_LIMIT;
  else if (ev.oom_killed)
    r->outcome = JAIL_MEMORY_LIMIT;
  else if (r->signal == SIGXFSZ || (failed && output_full))
    r->outcome = JAIL_OUTPUT_LIMIT;
  else if (failed && ev.pids_max_hit)
    r->outcome = JAIL_PIDS_LIMIT;
  else if (failed && r->blocked_count > 0)
    r->outcome = JAIL_BLOCKED_SYSCALL;
  else
    r->outcome = exited ? JAIL_EXITED : JAIL_SIGNALED;
}

static int jail_failure(const struct supervision *s, int init_status, const struct jail_cgroup *cg,
                        tb_error **err) {
  if (s->error.type == SYNC_ERROR) {
    int r = tb_error_set(err, s->error.exit_code, 0, "sandbox: %s", s->error.text);
    if (*err && s->error.status > 0)
      (*err)->status = s->error.status;
    return r;
  }
  struct cgroup_events ev;
  cgroup_read_events(cg, &ev);
  if (ev.oom_killed)
    return 0; /* the OOM killer chose the init itself: classify() reports the memory limit */
  return tb_error_set(err, TB_EXIT_SANDBOX, 0, "sandbox: the jail's init ended before the job did (%s %d)",
                      WIFSIGNALED(init_status) ? "signal" : "status",
                      WIFSIGNALED(init_status) ? WTERMSIG(init_status) : WEXITSTATUS(init_status));
}

static void record_isolation(const struct jail_config *cfg, const struct jail_cgroup *cg,
                             const struct seccomp_program *prog, struct jail_isolation *iso) {
  (void)snprintf(iso->namespaces, sizeof(iso->namespaces), "%s", JAIL_NAMESPACES);
  (void)snprintf(iso->cgroup, sizeof(iso->cgroup), "%s", cgroup_kind_name(cg->kind));
  (void)snprintf(iso->seccomp_profile, sizeof(iso->seccomp_profile), "%s", cfg->seccomp_profile);
  iso->seccomp_bpf = prog->bpf;
  iso->seccomp_bpf_len = prog->len;
}

/* Start the jail and let it go once its id maps are written. */
static int start_jail(const struct jail_plan *plan, struct supervision *s,
                      struct jail_isolation *iso, tb_error **err) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "socketpair");
  s->sync = sv[0];
  struct jail_plan child_plan = *plan;
  child_plan.sync_fd = sv[1];
  int r = spawn_init(&child_plan, s, err);
  close(sv[1]);
  if (r < 0)
    return r;
  struct sync_msg go = {.type = SYNC_GO};
  if (idmap_write(s->pid, iso, err) < 0)
    return -1;
  r = sync_send(s->sync, &go, -1);
  return r < 0 ? tb_error_set(err, TB_EXIT_SANDBOX, -r, "start the jail") : 0;
}

static int reap_init(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return status;
}

/* Starting failed on our side: end the jail. If it had failed first (so that, say, our send met a
 * closed socket), its own error is the one to report. */
static void abort_jail(struct supervision *s, const struct jail_cgroup *cg, tb_error **err) {
  kill_jail(s);
  int init_status = reap_init(s->pid);
  drain_sync_messages(s);
  if (s->error.type == SYNC_ERROR) {
    tb_error_free(err);
    jail_failure(s, init_status, cg, err);
  }
}

/* Without v2, the v1 cgroup is made now, while the init sets up, and its tasks fds sent to it. */
static int send_cgroup(struct supervision *s, struct jail_cgroup *cg, const struct jail_config *cfg,
                       const struct jail_limits *lim, tb_error **err) {
  if (cg->kind == CGROUP_NONE)
    cgroup_create_v1(cg, lim);
  if (cg->kind == CGROUP_NONE && !cfg->lowering.allow_no_cgroups)
    return tb_error_set(err, TB_EXIT_SANDBOX, 0,
                        "sandbox: no usable cgroup (v2 with memory and pids, or writable v1); "
                        "running with rlimits only must be allowed explicitly");
  for (int i = 0; i < CGROUP_V1_CONTROLLERS && cg->kind == CGROUP_V1; i++) {
    struct sync_msg msg = {.type = SYNC_CGROUP_FD};
    int r = sync_send(s->sync, &msg, cg->v1_tasks_fds[i]);
    if (r < 0)
      return tb_error_set(err, TB_EXIT_SANDBOX, -r, "send the cgroup to the jail");
  }
  return 0;
}

/* Last of the set-up messages: the init forks the payload on it. */
static int send_start(struct supervision *s, tb_error **err) {
  struct sync_msg msg = {.type = SYNC_START};
  int r = sync_send(s->sync, &msg, -1);
  return r < 0 ? tb_error_set(err, TB_EXIT_SANDBOX, -r, "start the jail") : 0;
}

int supervise_jail(const struct jail_config *cfg, const struct seccomp_program *prog,
                   struct jail_result *result, tb_error **err) {
  __attribute__((cleanup(cgroup_destroy))) struct jail_cgroup cg;
  cgroup_create_v2(&cg, &result->limits);
  struct jail_plan plan = {.cfg = cfg, .limits = result->limits, .cgroup_v2_fd = cg.v2_dir_fd,
                           .host_root = geteuid() == 0, .seccomp = prog};
  __attribute__((cleanup(release_supervision))) struct supervision s = {
      .pid = -1, .pidfd = -1, .sync = -1, .notify = -1, .out_fd = -1};
  double started = monotonic_s();
  if (start_jail(&plan, &s, &result->isolation, err) < 0 ||
      send_cgroup(&s, &cg, cfg, &result->limits, err) < 0 || send_start(&s, err) < 0) {
    if (s.pid > 0)
      abort_jail(&s, &cg, err);
    return -1;
  }
  record_isolation(cfg, &cg, prog, &result->isolation);
  if (cfg->on_started)
    cfg->on_started(cfg->on_started_arg);
  supervise(&s, &result->limits, &cg, result);
  int init_status = reap_init(s.pid);
  result->wall_seconds = monotonic_s() - started;
  if (s.error.type == SYNC_ERROR || (!s.have_status && !s.timed_out && !s.cpu_exceeded)) {
    if (jail_failure(&s, init_status, &cg, err) < 0)
      return -1;
  }
  classify(&s, cfg, &cg, result);
  /* No /out fd only when a limit ended the jail during its setup: nothing to copy then. */
  return s.out_fd >= 0 ? copyout_tree(s.out_fd, cfg->out_host_dir, err) : 0;
}
