#include "runner/toolchain_check.h"

#include "common/cleanup.h"
#include "runner/job.h"
#include "toolchains/store.h"

static void *check_all(void *opaque) {
  struct toolchain_check *c = opaque;
  for (size_t i = 0; c->ret == 0 && i < c->rec->n_toolchains; i++) {
    const struct job_toolchain *t = &c->rec->toolchains[i];
    if ((c->ret = store_check_sealed(&t->info, &c->err)) < 0)
      c->ret = tb_error_wrap(&c->err, "toolchain \"%s\"", t->name);
  }
  c->done = true;
  return NULL;
}

void toolchain_check_start(struct toolchain_check *c) {
  c->started = pthread_create(&c->thread, NULL, check_all, c) == 0;
}

static void join(struct toolchain_check *c) {
  if (c->started)
    pthread_join(c->thread, NULL);
  c->started = false;
}

int toolchain_check_finish(struct toolchain_check *c, tb_error **err) {
  join(c);
  if (!c->done)
    check_all(c);
  if (c->ret < 0 && *err == NULL)
    *err = steal_pointer(&c->err);
  return c->ret;
}

void toolchain_check_clear(struct toolchain_check *c) {
  join(c);
  tb_error_free(&c->err);
}
