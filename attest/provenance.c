#include "attest/provenance.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#include "attest/subjects.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

void tb_rfc3339_utc(time_t t, char out[21]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  (void)strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A random (v4) UUID: distinct for every run, so two statements are never confused. */
static int invocation_id(char out[37], tb_error **err) {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "no randomness for the invocation id");
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  char hex[33];
  tb_hex_encode(b, sizeof(b), hex);
  (void)snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
  return 0;
}

/* Once per process: /proc/self/exe is the inode that was executed, whatever happens to its path
 * meanwhile, so its digest cannot change. */
int tb_provenance_self_digest(char out[TB_SHA256_HEX_LEN + 1], tb_error **err) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static char cached[TB_SHA256_HEX_LEN + 1];
  (void)pthread_mutex_lock(&lock);
  int ret = cached[0] != '\0' ? 0 : tb_sha256_file_hex("/proc/self/exe", cached, err);
  if (ret == 0)
    memcpy(out, cached, sizeof(cached));
  (void)pthread_mutex_unlock(&lock);
  return ret < 0 ? tb_error_wrap(err, "digest of the teebuild binary") : 0;
}

static int run_details(const struct tb_provenance_params *p, json_t **out, tb_error **err) {
  char exe_sha256[TB_SHA256_HEX_LEN + 1], id[37], started[21], finished[21];
  int ret = tb_provenance_self_digest(exe_sha256, err);
  if (ret < 0 || (ret = invocation_id(id, err)) < 0)
    return ret;
  tb_rfc3339_utc(p->started.tv_sec, started);
  tb_rfc3339_utc(p->finished.tv_sec, finished);
  cleanup_free char *builder_id = xasprintf("%s%s", TB_BUILDER_ID_PREFIX, p->tee_provider);
  cleanup_free char *exe_uri = xasprintf("pkg:generic/teebuild@%s", p->teebuild_version);
  json_t *details = json_pack("{s:{s:s, s:[{s:s, s:s, s:{s:s}}], s:{s:s}}, s:{s:s, s:s, s:s}}", "builder", "id",
                              builder_id, "builderDependencies", "name", "teebuild", "uri", exe_uri, "digest",
                              "sha256", exe_sha256, "version", "teebuild", p->teebuild_version, "metadata",
                              "invocationId", id, "startedOn", started, "finishedOn", finished);
  if (p->builder_dependencies)
    json_array_extend(json_object_get(json_object_get(details, "builder"), "builderDependencies"),
                      (json_t *)p->builder_dependencies);
  if (p->byproducts)
    json_object_set_new(details, "byproducts", json_deep_copy(p->byproducts));
  *out = details;
  return 0;
}

int tb_provenance_statement(const struct tb_provenance_params *p, json_t **statement, tb_error **err) {
  cleanup_json json_t *subjects = NULL;
  int ret = tb_subjects_collect(p->out_dir, &subjects, err);
  if (ret < 0)
    return tb_error_wrap(err, "provenance subjects");
  json_t *details = NULL;
  ret = run_details(p, &details, err);
  if (ret < 0)
    return ret;
  json_t *build_definition =
      json_pack("{s:s, s:O, s:O, s:O}", "buildType", p->build_type, "externalParameters", p->external_parameters,
                "internalParameters", p->internal_parameters, "resolvedDependencies", p->resolved_dependencies);
  *statement = json_pack("{s:s, s:O, s:s, s:{s:o, s:o}}", "_type", TB_STATEMENT_TYPE, "subject", subjects,
                         "predicateType", TB_PREDICATE_TYPE, "predicate", "buildDefinition", build_definition,
                         "runDetails", details);
  return 0;
}

int tb_provenance_payload(const struct tb_provenance_params *p, char **payload, size_t *len, tb_error **err) {
  cleanup_json json_t *statement = NULL;
  int ret = tb_provenance_statement(p, &statement, err);
  return ret < 0 ? ret : tb_json_canonical(statement, payload, len, err);
}
