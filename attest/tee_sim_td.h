/* The simulated TD's measurements and the event log that replays to its RTMR3, shared by the
 * simulator's GetQuote and Info replies so that they agree with the quotes it makes. */
#ifndef TB_ATTEST_TEE_SIM_TD_H
#define TB_ATTEST_TEE_SIM_TD_H

#include <jansson.h>

#include "attest/sim_quote.h"

/* Fixed, recognisable measurements; RTMR3 is the replay of tb_tee_sim_event_log(). */
void tb_tee_sim_measurements(struct sim_td_measurements *m);
/* dstack's event-log shape: [{"imr", "event_type", "digest", "event", "event_payload"}]. */
json_t *tb_tee_sim_event_log(void);

#endif
