#include "common/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* path opened for reading if it is a regular file of at most max bytes (its size in *size). */
static int open_regular(const char *path, size_t max, size_t *size, tb_error **err) {
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
  *size = (size_t)st.st_size;
  return steal_fd(&fd);
}

int tb_read_file(const char *path, size_t max, char **data, size_t *len, tb_error **err) {
  size_t size = 0;
  cleanup_close int fd = open_regular(path, max, &size, err);
  if (fd < 0)
    return fd;
  /* Room for the file, its NUL and one byte more, so that the read that finds the end needs no
   * growth; a file that reports no size (procfs, cgroupfs) starts with a page. */
  size_t cap = size > 0 ? size + 2 : 4096, used = 0;
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
  size_t size = 0;
  cleanup_close int fd = open_regular(path, max, &size, err);
  if (fd < 0)
    return fd;
  *m = (struct tb_mapped_file){"", 0};
  if (size == 0)
    return 0; /* mmap refuses an empty mapping */
  void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "map %s", path);
  *m = (struct tb_mapped_file){p, size};
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

/* The paths tb_fsync_tree collects: nftw's callback takes no argument of ours. */
static _Thread_local struct {
  char **paths;
  size_t n, cap;
} sync_list;

static int collect_one(const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf) {
  (void)ftwbuf;
  bool file = typeflag == FTW_F && S_ISREG(sb->st_mode);
  if (!file && typeflag != FTW_D && typeflag != FTW_DP)
    return 0;
  if (sync_list.n == sync_list.cap) {
    sync_list.cap = sync_list.cap ? 2 * sync_list.cap : 64;
    sync_list.paths = xrealloc(sync_list.paths, sync_list.cap * sizeof(char *));
  }
  sync_list.paths[sync_list.n++] = xstrdup(fpath);
  return 0;
}

/* Enough fsyncs in flight at once for the block layer to merge their device cache flushes: 33
 * files of a build take 21 ms one after another here, ~6 ms from 4 threads, ~2 ms from 16. */
#define FSYNC_THREADS_MAX 16

/* The paths, shared by every thread; each takes the next one not yet taken. */
struct fsync_queue {
  char **paths;
  size_t n;
  atomic_size_t next;
};

struct fsync_worker {
  struct fsync_queue *queue;
  int error;          /* errno of this worker's first failure */
  const char *failed; /* and its path */
};

static void *fsync_worker_run(void *arg) {
  struct fsync_worker *w = arg;
  for (size_t i; w->error == 0 && (i = atomic_fetch_add(&w->queue->next, 1)) < w->queue->n;) {
    int fd = open(w->queue->paths[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fsync(fd) < 0) {
      w->error = errno;
      w->failed = w->queue->paths[i];
    }
    if (fd >= 0)
      close(fd);
  }
  return NULL;
}

/* Every fsync is issued at once, from up to FSYNC_THREADS_MAX threads (the caller's among them; if
 * a thread cannot start, the others take its share). syncfs(2) would be one call, but it waits for
 * every dirty page of the filesystem, anyone's: 350 ms here with another process's 400 MB not yet
 * written back. */
static int fsync_all(char **paths, size_t n, tb_error **err) {
  struct fsync_queue queue = {.paths = paths, .n = n};
  struct fsync_worker workers[FSYNC_THREADS_MAX];
  pthread_t threads[FSYNC_THREADS_MAX];
  size_t nthreads = n < FSYNC_THREADS_MAX ? n : FSYNC_THREADS_MAX, started = 1;
  workers[0] = (struct fsync_worker){.queue = &queue};
  while (started < nthreads) {
    workers[started] = (struct fsync_worker){.queue = &queue};
    if (pthread_create(&threads[started], NULL, fsync_worker_run, &workers[started]) != 0)
      break;
    started++;
  }
  fsync_worker_run(&workers[0]);
  for (size_t t = 1; t < started; t++)
    pthread_join(threads[t], NULL);
  for (size_t t = 0; t < started; t++)
    if (workers[t].error != 0)
      return tb_error_set(err, TB_EXIT_INPUT, workers[t].error, "fsync %s", workers[t].failed);
  return 0;
}

int tb_fsync_tree(const char *root, tb_error **err) {
  int ret = 0;
  if (nftw(root, collect_one, 32, FTW_PHYS) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "fsync %s", root);
  if (ret == 0)
    ret = fsync_all(sync_list.paths, sync_list.n, err);
  for (size_t i = 0; i < sync_list.n; i++)
    free(sync_list.paths[i]);
  free(sync_list.paths);
  sync_list.paths = NULL;
  sync_list.n = sync_list.cap = 0;
  return ret;
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
