/* What `build` makes of solc's standard-JSON output: per-contract artifacts and a Hardhat-style
 * build-info, so Slither, Hardhat and Foundry users read OUT directly. solc's output comes from
 * inside the jail and is treated as untrusted: names that would leave artifacts/ are refused. */
#ifndef TB_RUNNER_SOLC_ARTIFACTS_H
#define TB_RUNNER_SOLC_ARTIFACTS_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"
#include "common/json.h"

/* Judge solc's output (its text: never parsed as a whole) and write what it makes:
 * artifacts/build-info/<id>.json, then artifacts/<unit>/<Contract>.json for each contract of a
 * unit in input. Returns 1 with *failure when the output is not JSON or reports errors of
 * severity "error" (*details: their formattedMessage texts one after the other, malloc'ed;
 * nothing is written then). input_bytes are exactly what solc read (the id derives from them);
 * default_version is used when no contract metadata names the compiler. */
int solc_collect_output(const char *artifacts_dir, struct tb_json_text output, const json_t *input,
                        const char *input_bytes, size_t input_len, const char *default_version, tb_error **failure,
                        char **details, tb_error **err);

#endif
