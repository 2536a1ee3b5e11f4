/* Without libFuzzer: feed every file named on the command line (directories: every file in them)
 * to LLVMFuzzerTestOneInput once. ctest runs the seeds and the kept corpus this way, so a crash
 * found by fuzzing stays a test. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common/fs.h"
#include "fuzz.h"

static int run_file(const char *path) {
  char *data = NULL;
  size_t len = 0;
  if (tb_read_file(path, 16u << 20, &data, &len, NULL) < 0) {
    (void)fprintf(stderr, "replay: cannot read %s\n", path);
    return 1;
  }
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  free(data);
  return 0;
}

int main(int argc, char **argv) {
  int failed = 0, n = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
      DIR *d = opendir(argv[i]);
      for (struct dirent *de; d && (de = readdir(d));) {
        if (de->d_name[0] == '.')
          continue;
        char path[4096];
        (void)snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
        failed += run_file(path);
        n++;
      }
      if (d)
        closedir(d);
    } else {
      failed += run_file(argv[i]);
      n++;
    }
  }
  printf("replayed %d inputs, %d unreadable\n", n, failed);
  return failed || n == 0 ? 1 : 0;
}
