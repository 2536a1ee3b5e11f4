/* The job's cgroup: memory, pids and CPU accounting for the whole jail.
 *
 * cgroup v2 is used where the caller's cgroup can delegate memory and pids to a child; else
 * v1 with its memory, pids and cpuacct hierarchies (this machine kind: v2 mounted without
 * controllers, v1 writable by root); else none, and jail.c refuses to run unless the caller lowered
 * the isolation. The job's cgroup is made under the caller's own cgroup in each hierarchy, so the
 * caller's limits still bound it, and removed when the job is over.
 *
 * v2 is made before clone3 (CLONE_INTO_CGROUP puts the init there); v1, three mkdirs and their
 * limits (~0.2 ms), is made after it, while the init sets up its mounts on the other CPU, and the
 * init joins through the tasks fds the parent sends it. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "sandbox/jail_internal.h"

static const char *const v1_controllers[CGROUP_V1_CONTROLLERS] = {"memory", "pids", "cpuacct"};

const char *cgroup_kind_name(enum cgroup_kind kind) {
  return kind == CGROUP_V2 ? "v2" : kind == CGROUP_V1 ? "v1" : "none";
}

static bool is_fs(const char *path, long magic) {
  struct statfs sfs;
  return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

static int write_value(const char *dir, const char *file, const char *value) {
  cleanup_free char *path = xasprintf("%s/%s", dir, file);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  size_t len = strlen(value);
  return write(fd, value, len) == (ssize_t)len ? 0 : -errno;
}

/* The value after "key " in a flat-keyed file (memory.events, pids.events, oom_control, cpu.stat),
 * or with key NULL the number a single-value file holds (cpuacct.usage); 0 when unreadable. */
static uint64_t read_keyed(const char *dir, const char *file, const char *key) {
  cleanup_free char *path = xasprintf("%s/%s", dir, file);
  cleanup_fclose FILE *f = fopen(path, "re");
  char line[256];
  size_t klen = key ? strlen(key) : 0;
  while (f && fgets(line, sizeof(line), f))
    if (key == NULL)
      return strtoull(line, NULL, 10);
    else if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
      return strtoull(line + klen + 1, NULL, 10);
  return 0;
}

/* Whether a list of words separated by sep ("cpu,cpuacct", "memory pids") holds word. */
static bool list_has_word(const char *list, char sep, const char *word) {
  size_t n = strlen(word);
  for (const char *p = list; p; p = strchr(p, sep) ? strchr(p, sep) + 1 : NULL)
    if (strncmp(p, word, n) == 0 && (p[n] == sep || p[n] == '\0' || p[n] == '\n'))
      return true;
  return false;
}

static bool list_has(const char *list, const char *controller) {
  return list_has_word(list, ',', controller);
}

static bool has_word(const char *list, const char *word) { return list_has_word(list, ' ', word); }

/* /proc/self/cgroup, read once for all hierarchies; NULL when unreadable. */
static char *read_own_cgroups(void) {
  char *text = NULL;
  return tb_read_file("/proc/self/cgroup", 1u << 16, &text, NULL, NULL) < 0 ? NULL : text;
}

/* The caller's cgroup path in the hierarchy whose line of /proc/self/cgroup (text) has this
 * controller list entry ("" selects the v2 line "0::"). Malloc'ed, or NULL. */
static char *own_cgroup_path(const char *text, const char *controller) {
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    cleanup_free char *copy = xstrndup(line, len);
    line = end ? end + 1 : NULL;
    char *list = strchr(copy, ':');
    char *path = list ? strchr(list + 1, ':') : NULL;
    if (path == NULL)
      continue;
    *path++ = '\0';
    list++;
    if (*controller == '\0' ? *list == '\0' : list_has(list, controller))
      return xstrdup(path);
  }
  return NULL;
}

/* Remove the empty job cgroups of callers that died without cleaning up (SIGKILL). A cgroup
 * still in use cannot be removed, and a live (or reused) pid is left alone. */
