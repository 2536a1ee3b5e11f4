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
 * contracts. *version is malloc'ed. TB_EXIT_INPUT when no contract carries metadata. */
int slither_archive_solc_version(const json_t *solc_output, char **version, tb_error **err);

/* The archive for one standard-JSON compilation. Every source the output has an AST for must be
 * given inline ("content") in the input. TB_EXIT_INPUT naming what is missing. */
int slither_archive_make(const json_t *solc_input, const json_t *solc_output, json_t **archive, tb_error **err);

/* Read BUILD/artifacts/solc-input.json and solc-output.json and write the archive to
 * DEST_DIR/SLITHER_ARCHIVE_NAME. */
int slither_archive_write(const char *build_dir, const char *dest_dir, tb_error **err);

#endif
