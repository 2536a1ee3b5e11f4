/* Compiling the seccomp profiles, installing one, and answering its denials.
 *
 * The filter's default action is SCMP_ACT_NOTIFY: a syscall outside the allow-list stops until the
 * parent, which holds the listener fd, answers it. The parent names the syscall
 * (seccomp_syscall_resolve_num_arch) for the job's result and answers EPERM, or ENOSYS when the
 * number is newer than libseccomp knows, so a runtime's fallback for new syscalls still works.
 * A foreign architecture (i386, and the x32 numbers libseccomp rejects on x86_64) kills the process.
 *
 * Each profile is compiled once per process; the exported BPF is hashed for the provenance and
 * loaded as is by the jail, so the digest names exactly what ran, and the jail needs no
 * libseccomp calls (no allocation) between fork and exec. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "sandbox/jail_internal.h"

#define CLONE_NAMESPACE_FLAGS \
  (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
   CLONE_NEWNET)

static void release_ctx(scmp_filter_ctx *ctx) {
  if (*ctx)
    seccomp_release(*ctx);
}

static int add_rule(scmp_filter_ctx ctx, const char *profile, uint32_t action, const char *name,
                    unsigned n_args, const struct scmp_arg_cmp *args, tb_error **err) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR)
    return tb_error_set(err, TB_EXIT_SANDBOX, 0, "seccomp profile %s: unknown syscall %s", profile,
                        name);
  int r = seccomp_rule_add_array(ctx, action, nr, n_args, args);
  if (r < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, -r, "seccomp profile %s: rule for %s", profile, name);
  return 0;
}

static int add_allow_list(scmp_filter_ctx ctx, const char *profile, const char *const *names,
                          tb_error **err) {
  for (; *names; names++)
    if (add_rule(ctx, profile, SCMP_ACT_ALLOW, *names, 0, NULL, err) < 0)
      return -1;
  return 0;
}

/* ioctl, except TIOCSTI and TIOCLINUX (typing into, or driving, a terminal). The kernel reads the
 * command as 32 bits, so only the low half may decide; libseccomp 2.5 still compares the high half
 * for < and > (even with SCMP_A1_32) and takes one comparison per argument per rule. So the
 * allowed set is spelled as masked equalities on the low 32 bits: a command is allowed when one of
 * its bits 4..31 differs from the prefix the two share, or when the prefix matches and its low
 * nibble is neither of theirs. */
static int add_ioctl_rules(scmp_filter_ctx ctx, const char *profile, tb_error **err) {
  const uint32_t prefix = TIOCSTI & ~0xFu;
  _Static_assert((TIOCLINUX & ~0xFu) == (TIOCSTI & ~0xFu), "TIOCSTI and TIOCLINUX share bits 4..31");
  for (unsigned bit = 4; bit < 32; bit++) {
    struct scmp_arg_cmp differs = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 1ull << bit, ~prefix & (1ull << bit));
    if (add_rule(ctx, profile, SCMP_ACT_ALLOW, "ioctl", 1, &differs, err) < 0)
      return -1;
  }
  for (uint32_t cmd = prefix; cmd <= (prefix | 0xF); cmd++) {
    struct scmp_arg_cmp same = SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFull, cmd);
    if (cmd != TIOCSTI && cmd != TIOCLINUX &&
        add_rule(ctx, profile, SCMP_ACT_ALLOW, "ioctl", 1, &same, err) < 0)
      return -1;
  }
  return 0;
}

/* Threads always; new processes only where the profile allows them; new namespaces never (clone
 * with CLONE_NEW* would be unshare by another name). clone3 passes its flags in memory seccomp
 * cannot read, so it gets ENOSYS and glibc falls back to clone. */
