/* crytic-compile's "archive" export made from a build's standard JSON, so Slither analyses exactly
 * what was compiled without ever running solc itself (anchors.md, "Slither"). */
#ifndef TB_RUNNER_SLITHER_ARCHIVE_H
#define TB_RUNNER_SLITHER_ARCHIVE_H

#include <jansson.h>

#include "common/error.h"

/* The fixed virtual root the sources are placed under: the jail's /src, where the archive lies. */
#define SLITHER_ARCHIVE_ROOT "/src"
/* crytic-compile recognises an archive by this file name suffix. */
#define SLITHER_ARCHIVE_NAME "build_export_archive.json"

/* The solc version ("0.8.24") a standard-JSON output was made with, read from the metadata of its
 * contracts (the output's "contracts"). *version is malloc'ed. TB_EXIT_INPUT when no contract
 * carries metadata. */
int slither_archive_solc_version(const json_t *contracts_out, char **version, tb_error **err);

/* A build's standard-JSON input and output as read once from BUILD/artifacts: the archive is made
 * from these bytes, and an audit checks their digests against the statement it verified, so that
 * Slither reads exactly what was verified. */
struct slither_build_json {
  char *input, *output;
  size_t input_len, output_len;
};

#define SLITHER_SOLC_INPUT "artifacts/solc-input.json"
#define SLITHER_SOLC_OUTPUT "artifacts/solc-output.json"

int slither_build_json_read(const char *build_dir, struct slither_build_json *json, tb_error **err);
void slither_build_json_clear(struct slither_build_json *json);

/* Write the archive of JSON to DEST_DIR/SLITHER_ARCHIVE_NAME: one standard-JSON compilation, every
 * source the output has an AST for given inline ("content") in the input (TB_EXIT_INPUT naming what
 * is missing). BUILD_DIR only names it in errors. */
int slither_archive_write(const struct slither_build_json *json, const char *build_dir, const char *dest_dir,
                          tb_error **err);

#endif
