/* The transport of the dstack guest agent (and legacy tappd): HTTP/1.1 POST of a JSON body over a
 * Unix socket, or to an http(s) URL when DSTACK_SIMULATOR_ENDPOINT names one, as Phala's SDKs do. */
#ifndef TB_ATTEST_AGENT_HTTP_H
#define TB_ATTEST_AGENT_HTTP_H

#include <jansson.h>
#include <stdbool.h>

#include "common/error.h"

/* True when endpoint is an http:// or https:// URL rather than a socket path. */
bool tb_agent_endpoint_is_url(const char *endpoint);

/* The endpoint to use: the environment variable env_var if set, else the first of the
 * NULL-terminated default socket paths that exists, else NULL. */
const char *tb_agent_endpoint(const char *env_var, const char *const *default_sockets);

/* POST request to endpoint + path; *response is the parsed JSON reply. HTTP errors become one line
 * with TB_EXIT_ATTEST carrying the agent's {"error": ...} text. */
int tb_agent_call(const char *endpoint, const char *path, const json_t *request, json_t **response, tb_error **err);

/* Fetch a "<hex>" field of a reply as bytes (malloc'ed). */
int tb_agent_hex_field(const json_t *reply, const char *key, unsigned char **out, size_t *len, tb_error **err);
/* An agent's event log (a JSON text inside a string field) as an array; missing or "" is []. */
int tb_agent_event_log(const json_t *reply, json_t **out, tb_error **err);

#endif