static int add_clone_rules(scmp_filter_ctx ctx, const struct seccomp_profile *p, tb_error **err) {
  uint64_t mask = CLONE_NAMESPACE_FLAGS | (p->allow_processes ? 0 : CLONE_THREAD);
  uint64_t want = p->allow_processes ? 0 : CLONE_THREAD;
  struct scmp_arg_cmp flags = SCMP_A0_64(SCMP_CMP_MASKED_EQ, mask, want);
  if (add_rule(ctx, p->name, SCMP_ACT_ALLOW, "clone", 1, &flags, err) < 0)
    return -1;
  return add_rule(ctx, p->name, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err);
}

/* Denied as if the kernel lacked them, without a report: runtimes probe these at start and fall
 * back (libuv in node tries io_uring_setup on every start), so a report would blame them for any
 * unrelated failure of the job. */
static int add_absent_rules(scmp_filter_ctx ctx, const char *profile, tb_error **err) {
  static const char *const absent[] = {"io_uring_setup", "io_uring_enter", "io_uring_register"};
  for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
    if (add_rule(ctx, profile, SCMP_ACT_ERRNO(ENOSYS), absent[i], 0, NULL, err) < 0)
      return -1;
  return 0;
}

/* Sockets of the families a runtime may use locally; netlink, packet and the rest are denied. */
static int add_socket_rules(scmp_filter_ctx ctx, const char *profile, tb_error **err) {
  static const int domains[] = {AF_UNIX, AF_INET, AF_INET6};
  for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
    struct scmp_arg_cmp domain = SCMP_A0_32(SCMP_CMP_EQ, (uint32_t)domains[i], 0);
    if (add_rule(ctx, profile, SCMP_ACT_ALLOW, "socket", 1, &domain, err) < 0)
      return -1;
  }
  return 0;
}

/* Read a whole BPF program from fd; it must be a non-empty whole number of instructions. */
static int read_bpf(int fd, const char *name, struct seccomp_program *prog, tb_error **err) {
  off_t len = lseek(fd, 0, SEEK_END);
  if (len <= 0 || len % (off_t)sizeof(struct sock_filter) != 0 ||
      len / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
    return tb_error_set(err, TB_EXIT_SANDBOX, 0, "seccomp profile %s: bad BPF size", name);
  void *bpf = xmalloc((size_t)len);
  if (pread(fd, bpf, (size_t)len, 0) != len) {
    free(bpf);
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "read BPF of %s", name);
  }
  prog->name = name;
  prog->bpf = bpf;
  prog->len = (size_t)len;
  return 0;
}

/* Export through a memfd (libseccomp 2.5 exports to an fd only) and read back what it holds: what
 * the jail loads and what the caller digests (jail_isolation.seccomp_bpf) are those bytes. */
static int export_bpf(scmp_filter_ctx ctx, const char *name, struct seccomp_program *prog,
                      tb_error **err) {
  cleanup_close int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "memfd_create");
  int r = seccomp_export_bpf(ctx, fd);
  if (r < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, -r, "seccomp_export_bpf %s", name);
  return read_bpf(fd, name, prog, err);
}

static int compile_profile(const struct seccomp_profile *p, struct seccomp_program *prog,
                           tb_error **err) {
  __attribute__((cleanup(release_ctx))) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
  if (ctx == NULL)
    return tb_error_set(err, TB_EXIT_SANDBOX, 0, "seccomp_init failed");
  /* Only the native architecture is in the filter, so anything else takes this action. The jail
   * sets no_new_privs itself, first thing; libseccomp must not depend on doing it. */
  int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (r == 0)
    r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (r == 0)
    r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); /* binary tree: long lists stay fast */
  if (r < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, -r, "seccomp attributes");
  if (add_allow_list(ctx, p->name, seccomp_base_allow, err) < 0 ||
      add_allow_list(ctx, p->name, p->allow, err) < 0 || add_ioctl_rules(ctx, p->name, err) < 0 ||
      add_clone_rules(ctx, p, err) < 0 || add_socket_rules(ctx, p->name, err) < 0 ||
      add_absent_rules(ctx, p->name, err) < 0)
    return -1;
  return export_bpf(ctx, p->name, prog, err);
}

