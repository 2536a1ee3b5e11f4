/* The environment a job sees: cleared, then fixed, then the job's own variables over it. */
#ifndef TB_RUNNER_JOB_ENV_H
#define TB_RUNNER_JOB_ENV_H

#include "runner/job.h"

/* "KEY=VALUE" strings sorted by key, NULL-terminated, malloc'ed (free with cleanup_strv):
 * PATH=/toolchain/<name>/bin:...:/usr/bin:/bin, HOME=/tmp, TZ=UTC, LC_ALL=C.UTF-8, LANG=C.UTF-8,
 * SOURCE_DATE_EPOCH=0, each overridable by the job's env. */
char **job_env_build(const struct job_spec *spec);

#endif
