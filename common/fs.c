#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return xstrdup(".");
  if (slash == path)
    return xstrdup("/");
  return xstrndup(path, (size_t)(slash - path));
}

int tb_fsync_dir(const char *dir, tb_error **err) {
  cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open directory %s", dir);
  if (fsync(fd) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "fsync %s", dir);
  return 0;
}

int tb_write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int tb_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, tb_error **err) {
  cleanup_free char *tmp = xasprintf("%s.tmp-XXXXXX", path);
  cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "create %s", tmp);
  if (fchmod(fd, mode) < 0 || tb_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
    int saved = errno;
    unlink(tmp);
    return tb_error_set(err, TB_EXIT_INPUT, saved, "write %s", path);
  }
  if (rename(tmp, path) < 0) {
    int saved = errno;
    unlink(tmp);
    return tb_error_set(err, TB_EXIT_INPUT, saved, "rename %s", path);
  }
  cleanup_free char *dir = dir_of(path);
  return tb_fsync_dir(dir, err);
}

int tb_create_staged(const char *path, mode_t mode, tb_error **err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0 || fchmod(fd, mode) < 0) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    return tb_error_set(err, TB_EXIT_INPUT, saved, "create %s", path);
  }
  return fd;
}

int tb_write_file_staged(const char *path, const void *data, size_t len, mode_t mode, tb_error **err) {
  cleanup_close int fd = tb_create_staged(path, mode, err);
  if (fd < 0)
    return fd;
  if (tb_write_all(fd, data, len) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "write %s", path);
  return 0;
}

int tb_read_file(const char *path, size_t max, char **data, size_t *len, tb_error **err) {
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s", path);
  if (!S_ISREG(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not a regular file", path);
  if ((size_t)st.st_size > max)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: larger than %zu bytes", path, max);
  size_t cap = (size_t)st.st_size + 1, used = 0;
  cleanup_free char *buf = xmalloc(cap);
  for (;;) {
    if (used + 1 >= cap) {
      if (cap > max + 1)
        return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: larger than %zu bytes", path, max);
      cap *= 2;
      buf = xrealloc(buf, cap);
    }
    ssize_t n = read(fd, buf + used, cap - used - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "read %s", path);
    if (n == 0)
      break;
    used += (size_t)n;
  }
  if (used > max)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: larger than %zu bytes", path, max);
  buf[used] = '\0';
  *data = steal_pointer(&buf);
  if (len)
    *len = used;
  return 0;
}

int tb_map_file(const char *path, size_t max, struct tb_mapped_file *m, tb_error **err) {
  cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s", path);
  if (!S_ISREG(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not a regular file", path);
  if ((size_t)st.st_size > max)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: larger than %zu bytes", path, max);
  *m = (struct tb_mapped_file){"", 0};
  if (st.st_size == 0)
    return 0; /* mmap refuses an empty mapping */
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "map %s", path);
  *m = (struct tb_mapped_file){p, (size_t)st.st_size};
  return 0;
}

void tb_unmap_file(struct tb_mapped_file *m) {
  if (m->len > 0)
    munmap((void *)m->data, m->len);
  *m = (struct tb_mapped_file){NULL, 0};
}

int tb_mkdir_p(const char *path, mode_t mode, tb_error **err) {
  cleanup_free char *copy = xstrdup(path);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(copy, mode) < 0 && errno != EEXIST)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "mkdir %s", copy);
    *p = '/';
  }
  if (mkdir(copy, mode) < 0 && errno != EEXIST)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "mkdir %s", copy);
  return 0;
}

static int rm_one(const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf) {
  (void)sb;
  (void)ftwbuf;
  if (typeflag == FTW_DP) {
    /* a read-only tree (an unpacked toolchain) must still be removable */
    return rmdir(fpath) < 0 && errno != ENOENT ? -1 : 0;
  }
  return unlink(fpath) < 0 && errno != ENOENT ? -1 : 0;
}

static int make_writable(const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf) {
  (void)ftwbuf;
  if (typeflag == FTW_D && (sb->st_mode & S_IWUSR) == 0)
    chmod(fpath, (sb->st_mode & 07777) | S_IWUSR | S_IXUSR);
  return 0;
}

int tb_rm_rf(const char *path, tb_error **err) {
  struct stat st;
  if (lstat(path, &st) < 0)
    return errno == ENOENT ? 0 : tb_error_set(err, TB_EXIT_INPUT, errno, "stat %s", path);
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path) < 0 && errno != ENOENT)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "remove %s", path);
    return 0;
  }
  nftw(path, make_writable, 32, FTW_PHYS);
  if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "remove %s", path);
  return 0;
}

static int fsync_one(const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf) {
  (void)sb;
  (void)ftwbuf;
  if (typeflag != FTW_F && typeflag != FTW_D && typeflag != FTW_DP)
    return 0;
  if (typeflag == FTW_F && !S_ISREG(sb->st_mode))
    return 0;
  int fd = open(fpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  int ret = fsync(fd);
  close(fd);
  return ret;
}

int tb_fsync_tree(const char *root, tb_error **err) {
  if (nftw(root, fsync_one, 32, FTW_PHYS) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "fsync %s", root);
  return 0;
}

int tb_tree_sync_open(const char *root, tb_error **err) {
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open directory %s", root);
  return fd;
}

/* Local block filesystems, whose syncfs writes back every dirty page, inode and directory block
 * and then flushes the device's cache. NFS, FUSE (without FUSE_SYNCFS) and others may do less. */
static bool syncfs_covers_tree(const struct statfs *sfs) {
  switch ((unsigned long)sfs->f_type) {
  case EXT4_SUPER_MAGIC: /* also ext2 and ext3 */
  case XFS_SUPER_MAGIC:
  case BTRFS_SUPER_MAGIC:
  case TMPFS_MAGIC: return true;
  default: return false;
  }
}

int tb_tree_sync(int root_fd, const char *root, tb_error **err) {
  struct statfs sfs;
  if (fstatfs(root_fd, &sfs) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "statfs %s", root);
  if (!syncfs_covers_tree(&sfs))
    return tb_fsync_tree(root, err);
  if (syncfs(root_fd) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "syncfs %s", root);
  return 0;
}

int tb_dir_is_empty(const char *path, bool *empty, tb_error **err) {
  cleanup_dir DIR *d = opendir(path);
  if (d == NULL) {
    if (errno == ENOENT) {
      *empty = true;
      return 0;
    }
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", path);
  }
  struct dirent *de;
  *empty = true;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
      *empty = false;
      break;
    }
  }
  return 0;
}

int tb_mkdtemp_in(const char *parent, const char *prefix, char **out, tb_error **err) {
  char *tmpl = xasprintf("%s/%sXXXXXX", parent, prefix);
  if (mkdtemp(tmpl) == NULL) {
    int saved = errno;
    free(tmpl);
    return tb_error_set(err, TB_EXIT_INPUT, saved, "create a temporary directory in %s", parent);
  }
  *out = tmpl;
  return 0;
}
