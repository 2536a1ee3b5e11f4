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

static void trim(const char **s, size_t *len) {
  while (*len && isspace((unsigned char)**s)) {
    (*s)++;
    (*len)--;
  }
  while (*len && isspace((unsigned char)(*s)[*len - 1]))
    (*len)--;
}

static int is_hex_text(const char *s, size_t len) {
  if (len == 0 || len % 2)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!isxdigit((unsigned char)s[i]))
      return 0;
  return 1;
}

static void strip_0x(const char **s, size_t *len) {
  if (*len >= 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X')) {
    *s += 2;
    *len -= 2;
  }
}

static int decode_hex(const char *s, size_t len, unsigned char **out, size_t *out_len, tb_error **err) {
  strip_0x(&s, &len);
  if (!is_hex_text(s, len))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "quote: not hex");
  cleanup_free char *z = xstrndup(s, len);
  unsigned char *bin = xmalloc(len / 2);
  if (tb_hex_decode(z, bin, len / 2) < 0) {
    free(bin);
    return tb_error_set(err, TB_EXIT_INPUT, 0, "quote: bad hex");
  }
  *out = bin;
  *out_len = len / 2;
  return 0;
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
  return decode_hex(hex, strlen(hex), out, out_len, err);
}

int tdx_quote_decode_input(const char *data, size_t len, unsigned char **quote, size_t *quote_len, tb_error **err) {
  const char *s = data;
  size_t n = len;
  trim(&s, &n);
  if (n > 0 && s[0] == '{')
    return decode_json_response(s, n, quote, quote_len, err);
  const char *h = s;
  size_t hn = n;
  strip_0x(&h, &hn);
  if (is_hex_text(h, hn))
    return decode_hex(h, hn, quote, quote_len, err);
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
