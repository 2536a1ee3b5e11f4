#include "runner/stage_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define MAX_DEPTH 128

struct stager {
  char *src_real; /* canonical source root: symlink targets must stay below it */
  struct job_input *inputs;
  size_t n, cap;
};

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_input(const void *a, const void *b) {
  return strcmp(((const struct job_input *)a)->name, ((const struct job_input *)b)->name);
}

/* Entry names of an open directory, sorted bytewise so the walk does not depend on the locale. */
static int sorted_entries(int dfd, const char *rel, char ***names, size_t *n, tb_error **err) {
  int fd = dup(dfd);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: %s", rel);
  cleanup_dir DIR *d = fdopendir(fd);
  if (d == NULL) {
    close(fd);
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: %s", rel);
  }
  size_t cap = 16, used = 0;
  char **v = xcalloc(cap, sizeof(*v));
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (used + 1 >= cap)
      v = xrealloc(v, (cap *= 2) * sizeof(*v));
    v[used++] = xstrdup(de->d_name);
    v[used] = NULL;
  }
  qsort(v, used, sizeof(*v), cmp_str);
  *names = v;
  *n = used;
  return 0;
}

static int copy_and_digest(int in, int out, struct job_input *rec, tb_error **err) {
  static unsigned char buf[1 << 16];
  tb_sha256_ctx *ctx = tb_sha256_new();
  for (;;) {
    ssize_t n = read(in, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      unsigned char digest[TB_SHA256_LEN];
      tb_sha256_final(ctx, digest);
      tb_hex_encode(digest, sizeof(digest), rec->sha256);
      return n < 0 ? tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: read %s", rec->name) : 0;
    }
    tb_sha256_update(ctx, buf, (size_t)n);
    rec->size += (uint64_t)n;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0) {
        tb_sha256_free(ctx);
        return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: write %s", rec->name);
      }
      off += w;
    }
  }
}

static struct job_input *new_input(struct stager *s, const char *rel) {
  if (s->n == s->cap)
    s->inputs = xrealloc(s->inputs, (s->cap = s->cap ? s->cap * 2 : 16) * sizeof(*s->inputs));
  struct job_input *rec = &s->inputs[s->n++];
  memset(rec, 0, sizeof(*rec));
  rec->name = xstrdup(rel);
  return rec;
}

/* Copy the open regular file in to dfd/name; the mode depends only on the execute bits. */
static int copy_file(struct stager *s, int in, int dfd, const char *name, const char *rel, tb_error **err) {
  struct stat st;
  if (fstat(in, &st) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: stat %s", rel);
  if (!S_ISREG(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "inputs: %s: not a regular file or directory", rel);
  mode_t mode = (st.st_mode & 0111) ? 0755 : 0644;
  cleanup_close int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (out < 0 || fchmod(out, mode) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: create %s", rel);
  return copy_and_digest(in, out, new_input(s, rel), err);
}

/* A symlink is followed only when it ends at a regular file inside the tree. */
static int copy_symlink(struct stager *s, int dfd, const char *name, const char *rel, tb_error **err) {
  cleanup_free char *host = xasprintf("%s/%s", s->src_real, rel);
  cleanup_free char *target = realpath(host, NULL);
  size_t root_len = strlen(s->src_real);
  if (target == NULL || strncmp(target, s->src_real, root_len) != 0 || target[root_len] != '/')
    return tb_error_set(err, TB_EXIT_INPUT, 0, "inputs: %s: symlink leads out of the inputs tree", rel);
  cleanup_close int in = open(target, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (in < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: open %s", rel);
  struct stat st;
  if (fstat(in, &st) == 0 && S_ISDIR(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "inputs: %s: symlinks to directories are not followed", rel);
  return copy_file(s, in, dfd, name, rel, err);
}

static int copy_tree(struct stager *s, int sfd, int dfd, const char *rel, int depth, tb_error **err);

static int copy_entry(struct stager *s, int sfd, int dfd, const char *name, const char *rel, int depth,
                      tb_error **err) {
  struct stat st;
  if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: stat %s", rel);
  if (S_ISLNK(st.st_mode))
    return copy_symlink(s, dfd, name, rel, err);
  if (S_ISREG(st.st_mode)) {
    cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (in < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: open %s", rel);
    return copy_file(s, in, dfd, name, rel, err);
  }
  if (!S_ISDIR(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "inputs: %s: not a regular file or directory", rel);
  if (mkdirat(dfd, name, 0700) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: mkdir %s", rel);
  cleanup_close int sub_s = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int sub_d = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub_s < 0 || sub_d < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: open %s", rel);
  int ret = copy_tree(s, sub_s, sub_d, rel, depth + 1, err);
  if (ret == 0 && fchmod(sub_d, 0755) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: chmod %s", rel);
  return ret;
}

static int copy_tree(struct stager *s, int sfd, int dfd, const char *rel, int depth, tb_error **err) {
  if (depth > MAX_DEPTH)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "inputs: %s: nested deeper than %d directories", rel, MAX_DEPTH);
  cleanup_strv char **names = NULL;
  size_t n = 0;
  int ret = sorted_entries(sfd, rel, &names, &n, err);
  for (size_t i = 0; ret == 0 && i < n; i++) {
    cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
    ret = copy_entry(s, sfd, dfd, names[i], child, depth, err);
  }
  return ret;
}

int stage_inputs(const char *src, const char *dst, struct job_input **inputs, size_t *n, tb_error **err) {
  struct stager s = {0};
  s.src_real = realpath(src, NULL);
  if (s.src_real == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: %s", src);
  cleanup_close int sfd = open(s.src_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int ret = 0;
  if (sfd < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "inputs: %s", src);
  else if (dfd < 0)
    ret = tb_error_set(err, TB_EXIT_SANDBOX, errno, "inputs: open staging %s", dst);
  else
    ret = copy_tree(&s, sfd, dfd, "", 0, err);
  free(s.src_real);
  if (ret < 0) {
    job_inputs_free(s.inputs, s.n);
    return ret;
  }
  if (s.n > 1)
    qsort(s.inputs, s.n, sizeof(*s.inputs), cmp_input);
  *inputs = s.inputs;
  *n = s.n;
  return 0;
}

void job_inputs_free(struct job_input *inputs, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(inputs[i].name);
  free(inputs);
}
