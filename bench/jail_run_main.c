/* tb-jail-run: run one program in the jail from the command line, for benchmarks (and by hand)
 * until `teebuild run` exists. stdin is /dev/null, or with --stdin this process's own stdin;
 * stdout and stderr are passed through (they must not be a terminal).
 *   tb-jail-run [-v] [--profile NAME] [--seccomp-cache DIR] [--allow-no-cgroups] [--stdin]
 *               [--bind HOST:JAIL]... --out DIR -- PROG ARG... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "sandbox/jail.h"

static int usage(void) {
  (void)fprintf(stderr, "usage: tb-jail-run [-v] [--profile NAME] [--seccomp-cache DIR] [--allow-no-cgroups] "
                        "[--stdin] [--bind HOST:JAIL]... "
                  "--out DIR -- PROG [ARG]...\n");
  return 2;
}

static int export_seccomp(const char *profile, const char *path) {
  cleanup_error tb_error *err = NULL;
  const void *bpf;
  size_t len;
  if (jail_seccomp_filter(profile, &bpf, &len, &err) < 0 ||
      tb_write_file_atomic(path, bpf, len, 0644, &err) < 0) {
    tb_error_print(err, stderr);
    return tb_error_exit_code(err);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "--export-seccomp"))
    return export_seccomp(argv[2], argv[3]);
  static const char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TZ=UTC", "LC_ALL=C.UTF-8",
                                    "LANG=C.UTF-8", "SOURCE_DATE_EPOCH=0", NULL};
  cleanup_free struct jail_bind *binds = xcalloc((size_t)argc, sizeof(*binds));
  struct jail_config cfg = {.env = env, .binds = binds, .stdin_fd = -1, .stdout_fd = 1,
                            .stderr_fd = 2, .seccomp_profile = "default"};
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    char *colon;
    if (!strcmp(argv[i], "--profile") && i + 1 < argc)
      cfg.seccomp_profile = argv[++i];
    else if (!strcmp(argv[i], "--seccomp-cache") && i + 1 < argc)
      cfg.seccomp_cache_dir = argv[++i];
    else if (!strcmp(argv[i], "-v"))
      tb_log_set_verbosity(TB_VERBOSE);
    else if (!strcmp(argv[i], "--allow-no-cgroups"))
      cfg.lowering.allow_no_cgroups = true;
    else if (!strcmp(argv[i], "--stdin"))
      cfg.stdin_fd = 0;
    else if (!strcmp(argv[i], "--out") && i + 1 < argc)
      cfg.out_host_dir = argv[++i];
    else if (!strcmp(argv[i], "--bind") && i + 1 < argc && (colon = strchr(argv[++i], ':'))) {
      *colon = '\0';
      binds[cfg.n_binds++] = (struct jail_bind){argv[i], colon + 1};
    } else
      return usage();
  }
  if (i + 1 >= argc || cfg.out_host_dir == NULL)
    return usage();
  cfg.argv = (const char *const *)&argv[i + 1];
  struct jail_result result;
  cleanup_error tb_error *err = NULL;
  if (jail_run(&cfg, &result, &err) < 0) {
    tb_error_print(err, stderr);
    return tb_error_exit_code(err);
  }
  const struct jail_isolation *iso = &result.isolation;
  tb_debug("isolation: namespaces %s, cgroup %s, seccomp %s (%zu bytes of BPF), uid %u -> host %u",
           iso->namespaces, iso->cgroup, iso->seccomp_profile, iso->seccomp_bpf_len, iso->jail_uid,
           iso->host_uid);
  char desc[128];
  if (result.outcome != JAIL_EXITED || result.exit_code != 0)
    (void)fprintf(stderr, "tb-jail-run: %s\n", jail_outcome_describe(&result, desc, sizeof(desc)));
  return result.outcome == JAIL_EXITED ? result.exit_code : 1;
}
