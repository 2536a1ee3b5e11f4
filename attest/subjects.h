/* The subjects of a job's provenance: every regular file under OUT/artifacts and OUT/logs, named
 * relative to OUT ('/'-separated), with its SHA-256, sorted by name (bytewise). Both the signer and
 * the verifier list them with this one walk, so they cannot disagree on what counts. */
#ifndef TB_ATTEST_SUBJECTS_H
#define TB_ATTEST_SUBJECTS_H

#include <jansson.h>

#include "common/error.h"

/* [{"name": "artifacts/x", "digest": {"sha256": hex}}...]. Anything but regular files and
 * directories (symlinks, devices, fifos) is refused: a subject must be plain bytes. */
int tb_subjects_collect(const char *out_dir, json_t **subjects, tb_error **err);

/* The subjects a statement lists, as an object name -> sha256 hex (a JSON string), in the
 * statement's order. A subject without a name or a sha256 is refused, naming its index
 * (TB_EXIT_INPUT). Whoever reads a statement's subjects (verify, audit, reprotest) reads them here. */
int tb_subjects_listed(const json_t *statement, json_t **by_name, tb_error **err);

#endif
