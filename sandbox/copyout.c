/* Copying what the job left in /out to the host, treating every byte of it as hostile.
 *
 * The parent receives an fd to the jail's /out tmpfs from the jail's init (SCM_RIGHTS) before any
 * job code runs, and copies after the whole jail is dead: nothing can change the tree meanwhile and
 * the copy needs neither the jail's init alive nor access to /proc/<pid>/root (which an
 * unprivileged caller may not have). Every open goes through openat2 with RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV, and every entry's type is checked
 * with lstat semantics before and fstat after opening. Only regular files with one link and
 * directories are copied, with modes normalised to 0644/0755; anything else fails the job with
 * TB_EXIT_INPUT naming the path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "sandbox/jail_internal.h"

#define MAX_DEPTH 128

static int open_beneath(int dir, const char *name, int flags) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY),
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  return (int)syscall(SYS_openat2, dir, name, &how, sizeof(how));
}

static const char *kind_of(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFLNK: return "symlink";
  case S_IFIFO: return "fifo";
  case S_IFSOCK: return "socket";
  case S_IFCHR: return "character device";
  case S_IFBLK: return "block device";
  default: return "special file";
  }
}

static int refuse(const char *rel, const char *why, tb_error **err) {
  return tb_error_set(err, TB_EXIT_INPUT, 0, "jail /out: refusing %s: %s", rel, why);
}

static int copy_bytes(int from, int to, const char *rel, tb_error **err) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(from, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: read %s", rel);
    if (n == 0)
      return 0;
    if (tb_write_all(to, buf, (size_t)n) < 0)
      return tb_error_set(err, TB_EXIT_SANDBOX, errno, "copy /out/%s to the host", rel);
  }
}

static int copy_file(int src_dir, int dst_dir, const char *name, const char *rel, tb_error **err) {
  cleanup_close int in = open_beneath(src_dir, name, O_RDONLY | O_NONBLOCK);
  if (in < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: open %s", rel);
  struct stat st;
  if (fstat(in, &st) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: stat %s", rel);
  if (!S_ISREG(st.st_mode))
    return refuse(rel, kind_of(st.st_mode), err);
  if (st.st_nlink != 1)
    return refuse(rel, "hard link", err);
  cleanup_close int out =
      openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (out < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "create %s on the host", rel);
  if (fchmod(out, 0644) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "chmod %s on the host", rel);
  return copy_bytes(in, out, rel, err);
}

static int copy_dir(int src, int dst, const char *rel, int depth, tb_error **err);

static int copy_subdir(int src_dir, int dst_dir, const char *name, const char *rel, int depth,
                       tb_error **err) {
  if (depth >= MAX_DEPTH)
    return refuse(rel, "directories nested too deep", err);
  cleanup_close int in = open_beneath(src_dir, name, O_RDONLY | O_DIRECTORY);
  if (in < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: open %s", rel);
  if (mkdirat(dst_dir, name, 0755) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "mkdir %s on the host", rel);
  cleanup_close int out = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (out < 0 || fchmod(out, 0755) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "open %s on the host", rel);
  return copy_dir(in, out, rel, depth + 1, err);
}

static int copy_dir(int src, int dst, const char *rel, int depth, tb_error **err) {
  int fd = dup(src);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (d == NULL) {
    if (fd >= 0)
      close(fd);
    return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: read directory %s", rel);
  }
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (de == NULL) {
      if (errno)
        return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: read directory %s", rel);
      return 0;
    }
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
    struct stat st;
    if (fstatat(src, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "jail /out: stat %s", child);
    int r;
    if (S_ISDIR(st.st_mode))
      r = copy_subdir(src, dst, de->d_name, child, depth, err);
    else if (S_ISREG(st.st_mode))
      r = copy_file(src, dst, de->d_name, child, err);
    else
      r = refuse(child, kind_of(st.st_mode), err);
    if (r < 0)
      return r;
  }
}

int copyout_tree(int jail_out, const char *host_dir, tb_error **err) {
  cleanup_close int dst = open(host_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dst < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "open %s", host_dir);
  return copy_dir(jail_out, dst, "", 0, err);
}
