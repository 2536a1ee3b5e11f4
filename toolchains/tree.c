#include "toolchains/tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

/* Bytewise order, never the locale's collation: the order is part of a digest. */
static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static int skip_dots(const struct dirent *d) { return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0; }

static void free_dirents(struct dirent **list, int n) {
  for (int i = 0; i < n; i++)
    free(list[i]);
  free(list);
}

static int walk_dir(const char *path, const char *rel, tree_visit_fn visit, void *ctx, tb_error **err) {
  struct dirent **list = NULL;
  int n = scandir(path, &list, skip_dots, by_name);
  if (n < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "read directory %s", path);
  int ret = 0;
  for (int i = 0; i < n && ret >= 0; i++) {
    cleanup_free char *child = xasprintf("%s/%s", path, list[i]->d_name);
    cleanup_free char *child_rel = rel[0] ? xasprintf("%s/%s", rel, list[i]->d_name) : xstrdup(list[i]->d_name);
    struct stat st;
    if (lstat(child, &st) < 0) {
      ret = tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s", child);
      break;
    }
    ret = visit(child_rel, child, &st, ctx, err);
    if (ret >= 0 && S_ISDIR(st.st_mode))
      ret = walk_dir(child, child_rel, visit, ctx, err);
  }
  free_dirents(list, n);
  return ret < 0 ? ret : 0;
}

int tree_walk(const char *root, tree_visit_fn visit, void *ctx, tb_error **err) {
  return walk_dir(root, "", visit, ctx, err);
}

static mode_t sealed_mode(const struct stat *st) {
  return S_ISDIR(st->st_mode) || (st->st_mode & 0111) ? 0555 : 0444;
}

/* Directories are sealed after their children (a 0555 directory can't be changed below), so the
 * walk's parents-first order needs a second pass for them: collect, then chmod in reverse. */
struct seal_ctx {
  char **dirs;
  size_t n, cap;
};

static int seal_one(const char *rel, const char *path, const struct stat *st, void *ctx, tb_error **err) {
  (void)rel;
  struct seal_ctx *s = ctx;
  if (S_ISLNK(st->st_mode))
    return 0;
  if (S_ISDIR(st->st_mode)) {
    if (s->n == s->cap) {
      s->cap = s->cap ? 2 * s->cap : 64;
      s->dirs = xrealloc(s->dirs, s->cap * sizeof(char *));
    }
    s->dirs[s->n++] = xstrdup(path);
    return 0;
  }
  if (chmod(path, sealed_mode(st)) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", path);
  return 0;
}

int tree_seal(const char *root, tb_error **err) {
  struct seal_ctx s = {0};
  int ret = tree_walk(root, seal_one, &s, err);
  for (size_t i = s.n; i-- > 0;) {
    if (ret >= 0 && chmod(s.dirs[i], 0555) < 0)
      ret = tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", s.dirs[i]);
    free(s.dirs[i]);
  }
  free(s.dirs);
  if (ret >= 0 && chmod(root, 0555) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", root);
  return ret < 0 ? ret : 0;
}

static int digest_one(const char *rel, const char *path, const struct stat *st, void *ctx, tb_error **err) {
  tb_sha256_ctx *h = ctx;
  char type;
  char value[TB_SHA256_HEX_LEN + 1] = "";
  cleanup_free char *target = NULL;
  if (S_ISDIR(st->st_mode)) {
    type = 'd';
  } else if (S_ISREG(st->st_mode)) {
    type = 'f';
    int ret = tb_sha256_file_hex(path, value, err);
    if (ret < 0)
      return ret;
  } else if (S_ISLNK(st->st_mode)) {
    type = 'l';
    target = xcalloc(1, (size_t)st->st_size + 1);
    ssize_t n = readlink(path, target, (size_t)st->st_size + 1);
    if (n < 0 || n > st->st_size)
      return tb_error_set(err, TB_EXIT_INPUT, n < 0 ? errno : 0, "readlink %s", path);
  } else {
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: unexpected file type in a toolchain tree", path);
  }
  /* NUL-terminated fields: names may hold any byte but NUL. */
  char head[16];
  (void)snprintf(head, sizeof(head), "%c %04o", type, (unsigned)(st->st_mode & 07777));
  tb_sha256_update(h, head, strlen(head) + 1);
  tb_sha256_update(h, rel, strlen(rel) + 1);
  const char *v = target ? target : value;
  tb_sha256_update(h, v, strlen(v) + 1);
  return 0;
}

int tree_digest(const char *root, char hex[65], tb_error **err) {
  tb_sha256_ctx *h = tb_sha256_new();
  int ret = tree_walk(root, digest_one, h, err);
  if (ret < 0) {
    tb_sha256_free(h);
    return ret;
  }
  unsigned char d[TB_SHA256_LEN];
  tb_sha256_final(h, d);
  tb_hex_encode(d, sizeof(d), hex);
  return 0;
}

/* What tree_stat_digest reads of an entry: enough that any change to it shows. */
struct stat_record {
  uint64_t ino, size;
  uint32_t mode, mtime_ns, ctime_ns, pad;
  int64_t mtime_s, ctime_s;
};

static void stat_add(struct tb_buf *b, const char *name, const struct stat *st) {
  struct stat_record r = {(uint64_t)st->st_ino, (uint64_t)st->st_size, (uint32_t)st->st_mode,
                          (uint32_t)st->st_mtim.tv_nsec, (uint32_t)st->st_ctim.tv_nsec, 0,
                          (int64_t)st->st_mtim.tv_sec, (int64_t)st->st_ctim.tv_sec};
  tb_buf_add(b, name, strlen(name) + 1);
  tb_buf_add(b, &r, sizeof(r));
}

/* Directory order as read, not sorted, and by file descriptor, not path: this runs before every
 * job, and an unchanged directory reads back in the same order (a changed one has a new ctime). */
static int stat_dir(int dirfd, const char *path, struct tb_buf *b, tb_error **err) {
  DIR *d = fdopendir(dirfd);
  if (d == NULL) {
    close(dirfd);
    return tb_error_set(err, TB_EXIT_INPUT, errno, "read directory %s", path);
  }
  int ret = 0;
  for (struct dirent *de; ret == 0 && (errno = 0, de = readdir(d)) != NULL;) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      ret = tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s/%s", path, de->d_name);
      break;
    }
    stat_add(b, de->d_name, &st);
    if (!S_ISDIR(st.st_mode))
      continue;
    int child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) {
      ret = tb_error_set(err, TB_EXIT_INPUT, errno, "open %s/%s", path, de->d_name);
      break;
    }
    ret = stat_dir(child, de->d_name, b, err);
    tb_buf_add(b, "", 1); /* closes the directory: the records stay unambiguous */
  }
  if (ret == 0 && errno != 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "read directory %s", path);
  closedir(d);
  return ret;
}

int tree_stat_digest(const char *root, char hex[65], tb_error **err) {
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    return tb_error_set(err, TB_EXIT_INPUT, saved, "open %s", root);
  }
  struct tb_buf b = {0};
  stat_add(&b, "", &st);
  int ret = stat_dir(fd, root, &b, err);
  if (ret == 0) {
    unsigned char d[TB_SHA256_LEN];
    tb_sha256_buf(b.data, b.len, d);
    tb_hex_encode(d, sizeof(d), hex);
  }
  free(b.data);
  return ret;
}
