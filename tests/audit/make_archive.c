/* make_archive BUILD_DIR DEST_DIR: the archive teebuild audit feeds Slither, made outside any jail,
 * so tests can run Slither directly on the very same bytes. */
#include <stdio.h>

#include "common/cleanup.h"
#include "runner/slither_archive.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    (void)fputs("usage: make_archive BUILD_DIR DEST_DIR\n", stderr);
    return 2;
  }
  cleanup_error tb_error *err = NULL;
  struct slither_build_json json;
  int ret = slither_build_json_read(argv[1], &json, &err);
  if (ret == 0)
    ret = slither_archive_write(&json, argv[1], argv[2], &err);
  slither_build_json_clear(&json);
  if (ret < 0) {
    tb_error_print(err, stderr);
    return tb_error_exit_code(err);
  }
  return 0;
}
