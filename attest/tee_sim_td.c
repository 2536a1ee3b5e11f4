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

static const char SIM_EVENT_NAME[] = "teebuild-tee-sim";
static const char SIM_EVENT_PAYLOAD[] = "simulated TEE: no hardware isolation";

static void sim_value(const char *what, unsigned char *out, size_t len) {
  unsigned char digest[TB_SHA256_LEN];
  cleanup_free char *label = xasprintf("teebuild tee-sim %s", what);
  tb_sha256_buf(label, strlen(label), digest);
  memcpy(out, digest, len);
}

void tb_tee_sim_app(struct tb_tee_sim_app *app) {
  sim_value("app-id", app->app_id, sizeof(app->app_id));
  sim_value("instance-id", app->instance_id, sizeof(app->instance_id));
  sim_value("compose-hash", app->compose_hash, sizeof(app->compose_hash));
  sim_value("os-image-hash", app->os_image_hash, sizeof(app->os_image_hash));
}

/* As dstack computes it: SHA-384(event_type as u32 LE || ":" || event || ":" || payload). */
json_t *tb_tee_sim_runtime_event(const char *name, const unsigned char *payload, size_t len) {
  uint32_t type = DSTACK_APP_EVENT_TYPE;
  unsigned char le[4] = {(unsigned char)type, (unsigned char)(type >> 8), (unsigned char)(type >> 16),
                         (unsigned char)(type >> 24)};
  cleanup_free char *text = xmalloc(strlen(name) + len + 3);
  size_t n = (size_t)sprintf(text, ":%s:", name);
  memcpy(text + n, payload, len);
  unsigned char digest[TB_SHA384_LEN];
  char digest_hex[2 * TB_SHA384_LEN + 1];
  tb_sha384_2(le, sizeof(le), text, n + len, digest);
  tb_hex_encode(digest, sizeof(digest), digest_hex);
  cleanup_free char *payload_hex = xmalloc(2 * len + 1);
  tb_hex_encode(payload, len, payload_hex);
  return json_pack("{s:i, s:I, s:s, s:s, s:s}", "imr", 3, "event_type", (json_int_t)DSTACK_APP_EVENT_TYPE, "digest",
                   digest_hex, "event", name, "event_payload", payload_hex);
}

/* The simulated TD has no boot events, so RTMR0-2 stay zero and RTMR3 holds the runtime events:
 * replaying the log reproduces every register, as with a real dstack agent. */
void tb_tee_sim_measurements(const json_t *log, struct sim_td_measurements *m) {
  static const char MRTD_LABEL[] = "teebuild tee-sim MRTD";
  tb_sha384_2(MRTD_LABEL, strlen(MRTD_LABEL), NULL, 0, m->mr_td);
  if (eventlog_replay(log, m->rtmr, NULL) < 0)
    abort(); /* our own log is well-formed */
}

json_t *tb_tee_sim_boot_log(void) {
  struct tb_tee_sim_app app;
  tb_tee_sim_app(&app);
  return json_pack("[o, o, o, o, o, o]", tb_tee_sim_runtime_event("app-id", app.app_id, sizeof(app.app_id)),
                   tb_tee_sim_runtime_event("compose-hash", app.compose_hash, sizeof(app.compose_hash)),
                   tb_tee_sim_runtime_event("instance-id", app.instance_id, sizeof(app.instance_id)),
                   tb_tee_sim_runtime_event("os-image-hash", app.os_image_hash, sizeof(app.os_image_hash)),
                   tb_tee_sim_runtime_event(SIM_EVENT_NAME, (const unsigned char *)SIM_EVENT_PAYLOAD,
                                            strlen(SIM_EVENT_PAYLOAD)),
                   tb_tee_sim_runtime_event(EVENTLOG_BOOT_END, (const unsigned char *)"", 0));
}
