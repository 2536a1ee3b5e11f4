/* The jail's filesystem, built inside its private mount namespace by the jail's init:
 *
 *   1. / becomes MS_REC|MS_PRIVATE, so nothing below propagates to or from the host.
 *   2. Every host tree the jail sees (the binds, the five /dev nodes) is cloned with open_tree()
 *      while the host root is still visible, and made read-only, nosuid, nodev recursively with
 *      mount_setattr(AT_RECURSIVE): submounts of a bind are covered too, in one call. This runs
 *      before the init takes the jail's uid, so it reaches exactly what the caller can.
 *   3. A fresh tmpfs becomes the new root (at NEW_ROOT, shadowing the host's /tmp in this
 *      namespace only); mount points are made in it and the clones moved onto them; /out, /tmp,
 *      /dev and a fresh /proc (of the jail's pid namespace) are mounted.
 *   4. pivot_root(".", ".") stacks the old root on the new one and umount2(MNT_DETACH) drops it,
 *      so no path leads back to the host; then the root itself is made read-only.
 * Every path touched after step 2 lies in the tmpfs we just made, so no job-controlled symlink can
 * redirect a mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "sandbox/jail_internal.h"

#define NEW_ROOT "/tmp"

static const char *const dev_nodes[JAIL_DEV_NODES] = {"null", "zero", "full", "random", "urandom"};

void mounts_release(struct host_trees *t) {
  for (size_t i = 0; t->binds && i < t->n_binds; i++)
    tb_cleanup_closep(&t->binds[i]);
  free(t->binds);
  t->binds = NULL;
  for (size_t i = 0; i < JAIL_DEV_NODES; i++) {
    tb_cleanup_closep(&t->dev[i]);
    t->dev[i] = -1;
  }
}

static int clone_tree(const char *host_path, uint64_t attrs, bool recursive, int *out,
                      tb_error **err) {
  unsigned rec = recursive ? AT_RECURSIVE : 0;
  cleanup_close int fd = open_tree(AT_FDCWD, host_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "open_tree %s", host_path);
  struct mount_attr attr = {.attr_set = attrs, .propagation = MS_PRIVATE};
  if (mount_setattr(fd, "", AT_EMPTY_PATH | rec, &attr, sizeof(attr)) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "mount_setattr %s", host_path);
  *out = steal_fd(&fd);
  return 0;
}

int mounts_clone_host_trees(const struct jail_config *cfg, struct host_trees *t, tb_error **err) {
  for (size_t i = 0; i < JAIL_DEV_NODES; i++)
    t->dev[i] = -1;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "make / private");
  t->binds = xcalloc(cfg->n_binds + 1, sizeof(int));
  for (t->n_binds = 0; t->n_binds < cfg->n_binds; t->n_binds++) {
    t->binds[t->n_binds] = -1;
    if (clone_tree(cfg->binds[t->n_binds].host_path,
                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true,
                   &t->binds[t->n_binds], err) < 0)
      return -1;
  }
  for (size_t i = 0; i < JAIL_DEV_NODES; i++) {
    char path[32];
    (void)snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
    /* Read-only binds the device nodes stay usable: writing to a device is not writing the fs. */
    if (clone_tree(path, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false,
                   &t->dev[i], err) < 0)
      return -1;
  }
  return 0;
}

static int make_dir(const char *path, tb_error **err) {
  if (mkdir(path, 0755) < 0 && errno != EEXIST)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "mkdir %s", path + strlen(NEW_ROOT));
  return 0;
}

/* mkdir -p of a jail path under NEW_ROOT (the caller validated it: absolute, normalised). */
static int make_mount_point(const char *jail_path, tb_error **err) {
  cleanup_free char *path = xasprintf(NEW_ROOT "%s", jail_path);
  for (char *slash = path + strlen(NEW_ROOT) + 1; (slash = strchr(slash, '/')); slash++) {
    *slash = '\0';
    int r = make_dir(path, err);
    *slash = '/';
    if (r < 0)
      return r;
  }
  return make_dir(path, err);
}

static int attach_tree(int fd, const char *jail_path, tb_error **err) {
  cleanup_free char *path = xasprintf(NEW_ROOT "%s", jail_path);
  if (move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "move_mount %s", jail_path);
  return 0;
}

