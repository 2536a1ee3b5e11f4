#include "runner/verify_rebuild.h"

#include <errno.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "attest/bundle.h"
#include "attest/provenance.h"
#include "attest/subjects.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

#define SOLC_BUILD_TYPE "https://teebuild.dev/solc-build/v1"

extern char **environ;

/* The solc toolchain by the digest the statement recorded: the same bytes, or no rebuild. */
static const char *solc_digest(const json_t *statement) {
  size_t i;
  json_t *dep;
  json_array_foreach(json_object_get(json_object_get(json_object_get(statement, "predicate"), "buildDefinition"),
                                     "resolvedDependencies"), i, dep) {
    const char *name = json_string_value(json_object_get(dep, "name"));
    if (name && strcmp(name, "toolchain/solc") == 0)
      return json_string_value(json_object_get(json_object_get(dep, "digest"), "sha256"));
  }
  return NULL;
}

/* teebuild build --standard-json OUT/artifacts/solc-input.json --solc sha256:HEX -o DIR, with no
 * TEE: only its subjects matter. */
static int run_build(const struct tb_globals *g, const char *input, const char *solc_ref, const char *dir,
                     tb_error **err) {
  const char *argv[16];
  int n = 0;
  argv[n++] = "teebuild";
  if (g->store_dir) {
    argv[n++] = "--store";
    argv[n++] = g->store_dir;
  }
  const char *rest[] = {"--tee", "none", "-q", "build", "--standard-json", input, "--solc", solc_ref, "-o", dir};
  for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
    argv[n++] = rest[i];
  argv[n] = NULL;
  pid_t pid;
  int ret = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, (char *const *)argv, environ);
  if (ret != 0)
    return tb_error_set(err, TB_EXIT_VERIFY, ret, "rebuild: spawn teebuild");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return tb_error_set(err, TB_EXIT_VERIFY, 0, "rebuild: the build failed (status %d)",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 0;
}

static char *compare(const json_t *want, const json_t *got, bool *ok) {
  size_t i;
  json_t *s;
  cleanup_json json_t *by_name = json_object();
  json_array_foreach(want, i, s) json_object_set(by_name, json_string_value(json_object_get(s, "name")),
                                                 json_object_get(s, "digest"));
  json_array_foreach(got, i, s) {
    const char *name = json_string_value(json_object_get(s, "name"));
    json_t *digest = json_object_get(by_name, name);
    if (digest == NULL || !json_equal(digest, json_object_get(s, "digest"))) {
      *ok = false;
      return xasprintf("%s: %s", name, digest ? "differs from the statement's" : "made by the rebuild, not listed");
    }
    json_object_del(by_name, name);
  }
  const char *missing;
  json_t *v;
  json_object_foreach(by_name, missing, v) {
    *ok = false;
    return xasprintf("%s: not made by the rebuild", missing);
  }
  *ok = true;
  return xasprintf("%zu subjects reproduced byte for byte", json_array_size(got));
}

int verify_rebuild(const struct tb_globals *g, const char *out, bool *ok, char **detail, tb_error **err) {
  cleanup_free char *prov = xasprintf("%s/%s", out, TB_PROVENANCE_FILE);
  cleanup_json json_t *statement = NULL;
  int ret = tb_json_load_file(prov, 256u << 20, &statement, err);
  if (ret < 0)
    return ret;
  const char *type = json_string_value(
      json_object_get(json_object_get(json_object_get(statement, "predicate"), "buildDefinition"), "buildType"));
  const char *digest = solc_digest(statement);
  *ok = false;
  if (type == NULL || strcmp(type, SOLC_BUILD_TYPE) != 0 || digest == NULL) {
    *detail = xasprintf("only %s statements can be rebuilt from OUT alone (a job's inputs are not kept in OUT)",
                        SOLC_BUILD_TYPE);
    return 0;
  }
  cleanup_free char *tmp = NULL;
  const char *tmproot = getenv("TMPDIR");
  if ((ret = tb_mkdtemp_in(tmproot && *tmproot ? tmproot : "/tmp", "teebuild-rebuild-", &tmp, err)) < 0)
    return ret;
  /* The jail's unprivileged uid must reach the staging directory below it. */
  if (chmod(tmp, 0755) < 0) {
    ret = tb_error_set(err, TB_EXIT_VERIFY, errno, "rebuild: chmod %s", tmp);
    tb_rm_rf(tmp, NULL);
    return ret;
  }
  cleanup_free char *input = xasprintf("%s/artifacts/solc-input.json", out);
  cleanup_free char *solc_ref = xasprintf("sha256:%s", digest);
  cleanup_free char *dir = xasprintf("%s/out", tmp);
  cleanup_json json_t *got = NULL;
  cleanup_error tb_error *build_err = NULL;
  if (run_build(g, input, solc_ref, dir, &build_err) < 0 || tb_subjects_collect(dir, &got, &build_err) < 0)
    *detail = xstrdup(build_err->msg);
  else
    *detail = compare(json_object_get(statement, "subject"), got, ok);
  tb_rm_rf(tmp, NULL);
  return 0;
}
