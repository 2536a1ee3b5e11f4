/* Provider "tsm": Linux configfs-tsm, no agent. A report is a directory we create under
 * /sys/kernel/config/tsm/report; writing inblob makes the kernel produce outblob and bump
 * generation. Another writer between our write and our read would hand us someone else's
 * quote, so generation is read around the exchange and must have moved by exactly our write.
 * TEEBUILD_TSM_ROOT moves the root, for tests against a stand-in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "attest/tee.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/xalloc.h"

#define MAX_OUTBLOB (1u << 20)

static const char *tsm_root(void) {
  const char *env = getenv("TEEBUILD_TSM_ROOT");
  return env && *env ? env : "/sys/kernel/config/tsm/report";
}

static bool tsm_available(const struct tb_tee_config *cfg) {
  (void)cfg;
  struct stat st;
  return stat(tsm_root(), &st) == 0 && S_ISDIR(st.st_mode);
}

static int tsm_open(const struct tb_tee_config *cfg, void **state, tb_error **err) {
  if (!tsm_available(cfg))
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "no configfs-tsm at %s", tsm_root());
  *state = NULL;
  return 0;
}

/* Read an attribute of the report entry; any failure is a failure to attest. */
static int read_attr(const char *entry, const char *name, size_t max, char **data, size_t *len, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/%s", entry, name);
  if (tb_read_file(path, max, data, len, err) == 0)
    return 0;
  cleanup_free char *why = xstrdup((*err)->msg);
  tb_error_discard(err);
  return tb_error_set(err, TB_EXIT_ATTEST, 0, "configfs-tsm: %s", why);
}

static int read_generation(const char *entry, unsigned long *gen, tb_error **err) {
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = read_attr(entry, "generation", 64, &text, &len, err);
  if (ret < 0)
    return ret;
  char *end = NULL;
  *gen = strtoul(text, &end, 10);
  if (end == text)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "configfs-tsm: %s/generation: not a number", entry);
  return 0;
}

/* Only TDX quotes can be verified: another TEE's report (an SEV-SNP one, say) is refused here. */
static int check_provider(const char *entry, tb_error **err) {
  cleanup_free char *text = NULL;
  size_t len = 0;
  int ret = read_attr(entry, "provider", 64, &text, &len, err);
  if (ret < 0)
    return ret;
  text[strcspn(text, "\n")] = '\0';
  if (strcmp(text, "tdx_guest") != 0)
    return tb_error_set(err, TB_EXIT_ATTEST, 0,
                        "configfs-tsm: the provider is \"%s\", not tdx_guest: teebuild takes TDX quotes only", text);
  return 0;
}

static int write_inblob(const char *entry, const unsigned char *data, size_t len, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/inblob", entry);
  cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, data, len) != (ssize_t)len)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "configfs-tsm: write %s", path);
  return 0;
}

static int exchange(const char *entry, const unsigned char report_data[TB_REPORT_DATA_LEN],
                    struct tb_tee_evidence *out, tb_error **err) {
  unsigned long before = 0, after = 0;
  int ret = read_generation(entry, &before, err);
  if (ret < 0 || (ret = check_provider(entry, err)) < 0 ||
      (ret = write_inblob(entry, report_data, TB_REPORT_DATA_LEN, err)) < 0)
    return ret;
  char *quote = NULL;
  size_t len = 0;
  if ((ret = read_attr(entry, "outblob", MAX_OUTBLOB, &quote, &len, err)) < 0)
    return ret;
  out->quote = (unsigned char *)quote;
  out->quote_len = len;
  if ((ret = read_generation(entry, &after, err)) < 0)
    return ret;
  if (after != before + 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0,
                        "configfs-tsm: %s was written by someone else meanwhile (generation %lu -> %lu)", entry,
                        before, after);
  return 0;
}

static int tsm_quote(void *state, const unsigned char report_data[TB_REPORT_DATA_LEN], struct tb_tee_evidence *out,
                     tb_error **err) {
  (void)state;
  unsigned char rnd[8];
  char rnd_hex[17];
  if (RAND_bytes(rnd, sizeof(rnd)) != 1)
    return tb_error_set(err, TB_EXIT_ATTEST, 0, "no randomness for a configfs-tsm entry name");
  tb_hex_encode(rnd, sizeof(rnd), rnd_hex);
  cleanup_free char *entry = xasprintf("%s/teebuild-%s", tsm_root(), rnd_hex);
  if (mkdir(entry, 0700) < 0)
    return tb_error_set(err, TB_EXIT_ATTEST, errno, "configfs-tsm: mkdir %s", entry);
  int ret = exchange(entry, report_data, out, err);
  if (ret < 0)
    tb_tee_evidence_clear(out);
  rmdir(entry);
  return ret;
}

const struct tb_tee_ops tb_tee_tsm_ops = {
    .name = "tsm", .available = tsm_available, .open = tsm_open, .quote = tsm_quote, .close = NULL};