static int mount_fs(const char *type, const char *jail_path, unsigned long flags,
                    const char *options, tb_error **err) {
  cleanup_free char *path = xasprintf(NEW_ROOT "%s", jail_path);
  if (make_dir(path, err) < 0)
    return -1;
  if (mount(type, path, type, flags, options) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "mount %s on %s", type, jail_path);
  return 0;
}

static int make_read_only(const char *jail_path, tb_error **err) {
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  if (mount_setattr(AT_FDCWD, jail_path, 0, &attr, sizeof(attr)) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "remount %s read-only", jail_path);
  return 0;
}

/* /dev: a small tmpfs holding bind mounts of the five host nodes and the usual fd links. */
static int build_dev(const struct host_trees *t, tb_error **err) {
  static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                         {"stdin", "/proc/self/fd/0"},
                                         {"stdout", "/proc/self/fd/1"},
                                         {"stderr", "/proc/self/fd/2"}};
  if (mount_fs("tmpfs", "/dev", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k,nr_inodes=64",
               err) < 0)
    return -1;
  for (size_t i = 0; i < JAIL_DEV_NODES; i++) {
    char jail_path[32];
    (void)snprintf(jail_path, sizeof(jail_path), "/dev/%s", dev_nodes[i]);
    cleanup_free char *path = xasprintf(NEW_ROOT "%s", jail_path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      return tb_error_set(err, TB_EXIT_SANDBOX, errno, "create %s", jail_path);
    close(fd);
    if (attach_tree(t->dev[i], jail_path, err) < 0)
      return -1;
  }
  for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
    cleanup_free char *path = xasprintf(NEW_ROOT "/dev/%s", links[i][0]);
    if (symlink(links[i][1], path) < 0)
      return tb_error_set(err, TB_EXIT_SANDBOX, errno, "symlink /dev/%s", links[i][0]);
  }
  return make_read_only(NEW_ROOT "/dev", err);
}

static int build_tree(const struct jail_config *cfg, const struct jail_limits *lim,
                      const struct host_trees *t, tb_error **err) {
  if (mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=4096") < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "mount tmpfs root");
  if (make_mount_point("/src", err) < 0)
    return -1;
  for (size_t i = 0; i < cfg->n_binds; i++)
    if (make_mount_point(cfg->binds[i].jail_path, err) < 0 ||
        attach_tree(t->binds[i], cfg->binds[i].jail_path, err) < 0)
      return -1;
  char opts[160];
  /* /out is owned by the jail's uid; its inode cap bounds what the copy-out has to walk. */
  (void)snprintf(opts, sizeof(opts), "mode=0755,uid=%d,gid=%d,size=%llum,nr_inodes=%llu", JAIL_ID,
           JAIL_ID, (unsigned long long)lim->output_mb,
           (unsigned long long)(lim->output_mb < 64 ? 16384 : lim->output_mb * 256));
  if (mount_fs("tmpfs", "/out", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts, err) < 0)
    return -1;
  /* /tmp counts against the memory limit where a cgroup charges it; its size caps it otherwise. */
  (void)snprintf(opts, sizeof(opts), "mode=1777,size=%llum", (unsigned long long)lim->memory_mb);
  if (mount_fs("tmpfs", "/tmp", MS_NOSUID | MS_NODEV, opts, err) < 0)
    return -1;
  if (build_dev(t, err) < 0)
    return -1;
  return mount_fs("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
}

static int pivot_into_new_root(tb_error **err) {
  if (chdir(NEW_ROOT) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "chdir new root");
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "detach old root");
  if (chdir("/") < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "chdir /");
  return 0;
}

int mounts_build(const struct jail_config *cfg, const struct jail_limits *lim,
                 const struct host_trees *t, int *out_fd, tb_error **err) {
  if (build_tree(cfg, lim, t, err) < 0 || pivot_into_new_root(err) < 0)
    return -1;
  int fd = open("/out", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "open /out");
  if (make_read_only("/", err) < 0) {
    close(fd);
    return -1;
  }
  *out_fd = fd;
  return 0;
}
