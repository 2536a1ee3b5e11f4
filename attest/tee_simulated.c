/* Provider "simulated": start a private tee-sim on a temporary socket and talk to it with the
 * dstack client, so the simulated path exercises the same client code as a real dstack agent. */
#include <stdlib.h>

#include "attest/tee_dstack.h"
#include "attest/tee_sim.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

struct simulated {
  char *dir; /* private temp dir holding the socket */
  char *socket_path;
  struct tb_tee_sim *sim;
};

static bool simulated_available(const struct tb_tee_config *cfg) { return cfg->sim_dir != NULL; }

static void simulated_close(void *state) {
  struct simulated *s = state;
  if (s == NULL)
    return;
  tb_tee_sim_stop(s->sim);
  cleanup_error tb_error *err = NULL;
  if (s->dir)
    tb_rm_rf(s->dir, &err);
  free(s->socket_path);
  free(s->dir);
  free(s);
}

static int simulated_open(const struct tb_tee_config *cfg, void **state, tb_error **err) {
  if (cfg->sim_dir == NULL)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "no simulation root directory given");
  const char *tmp = getenv("TMPDIR");
  struct simulated *s = xcalloc(1, sizeof(*s));
  int ret = tb_mkdtemp_in(tmp && *tmp ? tmp : "/tmp", "teebuild-sim-", &s->dir, err);
  if (ret == 0) {
    s->socket_path = xasprintf("%s/dstack.sock", s->dir);
    ret = tb_tee_sim_start(s->socket_path, cfg->sim_dir, &s->sim, err);
  }
  if (ret < 0) {
    simulated_close(s);
    return ret;
  }
  *state = s;
  return 0;
}

static int simulated_quote(void *state, const unsigned char report_data[TB_REPORT_DATA_LEN],
                           struct tb_tee_evidence *out, tb_error **err) {
  struct simulated *s = state;
  return tb_dstack_get_quote(s->socket_path, report_data, out, err);
}

static int simulated_info(void *state, json_t **reply, tb_error **err) {
  return tb_dstack_info(((struct simulated *)state)->socket_path, reply, err);
}

static int simulated_get_key(void *state, const char *path, const char *purpose, json_t **reply, tb_error **err) {
  return tb_dstack_get_key(((struct simulated *)state)->socket_path, path, purpose, reply, err);
}

const struct tb_tee_ops tb_tee_simulated_ops = {.name = "simulated",
                                                .available = simulated_available,
                                                .open = simulated_open,
                                                .quote = simulated_quote,
                                                .close = simulated_close,
                                                .info = simulated_info,
                                                .get_key = simulated_get_key};
