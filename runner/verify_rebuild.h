/* verify --rebuild: run the build a verified statement describes again, here, and compare every
 * subject it produces with the statement's. */
#ifndef TB_RUNNER_VERIFY_REBUILD_H
#define TB_RUNNER_VERIFY_REBUILD_H

#include <stdbool.h>

#include "runner/cli.h"

/* *ok tells whether the rebuild reproduced every subject; *detail (malloc'ed) says what differed
 * or what was compared. Returns < 0 only when the rebuild could not be attempted at all. */
int verify_rebuild(const struct tb_globals *g, const char *out, bool *ok, char **detail, tb_error **err);

#endif
