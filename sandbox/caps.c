/* Dropping every capability the payload holds in its user namespace before execve. */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/jail_internal.h"

int caps_drop_all(tb_error **err) {
  /* Bounding first (it needs CAP_SETPCAP, which the last step removes); stop at the first
   * capability this kernel does not know. */
  for (int cap = 0;; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
      continue;
    if (errno == EINVAL)
      break;
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "drop bounding capability %d", cap);
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "clear ambient capabilities");
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};
  if (syscall(SYS_capset, &hdr, data) < 0)
    return tb_error_set(err, TB_EXIT_SANDBOX, errno, "capset");
  return 0;
}
