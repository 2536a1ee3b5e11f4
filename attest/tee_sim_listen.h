/* Where tee-sim listens: a Unix socket for the agent protocol (its permissions decide who may ask
 * for quotes and keys), and optionally a loopback TCP port for the collateral (public data, which
 * libcurl fetches by URL). Each returns a listening, close-on-exec fd for libmicrohttpd. */
#ifndef TB_ATTEST_TEE_SIM_LISTEN_H
#define TB_ATTEST_TEE_SIM_LISTEN_H

#include "common/error.h"

/* Bind path; a stale socket there (no one answers) is replaced, anything else is refused. */
int tee_sim_listen_unix(const char *path, int *fd, tb_error **err);

/* Bind HOST:PORT, HOST a numeric loopback address (127.0.0.0/8, or [::1]); PORT 0 picks a free
 * one. Any other address is refused (TB_EXIT_USAGE): the simulator is for this machine only.
 * *url gets "http://HOST:PORT" with the port actually bound. */
int tee_sim_listen_loopback(const char *host_port, int *fd, char **url, tb_error **err);

#endif
