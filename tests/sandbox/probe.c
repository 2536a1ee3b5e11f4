/* A static program run inside the jail by jail_test: each subcommand tries one thing and reports
 * it on stdout as "<op>: ok" or "<op>: <ERRNO NAME>"; it exits 0 when the attempt succeeded and 3
 * when it failed with an errno, so the jail's outcome reflects the attempt. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

static int report(const char *op, long r) {
  if (r < 0) {
    printf("%s: %s\n", op, strerrorname_np(errno));
    return 3;
  }
  printf("%s: ok\n", op);
  return 0;
}

static int read_file(const char *path) {
  int fd = open(path, O_RDONLY);
  char buf[64];
  if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
    return report("read", -1);
  return report("read", 0);
}

static int write_file(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, "x\n", 2) != 2)
    return report("write", -1);
  return report("write", 0);
}

static int list_procs(void) {
  DIR *d = opendir("/proc");
  if (d == NULL)
    return report("procs", -1);
  int n = 0;
  printf("pids:");
  for (struct dirent *de; (de = readdir(d));)
    if (de->d_name[0] >= '0' && de->d_name[0] <= '9') {
      printf(" %s", de->d_name);
      n++;
    }
  printf("\ncount: %d\n", n);
  return 0;
}

static int connect_local(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0)
    return report("socket", -1);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return report("connect", connect(s, (struct sockaddr *)&a, sizeof(a)));
}

/* A grandchild that ignores SIGTERM and outlives its parent unless the jail kills it. */
static int hang(void) {
  pid_t pid = fork();
  if (pid < 0)
    return report("fork", -1);
  if (pid == 0) {
    (void)signal(SIGTERM, SIG_IGN);
    setsid();
    if (fork() == 0)
      for (;;)
        pause();
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("hanging\n");
  (void)fflush(stdout);
  for (;;)
    pause();
}

static int fork_many(int n) {
  int made = 0;
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) {
      printf("forked %d\n", made);
      return report("fork", -1);
    }
    if (pid == 0) {
      pause();
      _exit(0);
    }
    made++;
  }
  printf("forked %d\n", made);
  return 0;
}

/* Touch mb MiB and hold it: the blocks are chained from a static list, kept until the process
 * ends, since occupying the memory is the point. */
static int alloc_mb(long mb) {
  static void *held;
  for (long i = 0; i < mb; i++) {
    void **p = malloc(1 << 20);
    if (p == NULL)
      return report("malloc", -1);
    memset(p, 1, 1 << 20);
    *p = held;
    held = p;
  }
  return report("alloc", 0);
}

/* Files of 512 KiB (under any RLIMIT_FSIZE the tests set) until the filesystem is full. */
static int fill(const char *prefix) {
  static char buf[1 << 16];
  for (int n = 0;; n++) {
    char path[256];
    (void)snprintf(path, sizeof(path), "%s.%d", prefix, n);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
      return report("fill", -1);
    for (int i = 0; i < 8; i++)
      if (write(fd, buf, sizeof(buf)) < 0)
        return report("fill", -1);
    close(fd);
  }
}

static int spew(long mb) {
  static char buf[1 << 16];
  for (long i = 0; i < mb * 16; i++)
    if (write(1, buf, sizeof(buf)) < 0)
      return report("spew", -1);
  return 0;
}

static int tiocsti(unsigned long high) {
  char c = 'x';
  return report("tiocsti", ioctl(0, TIOCSTI | high, &c));
}

