/* The user namespace's id maps: the jail's fixed uid/gid (JAIL_ID) and nothing else is mapped.
 * As root, JAIL_ID maps to JAIL_ROOT_HOST_ID, an id no host account uses, so the job owns nothing
 * on the host and RLIMIT_NPROC holds. Unprivileged, the only id we may map is our own. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "sandbox/jail_internal.h"

static int write_proc_file(pid_t pid, const char *file, const char *text, tb_error **err) {
  char path[64];
  (void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "open %s", path);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "write %s", path);
  return 0;
}

int idmap_write(pid_t pid, struct jail_isolation *iso, tb_error **err) {
  bool root = geteuid() == 0;
  uid_t host_uid = root ? JAIL_ROOT_HOST_ID : geteuid();
  gid_t host_gid = root ? JAIL_ROOT_HOST_ID : getegid();
  char map[64];
  /* Without CAP_SETGID the kernel accepts a gid map only once setgroups is denied; as root it
   * stays allowed so the jail's init can drop the supplementary groups it inherited. */
  if (!root && write_proc_file(pid, "setgroups", "deny", err) < 0)
    return -1;
  (void)snprintf(map, sizeof(map), "%d %u 1\n", JAIL_ID, (unsigned)host_uid);
  if (write_proc_file(pid, "uid_map", map, err) < 0)
    return -1;
  (void)snprintf(map, sizeof(map), "%d %u 1\n", JAIL_ID, (unsigned)host_gid);
  if (write_proc_file(pid, "gid_map", map, err) < 0)
    return -1;
  iso->jail_uid = iso->jail_gid = JAIL_ID;
  iso->host_uid = host_uid;
  return 0;
}
