/* tb-spawn-time: wall and CPU time of whole commands, alternating between them, measured from the
 * parent's fork to its wait, with nothing else in between (no shell, no `date` process, no mktemp
 * in the timed interval). CPU time is the child's and its reaped descendants' (wait4's rusage).
 *
 *   tb-spawn-time RUNS LABEL [OPTION]... -- CMD ARG... [--- LABEL [OPTION]... -- CMD ARG...]...
 *
 * Options: --fd N=FILE opens FILE as descriptor N in the child (bwrap --seccomp N reads its filter
 * so); --stdin FILE and --stdout FILE (created) replace /dev/null; --cwd DIR runs it there;
 * --env K=V (repeatable) gives it exactly those variables instead of ours. In CMD's arguments and in these
 * file names, {n} becomes the run's number (w for the warm-up), so that each run may write a new
 * output of its own.
 * Each round runs every command once, in order, after one untimed warm-up round. Prints one line per
 * command: "LABEL wall_median_ms wall_p10_ms wall_p90_ms cpu_median_ms"; exits 1 if a run fails. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COMMANDS 8
#define MAX_FDS 4
#define MAX_ENV 8

struct command {
  const char *label;
  const char *fd_file[MAX_FDS];
  const char *stdin_file, *stdout_file, *cwd;
  char *env[MAX_ENV + 1];
  char **argv;
  double *wall_ms;
  double *cpu_ms;
  int fd_num[MAX_FDS];
  int fds;
  int n_env;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv) { return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3; }

/* s with every "{n}" replaced by run (malloc'ed; the child that uses it execs or exits). */
static char *with_run(const char *s, const char *run) {
  size_t len = strlen(s) + 1;
  for (const char *p = strstr(s, "{n}"); p; p = strstr(p + 3, "{n}"))
    len += strlen(run);
  char *out = malloc(len), *o = out;
  if (out == NULL)
    _exit(126);
  for (const char *p = s; *p;) {
    if (strncmp(p, "{n}", 3) == 0) {
      o = stpcpy(o, run);
      p += 3;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return out;
}

static int open_as(const char *file, int flags, int target, const char *run) {
  char *path = with_run(file, run);
  int fd = open(path, flags, 0644);
  free(path);
  return fd < 0 || dup2(fd, target) < 0 ? -1 : 0;
}

static _Noreturn void exec_child(const struct command *c, int err_fd, const char *run) {
  int null = open("/dev/null", O_RDWR);
  if (c->argv == NULL || c->argv[0] == NULL || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
      dup2(err_fd, 2) < 0)
    _exit(126);
  if ((c->stdin_file && open_as(c->stdin_file, O_RDONLY, 0, run) < 0) ||
      (c->stdout_file && open_as(c->stdout_file, O_WRONLY | O_CREAT | O_TRUNC, 1, run) < 0))
    _exit(126);
  for (int i = 0; i < c->fds; i++)
    if (open_as(c->fd_file[i], O_RDONLY, c->fd_num[i], run) < 0)
      _exit(126);
  if (c->cwd && chdir(c->cwd) < 0)
    _exit(126);
  for (char **a = c->argv; *a; a++)
    *a = with_run(*a, run);
  if (c->n_env > 0)
    execvpe(c->argv[0], c->argv, (char **)c->env);
  else
    execvp(c->argv[0], c->argv);
  _exit(127);
}

/* One timed run; its stderr goes to err_fd and is shown if it fails. */
static int run_once(struct command *c, int round, int err_fd) {
  if (ftruncate(err_fd, 0) < 0 || lseek(err_fd, 0, SEEK_SET) < 0)
    return -1;
  double start = now_ms();
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    char run[16];
    (void)snprintf(run, sizeof(run), round < 0 ? "w" : "%d", round);
    exec_child(c, err_fd, run);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      return -1;
  double end = now_ms();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char buf[2048];
    ssize_t n = pread(err_fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    (void)fprintf(stderr, "tb-spawn-time: %s failed (status %d):\n%s", c->label, status, buf);
    return -1;
  }
  if (round >= 0) {
    c->wall_ms[round] = end - start;
    c->cpu_ms[round] = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  }
  return 0;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double quantile(double *v, int n, double q) {
  qsort(v, (size_t)n, sizeof(*v), by_value);
  double pos = q * (n - 1);
  int lo = (int)pos;
  return lo + 1 < n ? v[lo] + (pos - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

static int usage(void) {
  (void)fprintf(stderr, "usage: tb-spawn-time RUNS LABEL [--fd N=FILE] [--stdin FILE] [--stdout FILE] [--cwd DIR] "
                        "[--env K=V]... -- CMD ARG... [--- LABEL [OPTION]... -- CMD ARG...]...\n");
  return 2;
}

/* Parses "LABEL [--fd N=FILE]... -- CMD..." up to the next "---"; returns the index after it. */
static int parse_command(int argc, char **argv, int i, struct command *c) {
  c->label = argv[i++];
  for (; i + 1 < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (strcmp(argv[i], "--stdin") == 0) {
      c->stdin_file = argv[i + 1];
    } else if (strcmp(argv[i], "--stdout") == 0) {
      c->stdout_file = argv[i + 1];
    } else if (strcmp(argv[i], "--cwd") == 0) {
      c->cwd = argv[i + 1];
    } else if (strcmp(argv[i], "--env") == 0 && c->n_env < MAX_ENV) {
      c->env[c->n_env++] = argv[i + 1];
    } else if (strcmp(argv[i], "--fd") == 0 && c->fds < MAX_FDS) {
      char *eq = strchr(argv[i + 1], '=');
      if (eq == NULL)
        return -1;
      *eq = '\0';
      c->fd_num[c->fds] = atoi(argv[i + 1]);
      c->fd_file[c->fds++] = eq + 1;
    } else {
      return -1;
    }
  }
  if (i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc)
    return -1;
  c->argv = &argv[++i];
  while (i < argc && strcmp(argv[i], "---") != 0)
    i++;
  if (i < argc)
    argv[i++] = NULL;
  return i;
}

int main(int argc, char **argv) {
  if (argc < 5)
    return usage();
  int runs = atoi(argv[1]);
  struct command cmds[MAX_COMMANDS] = {0};
  int n = 0;
  for (int i = 2; i < argc; n++) {
    if (n == MAX_COMMANDS || (i = parse_command(argc, argv, i, &cmds[n])) < 0)
      return usage();
  }
  if (runs < 1)
    return usage();
  char tmpl[] = "/tmp/tb-spawn-time.XXXXXX";
  int err_fd = mkstemp(tmpl);
  if (err_fd < 0)
    return 1;
  unlink(tmpl);
  int rc = 0;
  for (int c = 0; c < n; c++) {
    cmds[c].wall_ms = calloc((size_t)runs, sizeof(double));
    cmds[c].cpu_ms = calloc((size_t)runs, sizeof(double));
    if (cmds[c].wall_ms == NULL || cmds[c].cpu_ms == NULL)
      rc = 1;
  }
  for (int c = 0; c < n && rc == 0; c++) /* warm-up */
    rc = run_once(&cmds[c], -1, err_fd) < 0;
  for (int r = 0; r < runs && rc == 0; r++)
    for (int c = 0; c < n && rc == 0; c++)
      rc = run_once(&cmds[c], r, err_fd) < 0;
  for (int c = 0; c < n; c++) {
    if (rc == 0)
      printf("%s %.3f %.3f %.3f %.3f\n", cmds[c].label, quantile(cmds[c].wall_ms, runs, 0.5),
             quantile(cmds[c].wall_ms, runs, 0.1), quantile(cmds[c].wall_ms, runs, 0.9),
             quantile(cmds[c].cpu_ms, runs, 0.5));
    free(cmds[c].wall_ms);
    free(cmds[c].cpu_ms);
  }
  close(err_fd);
  return rc;
}
