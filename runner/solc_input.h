/* The standard-JSON input teebuild gives solc: from a source directory and command-line settings,
 * or from a user's own standard JSON; either way self-contained and asking for every output the
 * artifacts and the audit need. */
#ifndef TB_RUNNER_SOLC_INPUT_H
#define TB_RUNNER_SOLC_INPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

struct solc_settings {
  bool optimize;
  long optimize_runs; /* 200 unless given */
  const char *evm_version; /* NULL: solc's default */
  bool via_ir;
  bool storage_layout;
};

int solc_input_from_dir(const char *src_dir, const struct solc_settings *s, json_t **input, tb_error **err);

/* Every source must carry inline "content" under a relative unit name (the jail has no files to
 * read and the unit names become artifact paths). The outputs teebuild needs are added to
 * settings.outputSelection, so solc's input differs from the file: sha256 gets the digest of the
 * file's bytes as read (the ones parsed), which the provenance records as the user gave it. */
int solc_input_from_file(const char *path, bool storage_layout, json_t **input, char sha256[65], tb_error **err);

#endif
