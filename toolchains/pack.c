#include "toolchains/pack.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/xalloc.h"
#include "toolchains/archive_lib.h"
#include "toolchains/tree.h"

struct pack_ctx {
  struct archive *out;
  int64_t mtime;
};

static void entry_freep(struct archive_entry **e) {
  if (*e)
    tb_archive.entry_free(*e);
}
#define cleanup_entry __attribute__((cleanup(entry_freep)))

static int archive_fail(struct archive *a, const char *rel, tb_error **err) {
  int errnum = tb_archive.error_number(a);
  return tb_error_set(err, TB_EXIT_INPUT, errnum > 0 ? errnum : 0, "pack %s: %s", rel, tb_archive.error_string(a));
}

static int copy_file_data(struct archive *out, const char *path, const char *rel, tb_error **err) {
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);
  static char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "read %s", path);
    if (n == 0)
      return 0;
    if (tb_archive.write_data(out, buf, (size_t)n) != n)
      return archive_fail(out, rel, err);
  }
}

/* Only what the rules fix goes into a header: path, type, normalised mode, size, mtime, link. */
static int pack_one(const char *rel, const char *path, const struct stat *st, void *ctx, tb_error **err) {
  struct pack_ctx *p = ctx;
  cleanup_entry struct archive_entry *e = tb_archive.entry_new();
  if (e == NULL)
    abort();
  tb_archive.entry_set_pathname(e, rel);
  tb_archive.entry_set_mtime(e, p->mtime, 0);
  tb_archive.entry_set_uid(e, 0);
  tb_archive.entry_set_gid(e, 0);
  cleanup_free char *target = NULL;
  if (S_ISDIR(st->st_mode)) {
    tb_archive.entry_set_filetype(e, AE_IFDIR);
    tb_archive.entry_set_perm(e, 0755);
  } else if (S_ISREG(st->st_mode)) {
    tb_archive.entry_set_filetype(e, AE_IFREG);
    tb_archive.entry_set_perm(e, (st->st_mode & 0111) ? 0755 : 0644);
    tb_archive.entry_set_size(e, st->st_size);
  } else if (S_ISLNK(st->st_mode)) {
    target = xcalloc(1, (size_t)st->st_size + 1);
    ssize_t n = readlink(path, target, (size_t)st->st_size + 1);
    if (n < 0 || n > st->st_size)
      return tb_error_set(err, TB_EXIT_INPUT, n < 0 ? errno : 0, "readlink %s", path);
    tb_archive.entry_set_filetype(e, AE_IFLNK);
    tb_archive.entry_set_perm(e, 0777);
    tb_archive.entry_set_symlink(e, target);
  } else {
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not a file, directory or symlink", path);
  }
  if (tb_archive.write_header(p->out, e) != ARCHIVE_OK)
    return archive_fail(p->out, rel, err);
  if (S_ISREG(st->st_mode))
    return copy_file_data(p->out, path, rel, err);
  return 0;
}

static int refuse_output_inside(const char *dir, const char *out, tb_error **err) {
  cleanup_free char *out_copy = xstrdup(out);
  const char *out_dir = dirname(out_copy);
  cleanup_free char *real_dir = realpath(dir, NULL);
  cleanup_free char *real_out = realpath(out_dir, NULL);
  if (real_dir == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "%s", dir);
  if (real_out == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "%s", out_dir);
  size_t n = strlen(real_dir);
  if (strncmp(real_out, real_dir, n) == 0 && (real_out[n] == '\0' || real_out[n] == '/'))
    return tb_error_set(err, TB_EXIT_USAGE, 0, "%s: the output must not be inside the packed directory %s", out, dir);
  return 0;
}

static struct archive *new_pack_writer(void) {
  struct archive *a = tb_archive.write_new();
  char level[16];
  (void)snprintf(level, sizeof(level), "%d", PACK_ZSTD_LEVEL);
  if (a == NULL || tb_archive.write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      tb_archive.write_add_filter_zstd(a) != ARCHIVE_OK ||
      tb_archive.write_set_filter_option(a, "zstd", "compression-level", level) != ARCHIVE_OK)
    abort(); /* libarchive without zstd: a build configuration error, not a user's */
  return a;
}

static int write_archive(const char *dir, int fd, int64_t mtime, tb_error **err) {
  struct pack_ctx p = {.out = new_pack_writer(), .mtime = mtime};
  int ret = 0;
  if (tb_archive.write_open_fd(p.out, fd) != ARCHIVE_OK)
    ret = archive_fail(p.out, dir, err);
  if (ret >= 0)
    ret = tree_walk(dir, pack_one, &p, err);
  if (ret >= 0 && tb_archive.write_close(p.out) != ARCHIVE_OK)
    ret = archive_fail(p.out, dir, err);
  tb_archive.write_free(p.out);
  return ret;
}

int pack_tree(const char *dir, const char *out, int64_t mtime, char hex[65], uint64_t *size, tb_error **err) {
  int ret = tb_archive_load(err);
  if (ret < 0 || (ret = refuse_output_inside(dir, out, err)) < 0)
    return ret;
  cleanup_free char *tmp = xasprintf("%s.tmp-XXXXXX", out);
  cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "create %s", tmp);
  unsigned char d[TB_SHA256_LEN];
  if ((ret = write_archive(dir, fd, mtime, err)) >= 0 && fsync(fd) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "fsync %s", tmp);
  if (ret >= 0 && fchmod(fd, 0644) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", tmp);
  if (ret >= 0 && lseek(fd, 0, SEEK_SET) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "seek %s", tmp);
  if (ret >= 0)
    ret = tb_sha256_fd(fd, d, size, err);
  if (ret >= 0 && rename(tmp, out) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "rename %s to %s", tmp, out);
  if (ret < 0) {
    unlink(tmp);
    return ret;
  }
  tb_hex_encode(d, sizeof(d), hex);
  return 0;
}
