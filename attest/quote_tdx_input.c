/* Turning what a user hands us (a file of binary, hex, 0x-hex, or a GetQuote JSON response) into
 * quote bytes. */
#include <ctype.h>
#include <string.h>

#include "attest/quote_tdx.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/xalloc.h"

#define MAX_QUOTE_FILE (16u << 20)

/* The hex digits of s after an optional 0x, line wrapping and other whitespace dropped; NULL when
 * s holds anything else or an odd number of digits (then it is not hex text). */
static char *hex_digits(const char *s, size_t len) {
  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    len -= 2;
  }
  char *out = xmalloc(len + 1);
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isxdigit(c)) {
      out[n++] = (char)c;
    } else if (!isspace(c)) {
      free(out);
      return NULL;
    }
  }
  out[n] = '\0';
  if (n == 0 || n % 2) {
    free(out);
    return NULL;
  }
  return out;
}

static void decode_digits(const char *digits, unsigned char **out, size_t *out_len) {
  size_t n = strlen(digits) / 2;
  *out = xmalloc(n);
  (void)tb_hex_decode(digits, *out, n); /* cannot fail: hex_digits checked every character */
  *out_len = n;
}

/* dstack GetQuote and tappd TdxQuote responses both carry the quote as hex under "quote". */
static int decode_json_response(const char *s, size_t len, unsigned char **out, size_t *out_len, tb_error **err) {
  cleanup_json json_t *j = NULL;
  const char *hex = NULL;
  int ret = tb_json_load_buf("quote response", s, len, &j, err);
  if (ret == 0)
    ret = tb_json_get_string(j, "quote", &hex, err);
  if (ret < 0 || hex == NULL)
    return ret < 0 ? ret : tb_error_set(err, TB_EXIT_INPUT, 0, "quote response: no \"quote\"");
  cleanup_free char *digits = hex_digits(hex, strlen(hex));
  if (digits == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "quote response: \"quote\" is not hex");
  decode_digits(digits, out, out_len);
  return 0;
}

int tdx_quote_decode_input(const char *data, size_t len, unsigned char **quote, size_t *quote_len, tb_error **err) {
  size_t lead = 0;
  while (lead < len && isspace((unsigned char)data[lead]))
    lead++;
  if (lead < len && data[lead] == '{')
    return decode_json_response(data + lead, len - lead, quote, quote_len, err);
  cleanup_free char *digits = hex_digits(data + lead, len - lead);
  if (digits) {
    decode_digits(digits, quote, quote_len);
    return 0;
  }
  *quote = xmalloc(len ? len : 1);
  memcpy(*quote, data, len);
  *quote_len = len;
  return 0;
}

int tdx_quote_read_file(const char *path, unsigned char **quote, size_t *quote_len, tb_error **err) {
  cleanup_free char *data = NULL;
  size_t len = 0;
  int ret = tb_read_file(path, MAX_QUOTE_FILE, &data, &len, err);
  if (ret == 0)
    ret = tdx_quote_decode_input(data, len, quote, quote_len, err);
  if (ret < 0)
    return tb_error_wrap(err, "%s", path);
  return 0;
}
