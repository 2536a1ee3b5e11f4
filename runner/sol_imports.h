/* The import paths a Solidity source names, found with a small lexer that skips comments and
 * string literals, so commented-out imports and "import" inside strings are not followed. */
#ifndef TB_RUNNER_SOL_IMPORTS_H
#define TB_RUNNER_SOL_IMPORTS_H

#include <stddef.h>

/* The path of every import directive, in source order: the first string literal after the
 * keyword `import` (that covers `import "p";`, `import "p" as X;`, `import * as X from "p";` and
 * `import {a, b as c} from "p";`). NULL-terminated, malloc'ed (free with cleanup_strv). */
char **sol_imports(const char *src, size_t len);

#endif
