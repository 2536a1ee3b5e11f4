#include "runner/out_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runner/paths.h"

int out_dir_check(const char *out, bool force, tb_error **err) {
  struct stat st;
  if (lstat(out, &st) < 0)
    return errno == ENOENT ? 0 : tb_error_set(err, TB_EXIT_INPUT, errno, "output directory %s", out);
  if (!S_ISDIR(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "output directory %s: exists and is not a directory", out);
  bool empty = false;
  int ret = tb_dir_is_empty(out, &empty, err);
  if (ret < 0)
    return ret;
  if (!empty && !force)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "output directory %s: not empty (use --force to replace it)", out);
  return 0;
}

int out_dir_stage(const char *out, char **staging, tb_error **err) {
  cleanup_free char *parent = path_dirname(out);
  const char *slash = strrchr(out, '/');
  const char *base = slash ? slash + 1 : out;
  int ret = tb_mkdir_p(parent, 0755, err);
  if (ret < 0)
    return tb_error_wrap(err, "output directory");
  cleanup_free char *prefix = xasprintf("%s.tmp-", base);
  cleanup_free char *dir = NULL;
  if ((ret = tb_mkdtemp_in(parent, prefix, &dir, err)) < 0)
    return tb_error_wrap(err, "output directory");
  if (chmod(dir, 0755) < 0)
    ret = tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", dir);
  static const char *const subdirs[] = {"artifacts", "logs"};
  for (size_t i = 0; ret == 0 && i < 2; i++) {
    cleanup_free char *sub = xasprintf("%s/%s", dir, subdirs[i]);
    if (mkdir(sub, 0755) < 0 || chmod(sub, 0755) < 0)
      ret = tb_error_set(err, TB_EXIT_INPUT, errno, "mkdir %s", sub);
  }
  if (ret < 0) {
    tb_rm_rf(dir, NULL);
    return ret;
  }
  *staging = steal_pointer(&dir);
  return 0;
}

int out_dir_commit(const char *staging, const char *out, bool force, tb_error **err) {
  int ret = tb_fsync_tree(staging, err);
  if (ret < 0)
    return ret;
  struct stat st;
  bool exists = lstat(out, &st) == 0;
  if (force && exists) {
    if (renameat2(AT_FDCWD, staging, AT_FDCWD, out, RENAME_EXCHANGE) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "replace %s", out);
    /* staging now holds the old OUT */
    cleanup_error tb_error *rm_err = NULL;
    if (tb_rm_rf(staging, &rm_err) < 0)
      tb_warn("replaced %s, but could not remove the old one: %s", out, rm_err->msg);
  } else if (rename(staging, out) < 0) {
    if (errno == ENOTEMPTY || errno == EEXIST)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "output directory %s: not empty (use --force to replace it)", out);
    return tb_error_set(err, TB_EXIT_INPUT, errno, "rename %s to %s", staging, out);
  }
  cleanup_free char *parent = path_dirname(out);
  return tb_fsync_dir(parent, err);
}
