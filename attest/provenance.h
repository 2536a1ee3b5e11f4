/* The in-toto Statement v1 with an SLSA Provenance v1 predicate (design.md "Provenance").
 * attest/ knows nothing of jobs: the runner hands over the parameters already as JSON. */
#ifndef TB_ATTEST_PROVENANCE_H
#define TB_ATTEST_PROVENANCE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "common/error.h"
#include "common/hex.h"

#define TB_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define TB_PREDICATE_TYPE "https://slsa.dev/provenance/v1"
#define TB_BUILDER_ID_PREFIX "https://teebuild.dev/builder/v1/tee/"

struct tb_provenance_params {
  const char *build_type;              /* https://teebuild.dev/{solc-build,slither-audit,run}/v1 */
  const json_t *external_parameters;   /* the job as the user gave it, no host paths */
  const json_t *internal_parameters;   /* the jail policy in force */
  const json_t *resolved_dependencies; /* array of ResourceDescriptors: toolchains, inputs */
  const json_t *byproducts;            /* array of ResourceDescriptors, or NULL */
  const char *tee_provider;            /* the provider actually used: names the builder */
  const json_t *builder_dependencies;  /* further runDetails.builder.builderDependencies (the dstack app), or NULL */
  const char *teebuild_version;
  const char *out_dir; /* subjects are read from OUT/artifacts and OUT/logs */
  struct timespec started, finished;
};

/* Build the statement. Everything but runDetails.metadata is a function of the job, so the
 * canonical bytes of two runs of the same job differ only there. */
int tb_provenance_statement(const struct tb_provenance_params *p, json_t **statement, tb_error **err);
/* The statement's canonical bytes: the DSSE payload and provenance.json. */
int tb_provenance_payload(const struct tb_provenance_params *p, char **payload, size_t *len, tb_error **err);

/* The running teebuild binary's SHA-256 (the statement's builderDependencies): hashed once per
 * process (~1 ms), so a caller may compute it ahead, while a job runs. */
int tb_provenance_self_digest(char out[TB_SHA256_HEX_LEN + 1], tb_error **err);

/* RFC 3339 UTC with second precision, "2026-01-02T03:04:05Z". */
void tb_rfc3339_utc(time_t t, char out[21]);

#endif
