/* A dstack GetQuote response's event log: parsed, replayed and checked against the real quote of
 * the same response. */
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>

#include "attest/eventlog.h"
#include "attest/quote_tdx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct tdx_quote *quote = fuzz_sample_quote("dstack_getquote_response_tdx-lite.json");
  tb_error *err = NULL;
  json_t *log = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  json_t *events = NULL;
  if (log && eventlog_parse(log, &events, &err) == 0) {
    unsigned char rtmr[4][48];
    if (eventlog_replay(events, rtmr, &err) < 0)
      tb_error_free(&err);
    (void)eventlog_check_quote(events, quote, &err);
    json_decref(events);
  }
  json_decref(log);
  tb_error_free(&err);
  return 0;
}
