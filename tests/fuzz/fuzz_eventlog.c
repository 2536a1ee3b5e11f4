/* A dstack GetQuote response's event log: parsed, replayed and checked against the real quote of
 * the same response. */
#include "fuzz.h"

#include <jansson.h>
#include <stdlib.h>

#include "attest/eventlog.h"
#include "attest/quote_tdx.h"

static struct tdx_quote *quote;
static unsigned char *raw; /* the parsed quote points into it */

static void release(void) {
  tdx_quote_free(quote);
  free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tb_error *err = NULL;
  if (quote == NULL) {
    size_t len = 0, raw_len = 0;
    char *response = fuzz_sample("dstack_getquote_response_tdx-lite.json", &len);
    if (tdx_quote_decode_input(response, len, &raw, &raw_len, &err) < 0 ||
        tdx_quote_parse(raw, raw_len, &quote, &err) < 0 || atexit(release) != 0)
      abort();
    free(response);
  }
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
