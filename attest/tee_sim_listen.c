#include "attest/tee_sim_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/xalloc.h"

#define BACKLOG 64

int tee_sim_listen_unix(const char *path, int *out, tb_error **err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path))
    return tb_error_set(err, TB_EXIT_USAGE, 0, "socket path too long: %s", path);
  memcpy(addr.sun_path, path, strlen(path) + 1);
  cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "socket");
  struct stat st;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s exists and is not a socket", path);
    /* Replace a socket left by a dead server, never one that still answers. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: an agent is already listening there", path);
    unlink(path);
  }
  if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, BACKLOG) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "listen on %s", path);
  *out = steal_fd(&fd);
  return 0;
}

static bool is_loopback(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET)
    return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
  return sa->sa_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

static void freeaddrinfop(struct addrinfo **ai) {
  if (*ai)
    freeaddrinfo(*ai);
}

/* HOST:PORT or [HOST]:PORT into host (brackets removed) and a port number. */
static int split_host_port(const char *host_port, char **host, unsigned *port, tb_error **err) {
  const char *colon = strrchr(host_port, ':');
  char *end = NULL;
  long p = colon ? strtol(colon + 1, &end, 10) : -1;
  if (colon == NULL || colon == host_port || colon[1] == '\0' || *end != '\0' || p < 0 || p > 65535)
    return tb_error_set(err, TB_EXIT_USAGE, 0, "--listen %s: expected HOST:PORT, e.g. 127.0.0.1:8734", host_port);
  size_t n = (size_t)(colon - host_port);
  if (n >= 2 && host_port[0] == '[' && host_port[n - 1] == ']')
    *host = xstrndup(host_port + 1, n - 2);
  else
    *host = xstrndup(host_port, n);
  *port = (unsigned)p;
  return 0;
}

int tee_sim_listen_loopback(const char *host_port, int *out, char **url, tb_error **err) {
  cleanup_free char *host = NULL;
  unsigned port = 0;
  int ret = split_host_port(host_port, &host, &port, err);
  if (ret < 0)
    return ret;
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM};
  __attribute__((cleanup(freeaddrinfop))) struct addrinfo *ai = NULL;
  int rc = getaddrinfo(host, NULL, &hints, &ai);
  if (rc != 0)
    return tb_error_set(err, TB_EXIT_USAGE, 0, "--listen %s: %s is not a numeric address (%s)", host_port, host,
                        gai_strerror(rc));
  if (!is_loopback(ai->ai_addr))
    return tb_error_set(err, TB_EXIT_USAGE, 0,
                        "--listen %s: not a loopback address (127.0.0.0/8 or [::1]): the simulator serves this "
                        "machine only",
                        host_port);
  struct sockaddr_storage addr;
  socklen_t len = ai->ai_addrlen;
  memcpy(&addr, ai->ai_addr, len);
  if (addr.ss_family == AF_INET)
    ((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)port);
  else
    ((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)port);
  cleanup_close int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int on = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
      bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, BACKLOG) < 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "listen on %s", host_port);
  port = ntohs(addr.ss_family == AF_INET ? ((struct sockaddr_in *)&addr)->sin_port
                                         : ((struct sockaddr_in6 *)&addr)->sin6_port);
  *url = xasprintf(addr.ss_family == AF_INET ? "http://%s:%u" : "http://[%s]:%u", host, port);
  *out = steal_fd(&fd);
  return 0;
}
