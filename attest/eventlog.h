/* dstack event logs (the "event_log" of a GetQuote response): replaying them to RTMR0-3 and reading
 * the named runtime events dstack extends into RTMR3 (compose-hash, os-image-hash, app-id, ...).
 *
 * Each event is {"imr", "event_type", "digest", "event", "event_payload"}. Boot events carry only a
 * digest. Runtime events (event_type 0x08000001) are measured as
 * SHA-384(le32(event_type) || ":" || event || ":" || payload); their digest is recomputed from the
 * name and payload (and must equal the logged one when present), so a payload can never be swapped
 * under a genuine digest. */
#ifndef TB_ATTEST_EVENTLOG_H
#define TB_ATTEST_EVENTLOG_H

#include <jansson.h>

#include "attest/quote_tdx.h"
#include "common/error.h"

#define EVENTLOG_RUNTIME_EVENT 0x08000001u
/* The RTMR3 event dstack's boot ends with; what an app emits (EmitEvent) comes after it. */
#define EVENTLOG_BOOT_END "system-ready"

/* Accepts the log as a JSON array or as a string holding one (dstack sends the latter). The
 * returned reference is owned by the caller. */
int eventlog_parse(const json_t *log, json_t **events, tb_error **err);

/* Replay every event into rtmr[imr] (each starts at zero; mr = SHA-384(mr || digest)). */
int eventlog_replay(const json_t *events, unsigned char rtmr[4][48], tb_error **err);

/* Replay and compare with the quote's RTMR0-3; fails "event-log: RTMR<i> ..." naming the register. */
int eventlog_check_quote(const json_t *events, const struct tdx_quote *q, tb_error **err);

/* The payload (hex, as logged) of the first RTMR3 runtime event called name before
 * EVENTLOG_BOOT_END (as dstack's own verifier reads its logs), so an app cannot restate its
 * identity with EmitEvent; NULL when absent. Logs without that event (tdx-lite) are searched
 * whole. The payload is bound only once eventlog_check_quote has passed on the same log. */
const char *eventlog_find(const json_t *events, const char *name);

#endif
