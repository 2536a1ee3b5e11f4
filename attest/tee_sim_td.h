/* The simulated TD: its app identity, its measurements and the event log that replays to its
 * RTMR3, shared by the simulator's GetQuote, Info and GetKey replies so that they agree with the
 * quotes it makes. */
#ifndef TB_ATTEST_TEE_SIM_TD_H
#define TB_ATTEST_TEE_SIM_TD_H

#include <jansson.h>

#include "attest/sim_quote.h"

/* What dstack's Info reports and its boot measures into RTMR3, with recognisably simulated values
 * (each is a hash of a label saying "tee-sim"). */
struct tb_tee_sim_app {
  unsigned char app_id[20];
  unsigned char instance_id[20];
  unsigned char compose_hash[32];
  unsigned char os_image_hash[32];
};
void tb_tee_sim_app(struct tb_tee_sim_app *app);

/* A fixed, recognisable MRTD; RTMR0-3 the replay of log. */
void tb_tee_sim_measurements(const json_t *log, struct sim_td_measurements *m);
/* The log as the simulated TD boots, in dstack's shape [{"imr", "event_type", "digest", "event",
 * "event_payload"}]: the app's identity events, one marking the TD as simulated, and system-ready
 * (EVENTLOG_BOOT_END), after which the app's own events (EmitEvent) follow. */
json_t *tb_tee_sim_boot_log(void);
/* One RTMR3 runtime event as dstack logs it: payload in hex, digest as dstack measures it. */
json_t *tb_tee_sim_runtime_event(const char *name, const unsigned char *payload, size_t len);

#endif