static void sweep_stale(const char *base) {
  cleanup_dir DIR *d = opendir(base);
  for (struct dirent *de; d && (de = readdir(d));) {
    int pid;
    if (sscanf(de->d_name, "teebuild-%d-", &pid) != 1 || pid <= 0 ||
        (kill(pid, 0) == 0 || errno != ESRCH))
      continue;
    cleanup_free char *path = xasprintf("%s/%s", base, de->d_name);
    rmdir(path);
  }
}

static char *job_dir_name(void) {
  static atomic_uint counter;
  return xasprintf("teebuild-%d-%u", (int)getpid(), atomic_fetch_add(&counter, 1));
}

static void limit_values(const struct jail_limits *lim, char mem[32], char pids[32]) {
  (void)snprintf(mem, 32, "%llu", (unsigned long long)lim->memory_mb << 20);
  /* +1: the jail's init is a member too. */
  (void)snprintf(pids, 32, "%llu", (unsigned long long)lim->pids + 1);
}

static int try_v2(struct jail_cgroup *cg, const struct jail_limits *lim) {
  const char *mount = is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)           ? "/sys/fs/cgroup"
                      : is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC) ? "/sys/fs/cgroup/unified"
                                                                             : NULL;
  if (mount == NULL)
    return -ENOENT;
  /* A controller the hierarchy's root lacks is bound to v1 (hybrid mounts): no cgroup below can
   * have it either, and asking ours would cost a read of /proc/self/cgroup and a failed write. */
  cleanup_free char *root_ctl_path = xasprintf("%s/cgroup.controllers", mount);
  cleanup_free char *root_ctl = NULL;
  if (tb_read_file(root_ctl_path, 4096, &root_ctl, NULL, NULL) < 0 ||
      !(has_word(root_ctl, "memory") && has_word(root_ctl, "pids")))
    return -ENOTSUP;
  cleanup_free char *cgroups = read_own_cgroups();
  cleanup_free char *own = cgroups ? own_cgroup_path(cgroups, "") : NULL;
  if (own == NULL)
    return -ENOENT;
  cleanup_free char *base = xasprintf("%s%s", mount, strcmp(own, "/") == 0 ? "" : own);
  cleanup_free char *ctl_path = xasprintf("%s/cgroup.subtree_control", base);
  cleanup_free char *ctl = NULL;
  size_t len;
  if (tb_read_file(ctl_path, 4096, &ctl, &len, NULL) < 0)
    return -ENOENT;
  /* memory and pids carry the limits; CPU time is read from cpu.stat, which needs no controller. */
  if (!(has_word(ctl, "memory") && has_word(ctl, "pids")) &&
      write_value(base, "cgroup.subtree_control", "+memory +pids") < 0)
    return -ENOTSUP;
  sweep_stale(base);
  cleanup_free char *name = job_dir_name();
  char *dir = xasprintf("%s/%s", base, name);
  if (mkdir(dir, 0755) < 0) {
    int e = errno;
    free(dir);
    return -e;
  }
  cg->kind = CGROUP_V2;
  cg->dirs[0] = dir;
  char mem[32], pids[32];
  limit_values(lim, mem, pids);
  int r = write_value(dir, "memory.max", mem);
  if (r == 0)
    r = write_value(dir, "pids.max", pids);
  if (r < 0)
    return r;
  write_value(dir, "memory.swap.max", "0"); /* optional: absent without swap accounting */
  cg->v2_dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return cg->v2_dir_fd < 0 ? -errno : 0;
}

