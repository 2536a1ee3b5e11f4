/* Import remappings as solc applies them ("[context:]prefix=target", from remappings.txt). */
#ifndef TB_RUNNER_REMAPPINGS_H
#define TB_RUNNER_REMAPPINGS_H

#include <jansson.h>

#include "common/error.h"

struct remapping {
  char *context, *prefix, *target;
};

struct remappings {
  struct remapping *v;
  size_t n;
};

/* Read path if it exists (a missing file is no remappings). One remapping a line; blank lines
 * are skipped. TB_EXIT_INPUT naming the line when one has no "prefix=" (out is then empty). */
int remappings_load(const char *path, struct remappings *out, tb_error **err);
void remappings_clear(struct remappings *r);

/* Apply the remapping solc would pick for an import in unit `importer`: the longest matching
 * context, then the longest matching prefix. Returns a malloc'ed path (unchanged if none match). */
char *remappings_apply(const struct remappings *r, const char *importer, const char *path);

/* The remappings as solc's settings.remappings wants them, in file order. */
json_t *remappings_json(const struct remappings *r);

#endif
