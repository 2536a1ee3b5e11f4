/* The socket between the parent and the jail: fixed-size typed messages, optionally carrying one
 * fd (crun's sync socket). SOCK_SEQPACKET keeps message boundaries and reports the peer's death
 * as end of stream, which the jail also uses to notice a parent that died. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/jail_internal.h"

int sync_send(int sock, const struct sync_msg *msg, int fd) {
  struct iovec iov = {.iov_base = (void *)msg, .iov_len = sizeof(*msg)};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    memset(&control, 0, sizeof(control));
    mh.msg_control = control.buf;
    mh.msg_controllen = sizeof(control.buf);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  }
  ssize_t n;
  do
    n = sendmsg(sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  return n == (ssize_t)sizeof(*msg) ? 0 : -EMSGSIZE;
}

int sync_recv(int sock, struct sync_msg *msg, int *fd, int flags) {
  struct iovec iov = {.iov_base = msg, .iov_len = sizeof(*msg)};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                      .msg_controllen = sizeof(control.buf)};
  *fd = -1;
  ssize_t n;
  do
    n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -errno;
  for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      memcpy(fd, CMSG_DATA(cm), sizeof(int));
  if (n == 0)
    return 0;
  if (n != (ssize_t)sizeof(*msg) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    if (*fd >= 0)
      close(*fd);
    *fd = -1;
    return -EBADMSG;
  }
  msg->text[sizeof(msg->text) - 1] = '\0';
  return 1;
}
