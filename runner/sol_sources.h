/* A source directory lowered to standard JSON "sources": every .sol file it holds and everything
 * they import, under relative source unit names with the content inline, so that solc needs no
 * file access and no host path reaches the metadata (see shared/anchors.md). */
#ifndef TB_RUNNER_SOL_SOURCES_H
#define TB_RUNNER_SOL_SOURCES_H

#include <jansson.h>

#include "common/error.h"
#include "runner/remappings.h"

/* Roots: the .sol files under src_dir, skipping hidden directories and node_modules/ everywhere,
 * and lib/, test/, tests/ at the top (dependencies and tests are compiled only when imported).
 * Imports: relative ones ("./", "../") against the importing unit's directory as solc does;
 * others through the remappings, then looked up as src_dir/PATH, src_dir/node_modules/PATH,
 * src_dir/lib/PATH. A missing import is TB_EXIT_INPUT naming the importing unit and the path. */
int sol_sources_gather(const char *src_dir, const struct remappings *remaps, json_t **sources, tb_error **err);

#endif
