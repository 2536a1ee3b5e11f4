#include "common/curl_lib.h"

struct tb_curl_functions tb_curl;

#define TB_CURL_SYMBOL(name) TB_DYNLIB_SYMBOL(struct tb_curl_functions, curl_, name)
static const struct tb_dynlib_symbol curl_symbols[] = {TB_CURL_FUNCTIONS(TB_CURL_SYMBOL)};
static struct tb_dynlib curl_lib = TB_DYNLIB(TB_SONAME_CURL, tb_curl, curl_symbols);

int tb_curl_load(tb_error **err) { return tb_dynlib_load(&curl_lib, err); }