static int try_v1(struct jail_cgroup *cg, const struct jail_limits *lim) {
  cleanup_free char *name = job_dir_name();
  cleanup_free char *cgroups = read_own_cgroups();
  if (cgroups == NULL)
    return -ENOENT;
  cg->kind = CGROUP_V1;
  for (int i = 0; i < CGROUP_V1_CONTROLLERS; i++) {
    cleanup_free char *mount = xasprintf("/sys/fs/cgroup/%s", v1_controllers[i]);
    cleanup_free char *own = own_cgroup_path(cgroups, v1_controllers[i]);
    if (own == NULL || !is_fs(mount, CGROUP_SUPER_MAGIC))
      return -ENOENT;
    cleanup_free char *base = xasprintf("%s%s", mount, strcmp(own, "/") == 0 ? "" : own);
    sweep_stale(base);
    cg->dirs[i] = xasprintf("%s/%s", base, name);
    if (mkdir(cg->dirs[i], 0755) < 0) {
      int e = errno;
      free(cg->dirs[i]);
      cg->dirs[i] = NULL;
      return -e;
    }
  }
  char mem[32], pids[32];
  limit_values(lim, mem, pids);
  int r = write_value(cg->dirs[0], "memory.limit_in_bytes", mem);
  if (r == 0)
    r = write_value(cg->dirs[1], "pids.max", pids);
  if (r < 0)
    return r;
  write_value(cg->dirs[0], "memory.memsw.limit_in_bytes", mem); /* optional: swap accounting */
  for (int i = 0; i < CGROUP_V1_CONTROLLERS; i++) {
    cleanup_free char *tasks = xasprintf("%s/tasks", cg->dirs[i]);
    if ((cg->v1_tasks_fds[i] = open(tasks, O_WRONLY | O_CLOEXEC)) < 0)
      return -errno;
  }
  return 0;
}

static void cgroup_init(struct jail_cgroup *cg) {
  memset(cg, 0, sizeof(*cg));
  cg->v2_dir_fd = -1;
  for (int i = 0; i < CGROUP_V1_CONTROLLERS; i++)
    cg->v1_tasks_fds[i] = -1;
}

void cgroup_create_v2(struct jail_cgroup *cg, const struct jail_limits *lim) {
  cgroup_init(cg);
  int r = try_v2(cg, lim);
  if (r == 0)
    return;
  tb_debug("sandbox: cgroup v2 not usable: %s", strerror(-r));
  cgroup_destroy(cg);
}

void cgroup_create_v1(struct jail_cgroup *cg, const struct jail_limits *lim) {
  cgroup_init(cg);
  int r = try_v1(cg, lim);
  if (r == 0)
    return;
  tb_debug("sandbox: cgroup v1 not usable: %s", strerror(-r));
  cgroup_destroy(cg);
}

int cgroup_join_self(int tasks_fd, tb_error **err) {
  if (write(tasks_fd, "0", 1) != 1)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "join the job's cgroup");
  return 0;
}

uint64_t cgroup_cpu_usage_ns(const struct jail_cgroup *cg) {
  if (cg->kind == CGROUP_V2)
    return read_keyed(cg->dirs[0], "cpu.stat", "usage_usec") * 1000;
  if (cg->kind != CGROUP_V1)
    return 0;
  return read_keyed(cg->dirs[2], "cpuacct.usage", NULL);
}

void cgroup_read_events(const struct jail_cgroup *cg, struct cgroup_events *ev) {
  memset(ev, 0, sizeof(*ev));
  if (cg->kind == CGROUP_V2) {
    ev->oom_killed = read_keyed(cg->dirs[0], "memory.events", "oom_kill") > 0;
    ev->pids_max_hit = read_keyed(cg->dirs[0], "pids.events", "max") > 0;
  } else if (cg->kind == CGROUP_V1) {
    ev->oom_killed = read_keyed(cg->dirs[0], "memory.oom_control", "oom_kill") > 0;
    ev->pids_max_hit = read_keyed(cg->dirs[1], "pids.events", "max") > 0;
  }
}

void cgroup_destroy(struct jail_cgroup *cg) {
  tb_cleanup_closep(&cg->v2_dir_fd);
  for (int i = 0; i < CGROUP_V1_CONTROLLERS; i++) {
    tb_cleanup_closep(&cg->v1_tasks_fds[i]);
    if (cg->dirs[i] == NULL)
      continue;
    /* The kernel may still be releasing the last members for a moment after they were reaped. */
    for (int tries = 0; rmdir(cg->dirs[i]) < 0 && errno == EBUSY && tries < 200; tries++)
      nanosleep(&(struct timespec){.tv_nsec = 5L * 1000 * 1000}, NULL);
    free(cg->dirs[i]);
  }
  cgroup_init(cg);
}
