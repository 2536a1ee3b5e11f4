/* The seccomp allow-lists shipped with teebuild. Everything not listed here is denied: with EPERM
 * and a report naming the syscall, or ENOSYS for syscalls too new to be named (see seccomp.c).
 * Rules that need argument checks (ioctl, clone, socket, clone3) live in seccomp.c. */
#include <string.h>

#include "sandbox/jail_internal.h"

/* Every profile: what a static glibc program needs to start, do file I/O, use threads and exit,
 * plus what the jail's own last steps before execve need (sendmsg, close_range, execve). */
const char *const seccomp_base_allow[] = {
    /* process and threads */
    "execve", "exit", "exit_group", "wait4", "waitid", "kill", "tgkill", "tkill", "getpid", "getppid",
    "gettid", "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex",
    "arch_prctl", "prctl", "sched_yield", "sched_getaffinity", "sched_getparam",
    "sched_getscheduler", "getpriority", "getrusage", "times", "uname", "sysinfo", "getrlimit",
    "setrlimit", "prlimit64", "capget", "getuid", "geteuid", "getgid", "getegid", "getgroups",
    "getresuid", "getresgid", "getpgrp", "getpgid", "getsid", "setsid", "setpgid",
    /* Programs drop privileges on start (busybox calls setgid first thing). With every capability
     * gone these can only re-set the ids the job already has; a denial would be reported as the
     * cause of any later, unrelated failure. */
    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
    "setgroups",
    /* memory */
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "membarrier",
    /* signals */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigpending", "sigaltstack", "pause", "alarm", "setitimer", "getitimer",
    /* time */
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
    "timerfd_create", "timerfd_settime", "timerfd_gettime",
    /* files */
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
    "pwritev2", "open", "openat", "creat", "close", "close_range", "lseek", "fstat", "stat",
    "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat", "faccessat2",
    "readlink", "readlinkat", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat",
    "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
    "symlinkat", "truncate", "ftruncate", "fallocate", "fadvise64", "fsync", "fdatasync", "flock",
    "chmod", "fchmod", "fchmodat", "umask", "utimensat", "dup", "dup2", "dup3", "fcntl", "pipe",
    "pipe2", "getrandom", "memfd_create", "mknod", "mknodat", /* no CAP_MKNOD: fifos only */
    /* waiting on fds */
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd4",
    /* sockets: the network namespace has only a loopback that is down, so these reach nothing
     * but the job's own socketpairs and AF_UNIX sockets */
    "socketpair", "connect", "bind", "listen", "accept", "accept4", "getsockname", "getpeername",
    "setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
    NULL,
};

/* Static binaries (solc) and node running soljson: V8 protects wasm code with memory keys. */
static const char *const default_allow[] = {"pkey_alloc", "pkey_free", "pkey_mprotect", NULL};

/* CPython and Slither: helper processes, file copies through the kernel, xattr reads. */
static const char *const python_allow[] = {
    "fork", "vfork", "copy_file_range", "sendfile", "splice", "getxattr", "lgetxattr", "fgetxattr",
    "listxattr", "llistxattr", "flistxattr", "fchown", "chown", "lchown", "fchownat", "utime",
    "utimes", "futimesat", "readahead", NULL,
};

static const struct seccomp_profile profiles[] = {
    {.name = "default", .allow = default_allow, .allow_processes = false},
    {.name = "python", .allow = python_allow, .allow_processes = true},
};

const struct seccomp_profile *seccomp_profile_find(const char *name) {
  for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
    if (name && strcmp(profiles[i].name, name) == 0)
      return &profiles[i];
  return NULL;
}
