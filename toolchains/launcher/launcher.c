/* teebuild-launcher: starts an interpreted program inside a toolchain pack, where there is no shell
 * and no host /usr. A copy of this static binary sits at e.g. ROOT/bin/solc; beside it,
 * ROOT/bin/solc.launch holds the command line, one argv item per line, in which "@ROOT@" stands for
 * the pack's root (the parent of the launcher's directory, found from /proc/self/exe so the pack
 * works wherever it is mounted). The user's arguments are appended and the first item is exec'ed.
 *
 * It is self-contained (libc only) because it runs inside the jail, not as part of teebuild. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAUNCH_MAX_BYTES 65536 /* 64 KiB */
#define ROOT_PLACEHOLDER "@ROOT@"

static _Noreturn void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  (void)fputs("teebuild-launcher: ", stderr);
  (void)vfprintf(stderr, fmt, ap);
  (void)fputc('\n', stderr);
  va_end(ap);
  exit(127); /* what a shell reports when a command cannot be started */
}

static void *must(void *p) {
  if (p == NULL)
    die("out of memory");
  return p;
}

static char *read_launch_file(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    die("%s: %s", path, strerror(errno));
  char *buf = must(malloc(LAUNCH_MAX_BYTES + 1));
  size_t used = 0;
  for (;;) {
    ssize_t n = read(fd, buf + used, LAUNCH_MAX_BYTES + 1 - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      die("%s: %s", path, strerror(errno));
    if (n == 0)
      break;
    used += (size_t)n;
    if (used > LAUNCH_MAX_BYTES)
      die("%s: larger than %d bytes", path, LAUNCH_MAX_BYTES);
  }
  close(fd);
  buf[used] = '\0';
  return buf;
}

/* line with every "@ROOT@" replaced by root. */
static char *expand(const char *line, const char *root) {
  size_t n = 0, plen = strlen(ROOT_PLACEHOLDER), rlen = strlen(root);
  for (const char *p = strstr(line, ROOT_PLACEHOLDER); p; p = strstr(p + plen, ROOT_PLACEHOLDER))
    n++;
  char *out = must(malloc(strlen(line) + n * rlen + 1)), *o = out;
  for (const char *p = line;;) {
    const char *hit = strstr(p, ROOT_PLACEHOLDER);
    size_t keep = hit ? (size_t)(hit - p) : strlen(p);
    memcpy(o, p, keep);
    o += keep;
    if (hit == NULL)
      break;
    memcpy(o, root, rlen);
    o += rlen;
    p = hit + plen;
  }
  *o = '\0';
  return out;
}

int main(int argc, char **argv) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n < 0)
    die("/proc/self/exe: %s", strerror(errno));
  exe[n] = '\0';
  char launch[PATH_MAX + 8]; /* exe is shorter than PATH_MAX: ".launch" always fits */
  (void)snprintf(launch, sizeof(launch), "%s.launch", exe);
  char *text = read_launch_file(launch);

  char *root = must(strdup(exe));
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(root, '/');
    if (slash == NULL || slash == root)
      die("%s: not inside a pack's bin/ directory", exe);
    *slash = '\0';
  }

  size_t lines = 1;
  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  char **args = must(calloc(lines + (size_t)argc, sizeof(char *)));
  size_t k = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    args[k++] = expand(line, root);
  if (k == 0)
    die("%s: no command line", launch);
  for (int i = 1; i < argc; i++)
    args[k++] = argv[i];
  args[k] = NULL;
  execv(args[0], args);
  die("%s: exec %s: %s", launch, args[0], strerror(errno));
}