static pthread_mutex_t programs_lock = PTHREAD_MUTEX_INITIALIZER;

/* From the on-disk cache when it holds this profile for this code, else compiled and cached. */
static int load_or_compile(const struct seccomp_profile *p, const char *cache_dir,
                           struct seccomp_program *prog, tb_error **err) {
  if (cache_dir && seccomp_cache_load(cache_dir, p->name, prog)) {
    prog->name = p->name;
    return 0;
  }
  if (compile_profile(p, prog, err) < 0)
    return -1;
  if (cache_dir)
    seccomp_cache_store(cache_dir, p->name, prog);
  return 0;
}

/* A plain -EINVAL on failure (the error recorded first) shows static analysis that *out is set
 * whenever 0 is returned. */
int seccomp_program_get(const char *profile, const char *cache_dir,
                        const struct seccomp_program **out, tb_error **err) {
  /* One slot per shipped profile, compiled on first use and kept: the process runs few jobs and
   * the BPF is a few kilobytes. */
  static struct seccomp_program programs[8];
  const struct seccomp_profile *p = seccomp_profile_find(profile);
  if (p == NULL) {
    (void)tb_error_set(err, TB_EXIT_INPUT, 0, "unknown seccomp profile '%s'", profile ? profile : "(none)");
    return -EINVAL;
  }
  pthread_mutex_lock(&programs_lock);
  struct seccomp_program *slot = NULL;
  for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]) && slot == NULL; i++)
    if (programs[i].name == NULL || programs[i].name == p->name)
      slot = &programs[i];
  int r = 0;
  if (slot == NULL) {
    (void)tb_error_set(err, TB_EXIT_SANDBOX, 0, "too many seccomp profiles");
    r = -EINVAL;
  } else if (slot->name == NULL)
    r = load_or_compile(p, cache_dir, slot, err);
  pthread_mutex_unlock(&programs_lock);
  if (r < 0)
    return r;
  *out = slot;
  return 0;
}

int jail_seccomp_filter(const char *profile, const void **bpf, size_t *len, tb_error **err) {
  const struct seccomp_program *prog;
  if (seccomp_program_get(profile, NULL, &prog, err) < 0)
    return -1;
  *bpf = prog->bpf;
  *len = prog->len;
  return 0;
}

int seccomp_program_install(const struct seccomp_program *prog, tb_error **err) {
  struct sock_fprog fprog = {.len = (unsigned short)(prog->len / sizeof(struct sock_filter)),
                             .filter = (struct sock_filter *)prog->bpf};
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "seccomp %s", prog->name);
  return (int)fd;
}

static void record_denial(struct jail_result *result, const char *name) {
  tb_debug("sandbox: seccomp denied %s", name);
  if (result->blocked_count++ == 0)
    (void)snprintf(result->blocked_syscall, sizeof(result->blocked_syscall), "%s", name);
}

int seccomp_notify_answer(int listener, struct jail_result *result) {
  /* The kernel's structures may be larger than our headers' (newer kernel): size by the kernel. */
  static struct seccomp_notif_sizes sizes;
  if (sizes.seccomp_notif == 0 && syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    return -errno;
  cleanup_free struct seccomp_notif *req =
      xcalloc(1, sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif : sizeof(*req));
  cleanup_free struct seccomp_notif_resp *resp = xcalloc(
      1, sizes.seccomp_notif_resp > sizeof(*resp) ? sizes.seccomp_notif_resp : sizeof(*resp));
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
    return errno == ENOENT || errno == EINTR ? 0 : -errno; /* ENOENT: the caller died meanwhile */
  cleanup_free char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, req->data.nr);
  if (name)
    record_denial(result, name);
  resp->id = req->id;
  resp->error = name ? -EPERM : -ENOSYS;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}
