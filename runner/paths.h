/* Path rules shared by the job file, the build's source gathering and the output directory. */
#ifndef TB_RUNNER_PATHS_H
#define TB_RUNNER_PATHS_H

#include <stdbool.h>

/* True for a non-empty relative path whose components are all ordinary names (no "", ".", ".."):
 * joined to a root, it can only name something below that root. */
bool path_is_contained(const char *rel);

/* The directory part of path ("." for a bare name, "/" for "/x"), malloc'ed. */
char *path_dirname(const char *path);

/* path made absolute against the current directory (not resolved: symlinks stay), trailing
 * slashes removed, malloc'ed. */
char *path_absolute(const char *path);

#endif
