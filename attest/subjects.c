#include "attest/subjects.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

/* The subject-bearing directories, relative to OUT. */
static const char *const SUBJECT_ROOTS[] = {"artifacts", "logs"};

struct subject {
  char *name;
  char sha256[TB_SHA256_HEX_LEN + 1];
};

struct subject_list {
  struct subject *items;
  size_t n, cap;
};

static void subject_list_clear(struct subject_list *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->items[i].name);
  free(l->items);
}

static int add_file(struct subject_list *l, int dirfd, const char *entry, const char *name, tb_error **err) {
  cleanup_close int fd = openat(dirfd, entry, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", name);
  unsigned char digest[TB_SHA256_LEN];
  int ret = tb_sha256_fd(fd, digest, NULL, err);
  if (ret < 0)
    return tb_error_wrap(err, "%s", name);
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 64;
    l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
  }
  l->items[l->n].name = xstrdup(name);
  tb_hex_encode(digest, sizeof(digest), l->items[l->n].sha256);
  l->n++;
  return 0;
}

/* Walk dirfd (named prefix relative to OUT) without following symlinks. */
static int walk(struct subject_list *l, int dirfd, const char *prefix, tb_error **err) {
  int fd = dup(dirfd);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "dup");
  cleanup_dir DIR *dir = fdopendir(fd);
  if (dir == NULL) {
    close(fd);
    return tb_error_set(err, TB_EXIT_INPUT, errno, "read %s", prefix);
  }
  struct dirent *de;
  while ((errno = 0, de = readdir(dir)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    cleanup_free char *name = xasprintf("%s/%s", prefix, de->d_name);
    struct stat st;
    if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s", name);
    int ret = 0;
    if (S_ISREG(st.st_mode)) {
      ret = add_file(l, dirfd, de->d_name, name, err);
    } else if (S_ISDIR(st.st_mode)) {
      cleanup_close int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", name);
      ret = walk(l, sub, name, err);
    } else {
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not a regular file or directory", name);
    }
    if (ret < 0)
      return ret;
  }
  if (errno != 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "read %s", prefix);
  return 0;
}

/* s with bytes outside printable ASCII as \xNN, for a message. */
static char *escape_bytes(const char *s) {
  static const char hex[] = "0123456789abcdef";
  char *out = xmalloc(4 * strlen(s) + 1), *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p >= 0x20 && *p < 0x7f) {
      *o++ = (char)*p;
    } else {
      *o++ = '\\';
      *o++ = 'x';
      *o++ = hex[*p >> 4];
      *o++ = hex[*p & 15];
    }
  }
  *o = '\0';
  return out;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const struct subject *)a)->name, ((const struct subject *)b)->name);
}

int tb_subjects_collect(const char *out_dir, json_t **subjects, tb_error **err) {
  cleanup_close int out = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (out < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", out_dir);
  struct subject_list list = {0};
  for (size_t i = 0; i < sizeof(SUBJECT_ROOTS) / sizeof(SUBJECT_ROOTS[0]); i++) {
    cleanup_close int root = openat(out, SUBJECT_ROOTS[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (root < 0 && errno == ENOENT)
      continue;
    int ret = root < 0 ? tb_error_set(err, TB_EXIT_INPUT, errno, "open %s/%s", out_dir, SUBJECT_ROOTS[i])
                       : walk(&list, root, SUBJECT_ROOTS[i], err);
    if (ret < 0) {
      subject_list_clear(&list);
      return ret;
    }
  }
  if (list.n > 0)
    qsort(list.items, list.n, sizeof(*list.items), by_name);
  cleanup_json json_t *arr = json_array();
  for (size_t i = 0; i < list.n; i++) {
    json_t *entry =
        json_pack("{s:s, s:{s:s}}", "name", list.items[i].name, "digest", "sha256", list.items[i].sha256);
    /* A name JSON cannot hold must stop the signing and fail verify, never drop out of both. */
    if (entry == NULL) {
      cleanup_free char *shown = escape_bytes(list.items[i].name);
      subject_list_clear(&list);
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: a file name that is not UTF-8 cannot be a subject", shown);
    }
    json_array_append_new(arr, entry);
  }
  subject_list_clear(&list);
  *subjects = steal_pointer(&arr);
  return 0;
}

int tb_subjects_listed(const json_t *statement, json_t **by_name, tb_error **err) {
  cleanup_json json_t *map = json_object();
  size_t i;
  const json_t *subject;
  json_array_foreach(json_object_get(statement, "subject"), i, subject) {
    const char *name = json_string_value(json_object_get(subject, "name"));
    json_t *digest = json_object_get(json_object_get(subject, "digest"), "sha256");
    if (name == NULL || !json_is_string(digest))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "subject %zu has no name or sha256", i);
    json_object_set(map, name, digest);
  }
  *by_name = steal_pointer(&map);
  return 0;
}
