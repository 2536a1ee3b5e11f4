/* Inputs are copied, not bound: the copy is what the jail sees at /src, and each file is digested
 * while it is copied, so the digests recorded are of exactly those bytes. */
#ifndef TB_RUNNER_STAGE_INPUTS_H
#define TB_RUNNER_STAGE_INPUTS_H

#include <stddef.h>

#include "common/error.h"
#include "runner/job.h"

/* Copy the tree at src into the existing empty directory dst: directories and regular files only,
 * modes normalised (0755 for directories and files with any execute bit, else 0644), symlinks to
 * regular files inside the tree copied as files; symlinks leaving the tree, symlinks to
 * directories and special files are refused (TB_EXIT_INPUT). *inputs is sorted by name. */
int stage_inputs(const char *src, const char *dst, struct job_input **inputs, size_t *n, tb_error **err);

void job_inputs_free(struct job_input *inputs, size_t n);

#endif
