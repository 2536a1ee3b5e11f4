/* The fields the seed's `build --json` carried, kept for its users, added to design.md's result. */
#ifndef TB_RUNNER_BUILD_RESULT_H
#define TB_RUNNER_BUILD_RESULT_H

#include <jansson.h>

/* Add to result, from what is in out_dir:
 *   "artifacts":        {"<source>:<Contract>": {"bytecode": "0x..", "hash": sha256 hex of the bytecode}}
 *   "solcVersion":      the solc the build used
 *   "buildHash":        SHA-256 of provenance.json, the signed statement (first half of reportData)
 *   "teeProvider":      the provider that attested it
 *   "attestationQuote": the quote, lowercase hex ("" without one)
 * Fields whose source is missing (e.g. a failed compilation) are left out. */
void build_result_extend(json_t *result, const char *out_dir);

#endif
