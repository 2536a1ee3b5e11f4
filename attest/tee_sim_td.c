#include "attest/tee_sim_td.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/eventlog.h"
#include "attest/rtmr.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/xalloc.h"

/* dstack's event type for application events extended into RTMR3. */
#define DSTACK_APP_EVENT_TYPE 0x08000001u

/* The one RTMR3 event the simulator's "boot" records: it marks every quote as simulated. */
static const char SIM_EVENT_NAME[] = "teebuild-tee-sim";
static const char SIM_EVENT_PAYLOAD[] = "simulated TEE: no hardware isolation";

/* As dstack computes it: SHA-384(event_type as u32 LE || ":" || event || ":" || payload). */
static void sim_event_digest(unsigned char out[TB_SHA384_LEN]) {
  uint32_t type = DSTACK_APP_EVENT_TYPE;
  unsigned char le[4] = {(unsigned char)type, (unsigned char)(type >> 8), (unsigned char)(type >> 16),
                         (unsigned char)(type >> 24)};
  cleanup_free char *text = xasprintf(":%s:%s", SIM_EVENT_NAME, SIM_EVENT_PAYLOAD);
  tb_sha384_2(le, sizeof(le), text, strlen(text), out);
}

/* The simulated TD has no boot events, so RTMR0-2 stay zero and RTMR3 holds the one runtime event:
 * replaying the log reproduces every register, as with a real dstack agent. */
void tb_tee_sim_measurements(struct sim_td_measurements *m) {
  static const char MRTD_LABEL[] = "teebuild tee-sim MRTD";
  tb_sha384_2(MRTD_LABEL, strlen(MRTD_LABEL), NULL, 0, m->mr_td);
  cleanup_json json_t *log = tb_tee_sim_event_log();
  if (eventlog_replay(log, m->rtmr, NULL) < 0)
    abort(); /* our own log is well-formed */
}

json_t *tb_tee_sim_event_log(void) {
  unsigned char digest[TB_SHA384_LEN];
  char digest_hex[2 * TB_SHA384_LEN + 1];
  sim_event_digest(digest);
  tb_hex_encode(digest, sizeof(digest), digest_hex);
  cleanup_free char *payload_hex = xmalloc(2 * strlen(SIM_EVENT_PAYLOAD) + 1);
  tb_hex_encode((const unsigned char *)SIM_EVENT_PAYLOAD, strlen(SIM_EVENT_PAYLOAD), payload_hex);
  return json_pack("[{s:i, s:I, s:s, s:s, s:s}]", "imr", 3, "event_type", (json_int_t)DSTACK_APP_EVENT_TYPE,
                   "digest", digest_hex, "event", SIM_EVENT_NAME, "event_payload", payload_hex);
}