static int print_ids(void) {
  gid_t groups[64];
  int n = getgroups(64, groups);
  printf("uid=%d gid=%d euid=%d egid=%d groups=%d\n", (int)getuid(), (int)getgid(), (int)geteuid(),
         (int)getegid(), n);
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof(line), f))
    if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0 ||
        strncmp(line, "Seccomp:", 8) == 0 || strncmp(line, "SigBlk", 6) == 0 ||
        strncmp(line, "SigIgn", 6) == 0)
      (void)fputs(line, stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  const char *op = argv[1];
  const char *arg = argc > 2 ? argv[2] : "";
  (void)setvbuf(stdout, NULL, _IOLBF, 0);
  if (!strcmp(op, "true"))
    return 0;
  if (!strcmp(op, "read"))
    return read_file(arg);
  if (!strcmp(op, "write"))
    return write_file(arg);
  if (!strcmp(op, "procs"))
    return list_procs();
  if (!strcmp(op, "connect"))
    return connect_local(atoi(arg));
  if (!strcmp(op, "hang"))
    return hang();
  if (!strcmp(op, "forks"))
    return fork_many(atoi(arg));
  if (!strcmp(op, "alloc"))
    return alloc_mb(atol(arg));
  if (!strcmp(op, "fill"))
    return fill(arg);
  if (!strcmp(op, "spew"))
    return spew(atol(arg));
  if (!strcmp(op, "ptrace"))
    return report("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
  if (!strcmp(op, "mount"))
    return report("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
  if (!strcmp(op, "unshare"))
    return report("unshare", unshare(CLONE_NEWUSER));
  if (!strcmp(op, "keyctl"))
    return report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
  if (!strcmp(op, "bpf"))
    return report("bpf", syscall(SYS_bpf, 0, NULL, 0));
  if (!strcmp(op, "x32"))
    return report("x32", syscall(0x40000000 | SYS_getpid));
  if (!strcmp(op, "tiocsti"))
    return tiocsti(0);
  if (!strcmp(op, "fionread")) {
    int n;
    return report("fionread", ioctl(1, FIONREAD, &n)); /* stdout: a regular file */
  }
  if (!strcmp(op, "tiocsti-high"))
    return tiocsti(1ul << 32);
  if (!strcmp(op, "newer"))
    return report("newer", syscall(1000));
  if (!strcmp(op, "clone3"))
    return report("clone3", syscall(SYS_clone3, NULL, 0));
  if (!strcmp(op, "io_uring"))
    return report("io_uring", syscall(SYS_io_uring_setup, 8, NULL));
  if (!strcmp(op, "spin"))
    for (volatile unsigned long i = 0;; i++)
      ;
  if (!strcmp(op, "fork"))
    return fork_many(1);
  if (!strcmp(op, "hostname")) {
    struct utsname u;
    uname(&u);
    printf("hostname=%s\n", u.nodename);
    return 0;
  }
  if (!strcmp(op, "env")) {
    for (char **e = environ; *e; e++)
      printf("%s\n", *e);
    return 0;
  }
  if (!strcmp(op, "ids"))
    return print_ids();
  if (!strcmp(op, "cwd")) {
    char buf[256];
    printf("cwd=%s umask=%03o\n", getcwd(buf, sizeof(buf)), umask(0));
    return 0;
  }
  if (!strcmp(op, "symlink"))
    return report("symlink", symlink(arg, "/out/evil"));
  if (!strcmp(op, "hardlink")) {
    write_file("/out/a");
    return report("link", link("/out/a", "/out/b"));
  }
  if (!strcmp(op, "fifo"))
    return report("mkfifo", mknod("/out/pipe", S_IFIFO | 0644, 0));
  if (!strcmp(op, "outputs")) {
    mkdir("/out/dir", 0700);
    int fd = open("/out/dir/result.txt", O_WRONLY | O_CREAT, 0600);
    return report("outputs", fd < 0 ? -1 : write(fd, "built\n", 6));
  }
  if (!strcmp(op, "devices")) {
    int w = open("/dev/null", O_WRONLY);
    int r = open("/dev/zero", O_RDONLY);
    char c = 1;
    return report("devices", w < 0 || r < 0 || write(w, "x", 1) != 1 || read(r, &c, 1) != 1 || c
                                 ? -1 : 0);
  }
  return 2;
}
