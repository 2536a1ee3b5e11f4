/* The job's toolchains checked against their install-time seals (store_check_sealed) while the
 * job runs: the check reads lstat data only, ~5 ms for Slither's 5,600 files, and the job's own
 * time hides it. A job whose toolchain tree changed fails when it ends, before anything of it is
 * kept or attested (exit 3, naming both tree digests). */
#ifndef TB_RUNNER_TOOLCHAIN_CHECK_H
#define TB_RUNNER_TOOLCHAIN_CHECK_H

#include <pthread.h>
#include <stdbool.h>

#include "common/error.h"

struct job_record;

struct toolchain_check {
  const struct job_record *rec;
  pthread_t thread;
  bool started, done;
  int ret;
  tb_error *err;
};

/* Start checking c->rec's toolchains on a thread of its own (once the jail is up: no thread of
 * ours may be alive when it starts). */
void toolchain_check_start(struct toolchain_check *c);
/* Its outcome; checks here and now if no thread ran it. */
int toolchain_check_finish(struct toolchain_check *c, tb_error **err);
/* Wait for a started check and free what it holds. */
void toolchain_check_clear(struct toolchain_check *c);

#endif
