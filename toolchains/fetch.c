#include "toolchains/fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/curl_lib.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/xalloc.h"

static void curl_urlp(CURLU **u) {
  if (*u)
    tb_curl.url_cleanup(*u);
}
#define cleanup_curl_url __attribute__((cleanup(curl_urlp)))

static void curl_easyp(CURL **c) {
  if (*c)
    tb_curl.easy_cleanup(*c);
}
#define cleanup_curl __attribute__((cleanup(curl_easyp)))

static void curl_strp(char **s) {
  if (*s)
    tb_curl.free(*s);
}
#define cleanup_curl_str __attribute__((cleanup(curl_strp)))

static bool is_loopback_host(const char *host) {
  return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0;
}

int fetch_check_url(const char *url, tb_error **err) {
  int ret = tb_curl_load(err);
  if (ret < 0)
    return ret;
  cleanup_curl_url CURLU *u = tb_curl.url();
  if (u == NULL)
    abort();
  cleanup_curl_str char *scheme = NULL;
  cleanup_curl_str char *host = NULL;
  if (tb_curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      tb_curl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      tb_curl.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not a valid URL", url);
  if (strcmp(scheme, "https") == 0 || (strcmp(scheme, "http") == 0 && is_loopback_host(host)))
    return 0;
  return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: only https URLs are fetched (plain http only from 127.0.0.1/localhost)",
                      url);
}

struct sink {
  int fd;
  tb_sha256_ctx *hash;
  uint64_t bytes, max;
  int write_errno;
  bool too_big;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *userdata) {
  struct sink *s = userdata;
  size_t n = size * nmemb;
  if (n > s->max - s->bytes) {
    s->too_big = true;
    return 0; /* anything but n aborts the transfer */
  }
  for (size_t done = 0; done < n;) {
    ssize_t w = write(s->fd, data + done, n - done);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      s->write_errno = errno;
      return 0;
    }
    done += (size_t)w;
  }
  tb_sha256_update(s->hash, data, n);
  s->bytes += n;
  return n;
}

/* A one-line progress bar on stderr, redrawn in place; only used when stderr is a terminal. */
static int show_progress(void *userdata, curl_off_t total, curl_off_t now, curl_off_t ut, curl_off_t un) {
  (void)userdata;
  (void)ut;
  (void)un;
  if (total > 0)
    (void)fprintf(stderr, "\r  %3d%% %10lld / %lld bytes", (int)(now * 100 / total), (long long)now, (long long)total);
  else
    (void)fprintf(stderr, "\r  %10lld bytes", (long long)now);
  return 0;
}

static CURL *new_transfer(const char *url, struct sink *sink, const struct fetch_options *opts, char *errbuf) {
  CURL *c = tb_curl.easy_init();
  if (c == NULL)
    abort();
  tb_curl.easy_setopt(c, CURLOPT_URL, url);
  tb_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
  tb_curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  tb_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  tb_curl.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  tb_curl.easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  tb_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, FETCH_DEFAULT_CONNECT_TIMEOUT_S);
  tb_curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  tb_curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, FETCH_DEFAULT_STALL_TIMEOUT_S);
  tb_curl.easy_setopt(c, CURLOPT_TIMEOUT, opts->timeout_s ? opts->timeout_s : FETCH_DEFAULT_TIMEOUT_S);
  tb_curl.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
  tb_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
  tb_curl.easy_setopt(c, CURLOPT_WRITEDATA, sink);
  tb_curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  tb_curl.easy_setopt(c, CURLOPT_USERAGENT, "teebuild");
  bool progress = isatty(STDERR_FILENO) && tb_log_verbosity() >= TB_NORMAL;
  tb_curl.easy_setopt(c, CURLOPT_NOPROGRESS, progress ? 0L : 1L);
  if (progress)
    tb_curl.easy_setopt(c, CURLOPT_XFERINFOFUNCTION, show_progress);
  return c;
}

static int transfer_error(const char *url, CURLcode rc, const struct sink *s, const char *errbuf, tb_error **err) {
  if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: larger than %llu bytes", url, (unsigned long long)s->max);
  if (s->write_errno)
    return tb_error_set(err, TB_EXIT_INPUT, s->write_errno, "%s: writing the download", url);
  return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: download failed after %llu bytes: %s", url,
                      (unsigned long long)s->bytes, errbuf[0] ? errbuf : tb_curl.easy_strerror(rc));
}

int fetch_url(const char *url, int fd, const char *sha256, const struct fetch_options *opts, tb_error **err) {
  int ret = fetch_check_url(url, err);
  if (ret < 0)
    return ret;
  if (tb_curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "libcurl could not be initialised");
  struct sink s = {.fd = fd, .hash = tb_sha256_new(), .max = opts->max_bytes ? opts->max_bytes : FETCH_DEFAULT_MAX_BYTES};
  char errbuf[CURL_ERROR_SIZE] = "";
  cleanup_curl CURL *c = new_transfer(url, &s, opts, errbuf);
  tb_debug("fetching %s", url); /* not tb_info: a failure must be the first line on stderr */
  CURLcode rc = tb_curl.easy_perform(c);
  if (isatty(STDERR_FILENO) && tb_log_verbosity() >= TB_NORMAL)
    (void)fputc('\n', stderr);
  if (rc != CURLE_OK) {
    tb_sha256_free(s.hash);
    return transfer_error(url, rc, &s, errbuf, err);
  }
  unsigned char d[TB_SHA256_LEN];
  char got[TB_SHA256_HEX_LEN + 1];
  tb_sha256_final(s.hash, d);
  tb_hex_encode(d, sizeof(d), got);
  if (strcmp(got, sha256) != 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: digest mismatch: expected sha256:%s, got sha256:%s (%llu bytes)",
                        url, sha256, got, (unsigned long long)s.bytes);
  if (fsync(fd) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "%s: fsync the download", url);
  return 0;
}

static void unlink_tmp(char **path) {
  if (*path) {
    unlink(*path);
    free(*path);
  }
}

int fetch_install(struct store *store, const struct lock_entry *lock, const struct fetch_options *opts,
                  struct toolchain_info *out, bool *already_installed, tb_error **err) {
  cleanup_free char *ref = xasprintf("sha256:%s", lock->sha256);
  tb_error *missing = NULL;
  if (store_resolve(store, ref, out, &missing) == 0) {
    *already_installed = true;
    return 0;
  }
  tb_error_discard(&missing);
  if (lock->url == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0,
                        "%s@%s: the lock entry has no URL (the pack is built locally: see toolchains/%s/make-pack.sh)",
                        lock->name, lock->version, lock->name);
  __attribute__((cleanup(unlink_tmp))) char *tmp = NULL;
  cleanup_close int fd = -1;
  int ret = store_tmpfile(store, "fetch-", &tmp, &fd, err);
  if (ret < 0)
    return ret;
  if ((ret = fetch_url(lock->url, fd, lock->sha256, opts, err)) < 0)
    return ret;
  struct store_add_request req = {
      .path = tmp, .sha256 = lock->sha256, .name = lock->name, .version = lock->version,
      .platform = lock->platform, .entrypoint = lock->entrypoints[0], .uri = lock->url, .kind = lock->kind,
  };
  return store_add(store, &req, out, already_installed, err);
}
