/* Scope-bound cleanup for fds, FILE*, memory, directories and jansson refs, as in bubblewrap/crun.
 * Ownership leaves a scope only through steal_pointer()/steal_fd(). */
#ifndef TB_COMMON_CLEANUP_H
#define TB_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"

static inline void tb_cleanup_freep(void *p) {
  void **pp = (void **)p;
  free(*pp);
}
static inline void tb_cleanup_closep(int *fd) {
  if (*fd >= 0) {
    int saved = errno; /* a cleanup must not clobber the errno an error path is about to read */
    close(*fd);
    errno = saved;
  }
}
static inline void tb_cleanup_fclosep(FILE **f) {
  if (*f)
    fclose(*f);
}
static inline void tb_cleanup_closedirp(DIR **d) {
  if (*d)
    closedir(*d);
}
static inline void tb_cleanup_jsonp(json_t **j) {
  if (*j)
    json_decref(*j);
}
static inline void tb_cleanup_errorp(tb_error **e) { tb_error_free(e); }
/* A NULL-terminated vector of malloc'ed strings. */
static inline void tb_cleanup_strvp(char ***v) {
  if (*v) {
    for (char **p = *v; *p; p++)
      free(*p);
    free(*v);
  }
}

#define cleanup_free __attribute__((cleanup(tb_cleanup_freep)))
#define cleanup_close __attribute__((cleanup(tb_cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(tb_cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(tb_cleanup_closedirp)))
#define cleanup_json __attribute__((cleanup(tb_cleanup_jsonp)))
#define cleanup_error __attribute__((cleanup(tb_cleanup_errorp)))
#define cleanup_strv __attribute__((cleanup(tb_cleanup_strvp)))

static inline void *tb_steal_pointer(void *pp) {
  void **p = (void **)pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))tb_steal_pointer(pp))

static inline int steal_fd(int *fd) {
  int v = *fd;
  *fd = -1;
  return v;
}

#endif
