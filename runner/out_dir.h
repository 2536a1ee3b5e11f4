/* The output directory is assembled beside OUT ("OUT.tmp-XXXXXX") and renamed into place only when
 * complete, so OUT is never seen half-written, and an OUT that holds anything is never touched
 * unless the user asked for it to be replaced. */
#ifndef TB_RUNNER_OUT_DIR_H
#define TB_RUNNER_OUT_DIR_H

#include <stdbool.h>

#include "common/error.h"

/* Refuse (TB_EXIT_INPUT) an OUT that is not a directory, or is non-empty without force. */
int out_dir_check(const char *out, bool force, tb_error **err);

/* Make "OUT.tmp-XXXXXX" (and OUT's parent) with empty artifacts/ and logs/; *staging malloc'ed. */
int out_dir_stage(const char *out, char **staging, tb_error **err);

/* Move staging into place. Without force OUT must be missing or empty (the kernel checks that
 * atomically); with force an existing OUT is exchanged with staging in one step, then removed. */
int out_dir_commit(const char *staging, const char *out, bool force, tb_error **err);

#endif
