/* The one --json object run and build print on stdout (design.md "Machine-readable results"). */
#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runner/build_result.h"
#include "runner/cli.h"
#include "runner/job.h"
#include "runner/paths.h"

static size_t n_subjects; /* nftw has no user pointer */

static int count_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)path;
  (void)ftw;
  if (type == FTW_F && S_ISREG(st->st_mode))
    n_subjects++;
  return 0;
}

/* Subjects are the regular files under artifacts/ and logs/ (design.md "Provenance"). */
static size_t count_subjects(const char *out) {
  n_subjects = 0;
  static const char *const dirs[] = {"artifacts", "logs"};
  for (size_t i = 0; i < 2; i++) {
    cleanup_free char *dir = xasprintf("%s/%s", out, dirs[i]);
    nftw(dir, count_file, 16, FTW_PHYS);
  }
  return n_subjects;
}

/* The provider attest actually used is read back from the bundle it wrote. */
static json_t *bundle_provider(const char *bundle_path) {
  cleanup_json json_t *bundle = NULL;
  cleanup_error tb_error *ignored = NULL;
  if (tb_json_load_file(bundle_path, 64u << 20, &bundle, &ignored) < 0)
    return NULL;
  json_t *provider = json_object_get(json_object_get(bundle, "tee"), "provider");
  return json_is_string(provider) ? json_incref(provider) : NULL;
}

void job_print_result(const struct job_run *run, int exit_code) {
  const char *out = job_out_dir(run);
  cleanup_free char *bundle_path = xasprintf("%s/teebuild.bundle.json", out);
  json_t *provider = bundle_provider(bundle_path);
  cleanup_json json_t *result = json_pack("{s:b, s:s, s:i, s:I, s:o, s:o}", "ok", exit_code == 0, "out", out,
                                          "exitCode", exit_code, "subjects", (json_int_t)count_subjects(out),
                                          "tee", provider ? provider : json_string("none"), "bundle",
                                          provider ? json_string(bundle_path) : json_null());
  if (strcmp(job_run_record(run)->build_type, JOB_BUILD_TYPE_SOLC) == 0)
    build_result_extend(result, out); /* the seed's build --json fields */
  tb_print_json_result(result);
}

void job_print_failure(const char *out, int exit_code, const tb_error *err) {
  /* absolute, as a success gives it */
  cleanup_free char *abs = out ? path_absolute(out) : NULL;
  cleanup_json json_t *result = json_pack("{s:b, s:s?, s:i, s:i, s:s, s:n, s:s?}", "ok", 0, "out", abs, "exitCode",
                                          exit_code, "subjects", 0, "tee", "none", "bundle", "error",
                                          err ? err->msg : NULL);
  tb_print_json_result(result);
}
