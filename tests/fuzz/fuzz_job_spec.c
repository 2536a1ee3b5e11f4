/* A job spec (design.md's job JSON) as `teebuild run` reads it: the JSON, then every key, path,
 * argv, env and limit check of runner/job_spec.c. Paths resolve against a fixed base directory. */
#include "fuzz.h"

#include <jansson.h>

#include "runner/job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (doc == NULL)
    return 0;
  struct job_spec spec;
  tb_error *err = NULL;
  (void)job_spec_parse(doc, "/nonexistent/base", "job", &spec, &err);
  job_spec_clear(&spec);
  tb_error_free(&err);
  json_decref(doc);
  return 0;
}
