/* libcurl, loaded on first use (dynlib.h): `toolchain fetch`, the dstack/tappd agent client,
 * collateral from a PCCS, and the URL encoding of tee-sim's PCCS headers. Its table is here, not
 * beside its users, because both attest/ and toolchains/ use it. */
#ifndef TB_COMMON_CURL_LIB_H
#define TB_COMMON_CURL_LIB_H

#include <curl/curl.h>

#include "common/dynlib.h"

#define TB_CURL_FUNCTIONS(X)                                                                                      \
  X(global_init)                                                                                                   \
  X(easy_init) X(easy_setopt) X(easy_perform) X(easy_getinfo) X(easy_header) X(easy_strerror) X(easy_cleanup)      \
  X(easy_escape) X(easy_unescape) X(free) X(slist_append) X(slist_free_all)                                        \
  X(url) X(url_set) X(url_get) X(url_cleanup)
#define TB_CURL_POINTER(name) TB_DYNLIB_POINTER(curl_, name)

/* curl_<name> is tb_curl.<name> once tb_curl_load() has succeeded. */
struct tb_curl_functions {
  TB_CURL_FUNCTIONS(TB_CURL_POINTER)
};
extern struct tb_curl_functions tb_curl;

int tb_curl_load(tb_error **err);

#endif
