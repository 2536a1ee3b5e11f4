/* Slither's JSON report (--json): whether the analysis succeeded, and its findings counted by
 * impact against an audit's --fail-on level. */
#ifndef TB_RUNNER_SLITHER_REPORT_H
#define TB_RUNNER_SLITHER_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Slither's impacts, most severe first. */
enum slither_impact {
  SLITHER_HIGH,
  SLITHER_MEDIUM,
  SLITHER_LOW,
  SLITHER_INFORMATIONAL,
  SLITHER_OPTIMIZATION,
  SLITHER_N_IMPACTS,
};

/* --fail-on none: no finding fails the audit. */
#define SLITHER_FAIL_NONE (-1)

struct slither_counts {
  size_t by_impact[SLITHER_N_IMPACTS];
  size_t total;
};

/* "high|medium|low|informational|none" to the least severe impact that fails the audit
 * (informational takes optimization findings along, as Slither's own --fail-pedantic does), or
 * SLITHER_FAIL_NONE. Returns -1 for anything else. */
int slither_fail_level_parse(const char *text, int *level);

/* Read the report at path. 0 with counts when Slither succeeded; 1 with *slither_error (Slither's
 * own message, malloc'ed) when it reports "success": false; < 0 with *err when the file is missing
 * or is not a Slither report. */
int slither_report_read(const char *path, struct slither_counts *counts, char **slither_error, tb_error **err);

/* Findings at or above level. */
size_t slither_failing(const struct slither_counts *counts, int level);

/* {"high": n, "medium": n, "low": n, "informational": n, "optimization": n} */
json_t *slither_counts_json(const struct slither_counts *counts);

#endif
