/* Outputs chained to other outputs (an audit to the build it read): verify checks that the linked
 * OUT still holds exactly what was read. */
#ifndef TB_ATTEST_LINKS_H
#define TB_ATTEST_LINKS_H

#include <jansson.h>

#include "common/error.h"

/* A statement links to another teebuild OUT through a resolvedDependency named
 * "<prefix>/teebuild.bundle.json" annotated {"out": DIR}, DIR relative to the linking OUT; the
 * dependencies named "<prefix>/<file>" are that OUT's files as they were read. */
#define TB_LINK_OUT_ANNOTATION "out"

enum tb_links_result { TB_LINKS_NONE, TB_LINKS_OK, TB_LINKS_BROKEN };

/* Check every link of the statement made for out_dir. *detail (malloc'ed) says what was checked
 * or the first difference, naming the link ("build: ../b/artifacts/x.json: sha256 ..."). */
enum tb_links_result tb_links_check(const char *out_dir, const json_t *statement, char **detail);

#endif
