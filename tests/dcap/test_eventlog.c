/* Both dstack GetQuote responses: the event log replays to the quote's RTMR0-3, the named RTMR3
 * events are found, and a changed payload or digest is caught. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/eventlog.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "tests/dcap/tap.h"

static void check_response(const char *dir, const char *file, const char *compose_hash) {
  cleanup_free char *path = xasprintf("%s/%s", dir, file);
  cleanup_json json_t *resp = NULL;
  cleanup_json json_t *events = NULL;
  cleanup_tdx_quote struct tdx_quote *q = NULL;
  cleanup_free unsigned char *bytes = NULL;
  size_t len = 0;
  cleanup_error tb_error *err = NULL;
  if (tb_json_load_file(path, 1 << 20, &resp, &err) < 0 || tdx_quote_read_file(path, &bytes, &len, &err) < 0 ||
      tdx_quote_parse(bytes, len, &q, &err) < 0 || eventlog_parse(json_object_get(resp, "event_log"), &events, &err) < 0)
    tap_bail(err->msg);
  int ret = eventlog_check_quote(events, q, &err);
  tap_check(ret == 0, "%s: event log replays to the quote's RTMR0-3%s%s", file, err ? ": " : "", err ? err->msg : "");
  tb_error_free(&err);
  const char *ch = eventlog_find(events, "compose-hash");
  tap_check(ch && strcmp(ch, compose_hash) == 0, "%s: compose-hash event found", file);
  tap_check(eventlog_find(events, "no-such-event") == NULL, "%s: an absent event is NULL", file);
  /* An app's own event (EmitEvent, after system-ready) never answers for the CVM, even under a
   * boot event's name. */
  cleanup_json json_t *restated = json_deep_copy(events);
  json_array_append_new(restated, json_pack("{s:i, s:I, s:s, s:s, s:s}", "imr", 3, "event_type",
                                            (json_int_t)EVENTLOG_RUNTIME_EVENT, "digest", "", "event", "compose-hash",
                                            "event_payload", "ee"));
  const char *first = eventlog_find(restated, "compose-hash");
  tap_check(first && strcmp(first, compose_hash) == 0, "%s: a compose-hash emitted after system-ready is not taken",
            file);

  /* A different compose hash under the same log: RTMR3 no longer matches. */
  cleanup_json json_t *forged = json_deep_copy(events);
  size_t i;
  json_t *ev;
  json_array_foreach(forged, i, ev) {
    const char *n = json_string_value(json_object_get(ev, "event"));
    if (n && strcmp(n, "compose-hash") == 0)
      json_object_set_new(ev, "event_payload", json_string("00000000000000000000000000000000000000000000000000000000deadbeef"));
  }
  ret = eventlog_check_quote(forged, q, &err);
  tap_check(ret < 0 && strncmp(err->msg, "event-log: ", 11) == 0, "%s: forged compose-hash payload rejected: %s", file,
            err ? err->msg : "accepted");
  tb_error_free(&err);

  /* The same payload, with the event (and system-ready) retyped as boot events, whose logged
   * digests replay unchecked: RTMR3 still matches, so only refusing boot events in RTMR3 stops
   * the forged payload (or one emitted after the boot) from answering for the CVM. */
  cleanup_json json_t *retyped = json_deep_copy(forged);
  json_array_foreach(retyped, i, ev) {
    const char *n = json_string_value(json_object_get(ev, "event"));
    if (n && (strcmp(n, "compose-hash") == 0 || strcmp(n, EVENTLOG_BOOT_END) == 0))
      json_object_set_new(ev, "event_type", json_integer(1));
  }
  json_array_append_new(retyped, json_pack("{s:i, s:I, s:s, s:s, s:s}", "imr", 3, "event_type",
                                           (json_int_t)EVENTLOG_RUNTIME_EVENT, "digest", "", "event", "compose-hash",
                                           "event_payload", "ee"));
  ret = eventlog_check_quote(retyped, q, &err);
  tap_check(ret < 0 && err && strstr(err->msg, "RTMR3 holds only runtime events"),
            "%s: an RTMR3 event retyped to keep its logged digest is rejected: %s", file, err ? err->msg : "accepted");
  tb_error_free(&err);
  tap_check(eventlog_find(retyped, "compose-hash") == NULL, "%s: eventlog_find skips a retyped compose-hash", file);
}

int main(void) {
  const char *td = getenv("TB_TESTDATA");
  if (td == NULL)
    tap_bail("TB_TESTDATA is not set");
  cleanup_free char *dir = xasprintf("%s/tdx", td);
  check_response(dir, "dstack_getquote_response_tdx-lite.json",
                 "86b0e55f2fa8e4fb69d890f14f54d5612707646e2573d54e0d2ddaaade77caa9");
  check_response(dir, "dstack_getquote_response_report1234.json",
                 "3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7");
  /* That CVM's app emitted LIUM_MINER_HOTKEY after system-ready: logged, but not the CVM's word. */
  cleanup_free char *path = xasprintf("%s/dstack_getquote_response_report1234.json", dir);
  cleanup_json json_t *resp = NULL, *events = NULL;
  cleanup_error tb_error *err = NULL;
  if (tb_json_load_file(path, 1 << 20, &resp, &err) < 0 ||
      eventlog_parse(json_object_get(resp, "event_log"), &events, &err) < 0)
    tap_bail(err->msg);
  tap_check(eventlog_find(events, "LIUM_MINER_HOTKEY") == NULL && eventlog_find(events, "key-provider") != NULL,
            "an app's event after system-ready is not found; the boot's key-provider is");
  return tap_done();
}
