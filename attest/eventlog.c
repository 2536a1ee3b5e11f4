/* dstack event log replay. */
#include "attest/eventlog.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attest/rtmr.h"
#include "common/cleanup.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define LOG_ERR(err, ...) tb_error_set(err, TB_EXIT_VERIFY, 0, "event-log: " __VA_ARGS__)

int eventlog_parse(const json_t *log, json_t **events, tb_error **err) {
  if (json_is_array(log)) {
    *events = json_incref((json_t *)log);
    return 0;
  }
  if (!json_is_string(log))
    return LOG_ERR(err, "neither a JSON array nor a string holding one");
  int ret = tb_json_load_buf("event log", json_string_value(log), json_string_length(log), events, err);
  if (ret < 0)
    return tb_error_wrap(err, "event-log");
  if (!json_is_array(*events)) {
    json_decref(*events);
    return LOG_ERR(err, "the string does not hold a JSON array");
  }
  return 0;
}

/* SHA-384(le32(type) ":" name ":" payload): how dstack measures a runtime event. */
static int runtime_digest(const json_t *ev, uint32_t type, unsigned char out[48], size_t i, tb_error **err) {
  const char *name = json_string_value(json_object_get(ev, "event"));
  const char *hex = json_string_value(json_object_get(ev, "event_payload"));
  if (name == NULL || hex == NULL || strlen(hex) % 2)
    return LOG_ERR(err, "event %zu: runtime event without \"event\" and hex \"event_payload\"", i);
  size_t plen = strlen(hex) / 2, nlen = strlen(name);
  cleanup_free unsigned char *msg = xmalloc(4 + 1 + nlen + 1 + plen + 1);
  unsigned char *p = msg;
  for (int b = 0; b < 4; b++)
    *p++ = (unsigned char)(type >> (8 * b));
  *p++ = ':';
  memcpy(p, name, nlen);
  p += nlen;
  *p++ = ':';
  if (tb_hex_decode(hex, p, plen) < 0)
    return LOG_ERR(err, "event %zu (%s): \"event_payload\" is not hex", i, name);
  tb_sha384_2(msg, (size_t)(p + plen - msg), NULL, 0, out);
  return 0;
}

/* The digest an event extends its register with, checked against the logged one where both exist. */
static int event_digest(const json_t *ev, size_t i, json_int_t imr, unsigned char out[48], tb_error **err) {
  const char *logged = json_string_value(json_object_get(ev, "digest"));
  const json_t *type = json_object_get(ev, "event_type");
  unsigned char given[48];
  int have = logged && *logged;
  if (have && (strlen(logged) != 96 || tb_hex_decode(logged, given, 48) < 0))
    return LOG_ERR(err, "event %zu: \"digest\" is not 48 bytes of hex", i);
  bool runtime = json_is_integer(type) && json_integer_value(type) == EVENTLOG_RUNTIME_EVENT;
  /* A boot event's digest can only be taken as logged, so it must not stand in RTMR3, where the
   * names and payloads that policies read (compose-hash, app-id, ...) are measured: one there
   * would carry a payload nothing binds. dstack puts only runtime events in RTMR3. */
  if (!runtime && imr == 3)
    return LOG_ERR(err, "event %zu: RTMR3 holds only runtime events (type 0x%08x)", i, EVENTLOG_RUNTIME_EVENT);
  if (!runtime) {
    if (!have)
      return LOG_ERR(err, "event %zu: boot event without a digest", i);
    memcpy(out, given, 48);
    return 0;
  }
  int ret = runtime_digest(ev, EVENTLOG_RUNTIME_EVENT, out, i, err);
  if (ret == 0 && have && memcmp(out, given, 48) != 0)
    return LOG_ERR(err, "event %zu (%s): digest does not match its name and payload", i,
                   json_string_value(json_object_get(ev, "event")));
  return ret;
}

int eventlog_replay(const json_t *events, unsigned char rtmr[4][48], tb_error **err) {
  memset(rtmr, 0, sizeof(unsigned char[4][48]));
  size_t i;
  const json_t *ev;
  json_array_foreach(events, i, ev) {
    json_int_t imr = json_integer_value(json_object_get(ev, "imr"));
    if (!json_is_integer(json_object_get(ev, "imr")) || imr < 0 || imr > 3)
      return LOG_ERR(err, "event %zu: \"imr\" is not 0..3", i);
    unsigned char digest[48];
    int ret = event_digest(ev, i, imr, digest, err);
    if (ret < 0)
      return ret;
    tb_sha384_2(rtmr[imr], 48, digest, 48, rtmr[imr]);
  }
  return 0;
}

int eventlog_check_quote(const json_t *events, const struct tdx_quote *q, tb_error **err) {
  unsigned char rtmr[4][48];
  int ret = eventlog_replay(events, rtmr, err);
  if (ret < 0)
    return ret;
  for (int i = 0; i < 4; i++) {
    if (memcmp(rtmr[i], q->body.rtmr[i], 48) == 0)
      continue;
    char got[97], want[97];
    tb_hex_encode(rtmr[i], 48, got);
    tb_hex_encode(q->body.rtmr[i], 48, want);
    return LOG_ERR(err, "RTMR%d replays to %s, the quote has %s", i, got, want);
  }
  return 0;
}

/* An app may extend RTMR3 itself (EmitEvent) with any name once the CVM is up: only events before
 * the boot's end speak for the CVM, and the first is the boot's own. */
const char *eventlog_find(const json_t *events, const char *name) {
  size_t i;
  const json_t *ev;
  json_array_foreach(events, i, ev) {
    const char *n = json_string_value(json_object_get(ev, "event"));
    if (json_integer_value(json_object_get(ev, "imr")) != 3)
      continue;
    /* eventlog_replay refuses such a log; a caller that skipped it gets no answer from it either */
    if (n == NULL || json_integer_value(json_object_get(ev, "event_type")) != EVENTLOG_RUNTIME_EVENT)
      return NULL;
    if (strcmp(n, name) == 0)
      return json_string_value(json_object_get(ev, "event_payload"));
    if (strcmp(n, EVENTLOG_BOOT_END) == 0)
      return NULL;
  }
  return NULL;
}
