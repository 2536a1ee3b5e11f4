/* What `build` makes of solc's standard-JSON output: per-contract artifacts and a Hardhat-style
 * build-info, so Slither, Hardhat and Foundry users read OUT directly. solc's output comes from
 * inside the jail and is treated as untrusted: names that would leave artifacts/ are refused. */
#ifndef TB_RUNNER_SOLC_ARTIFACTS_H
#define TB_RUNNER_SOLC_ARTIFACTS_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

/* The number of errors of severity "error", and their formattedMessage texts one after the other
 * (*details malloc'ed, NULL when there are none). */
size_t solc_output_errors(const json_t *output, char **details);

/* Write artifacts/<unit>/<Contract>.json for each contract of a unit in input, and
 * artifacts/build-info/<id>.json. input_bytes are exactly what solc read (the id derives from
 * them); default_version is used when no contract metadata names the compiler. */
int solc_write_artifacts(const char *artifacts_dir, const json_t *input, const char *input_bytes, size_t input_len,
                         const json_t *output, const char *default_version, tb_error **err);

#endif
