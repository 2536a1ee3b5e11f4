/* teebuild toolchain add|fetch|list|verify|gc|pack: the command-line face of toolchains/. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "runner/cli.h"
#include "toolchains/fetch.h"
#include "toolchains/lock.h"
#include "toolchains/pack.h"
#include "toolchains/store.h"

struct subcommand {
  const char *name;
  /* Returns 0, or a negative code with *err set (its exit class is the exit status). */
  int (*fn)(const struct tb_globals *g, int argc, char **argv, tb_error **err);
  const char *usage; /* printed by --help: synopsis, then one line per option */
};

static void store_closep(struct store **s) { store_close(*s); }
#define cleanup_store __attribute__((cleanup(store_closep)))

/* Parse "N", "NK", "NM", "NG" (powers of 1024) into bytes. */
static int parse_size(const char *cmd, const char *opt, const char *text, uint64_t *out, tb_error **err) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  unsigned shift = 0;
  if (end && *end && end[1] == '\0')
    shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 64;
  else if (end && *end)
    shift = 64;
  if (errno || end == text || text[0] == '-' || shift == 64 || v == 0 || v > (UINT64_MAX >> shift))
    return tb_usage_error(err, cmd, "%s '%s': not a positive size (bytes, or with K, M, G)", opt, text);
  *out = (uint64_t)v << shift;
  return 0;
}

static int parse_uint(const char *cmd, const char *opt, const char *text, long max, long *out, tb_error **err) {
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < 0 || v > max)
    return tb_usage_error(err, cmd, "%s '%s': not a whole number from 0 to %ld", opt, text, max);
  *out = v;
  return 0;
}

static json_t *info_json(const struct toolchain_info *t) {
  json_t *eps = json_array();
  for (char **e = t->entrypoints; e && *e; e++)
    json_array_append_new(eps, json_string(*e));
  return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "name", t->name, "version", t->version, "platform",
                   t->platform, "sha256", t->sha256, "size", (json_int_t)t->size, "treeSha256", t->tree_sha256, "uri",
                   t->uri, "entrypoints", eps);
}

/* Report an installed toolchain: one line on stderr, or the JSON result. */
static int report_installed(const struct tb_globals *g, const struct toolchain_info *t, bool already, tb_error **err) {
  tb_info("%s %s@%s sha256:%s at %s", already ? "already installed:" : "installed", t->name, t->version, t->sha256,
          t->root);
  if (!g->json)
    return 0;
  json_t *r = info_json(t);
  json_object_set_new(r, "ok", json_true());
  json_object_set_new(r, "alreadyInstalled", json_boolean(already));
  json_object_set_new(r, "root", json_string(t->root));
  return tb_print_json(r, err);
}

static int parse_kind_option(const char *text, enum toolchain_kind *out, tb_error **err) {
  if (strcmp(text, "auto") == 0)
    *out = TOOLCHAIN_KIND_AUTO;
  else if (strcmp(text, "file") == 0)
    *out = TOOLCHAIN_KIND_FILE;
  else if (strcmp(text, "archive") == 0)
    *out = TOOLCHAIN_KIND_ARCHIVE;
  else
    return tb_usage_error(err, "toolchain add", "--kind '%s': not auto, file or archive", text);
  return 0;
}

enum { OPT_SHA256 = 256, OPT_NAME, OPT_VERSION, OPT_PLATFORM, OPT_ENTRYPOINT, OPT_KIND, OPT_MAX_SIZE, OPT_MAX_ENTRIES,
       OPT_KEEP_DAYS,
       OPT_LOCKS, OPT_MTIME, OPT_TIMEOUT };

static const struct option add_options[] = {
    {"sha256", required_argument, NULL, OPT_SHA256},     {"name", required_argument, NULL, OPT_NAME},
    {"version", required_argument, NULL, OPT_VERSION},   {"platform", required_argument, NULL, OPT_PLATFORM},
    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT}, {"kind", required_argument, NULL, OPT_KIND},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE}, {"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int tc_add(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  struct store_add_request req = {0};
  int c, ret;
  while ((c = tb_getopt(argc, argv, "toolchain add", "h", add_options, err)) != -1) {
    switch (c) {
    case OPT_SHA256: req.sha256 = optarg; break;
    case OPT_NAME: req.name = optarg; break;
    case OPT_VERSION: req.version = optarg; break;
    case OPT_PLATFORM: req.platform = optarg; break;
    case OPT_ENTRYPOINT: req.entrypoint = optarg; break;
    case OPT_KIND:
      if ((ret = parse_kind_option(optarg, &req.kind, err)) < 0)
        return ret;
      break;
    case OPT_MAX_SIZE:
      if ((ret = parse_size("toolchain add", "--max-size", optarg, &req.limits.max_bytes, err)) < 0)
        return ret;
      break;
    case OPT_MAX_ENTRIES:
      if ((ret = parse_size("toolchain add", "--max-entries", optarg, &req.limits.max_entries, err)) < 0)
        return ret;
      break;
    default: return -EINVAL; /* '?': tb_getopt said why */
    }
  }
  if (optind != argc - 1)
    return tb_usage_error(err, "toolchain add", "need exactly one PATH");
  if (req.sha256 == NULL)
    return tb_usage_error(err, "toolchain add", "--sha256 HEX is required (the digest you expect)");
  req.path = argv[optind];
  cleanup_store struct store *store = NULL;
  if ((ret = store_open(g->store_dir, &store, err)) < 0)
    return ret;
  struct toolchain_info info = {0};
  bool already = false;
  if (store_add(store, &req, &info, &already, err) < 0)
    return tb_error_wrap(err, "toolchain add");
  ret = report_installed(g, &info, already, err);
  toolchain_info_clear(&info);
  return ret < 0 ? ret : 0;
}

static const struct option list_options[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};

/* Commands whose only options are --help and the globals. */
static int no_options(const char *cmd, int argc, char **argv, tb_error **err) {
  return tb_getopt(argc, argv, cmd, "h", list_options, err) == -1 ? 0 : -EINVAL;
}

static int tc_list(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  if (no_options("toolchain list", argc, argv, err) < 0)
    return -EINVAL;
  if (optind != argc)
    return tb_usage_error(err, "toolchain list", "takes no arguments");
  cleanup_store struct store *store = NULL;
  struct toolchain_info *items = NULL;
  size_t n = 0;
  if (store_open(g->store_dir, &store, err) < 0 || store_list(store, &items, &n, err) < 0)
    return -EINVAL;
  int ret = 0;
  if (g->json) {
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(arr, info_json(&items[i]));
    ret = tb_print_json(json_pack("{s:o}", "toolchains", arr), err);
  } else {
    for (size_t i = 0; i < n; i++)
      (void)printf("%-16s %-12s sha256:%s %12llu\n", items[i].name, items[i].version, items[i].sha256,
                   (unsigned long long)items[i].size);
    ret = tb_flush_stdout(err);
  }
  toolchain_info_free_array(items, n);
  return ret < 0 ? ret : 0;
}

/* Check one toolchain; a tampered one is added to the list the error names. Nothing is printed
 * here, so that a failure's one-line error is the first thing on stderr. */
static int verify_one(const struct toolchain_info *t, json_t *results, char **tampered, tb_error **err) {
  bool intact = false;
  char actual[65];
  int ret = store_check_tree(t, &intact, actual, err);
  if (ret < 0)
    return ret;
  json_array_append_new(results, json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", t->name, "version", t->version,
                                           "sha256", t->sha256, "ok", intact, "treeSha256", actual));
  if (intact)
    return 0;
  char *line = xasprintf("%s%s%s@%s (sha256:%s): unpacked tree was modified (tree sha256:%s, recorded %s)",
                         *tampered ? *tampered : "", *tampered ? "; " : "", t->name, t->version, t->sha256, actual,
                         t->tree_sha256);
  free(*tampered);
  *tampered = line;
  return 0;
}

static int tc_verify(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  if (no_options("toolchain verify", argc, argv, err) < 0)
    return -EINVAL;
  cleanup_store struct store *store = NULL;
  struct toolchain_info *items = NULL;
  size_t n = 0;
  if (store_open(g->store_dir, &store, err) < 0)
    return -EINVAL;
  if (optind < argc) { /* only the named ones */
    n = (size_t)(argc - optind);
    items = xcalloc(n, sizeof(*items));
    for (size_t i = 0; i < n; i++)
      if (store_resolve(store, argv[optind + (int)i], &items[i], err) < 0) {
        toolchain_info_free_array(items, n);
        return -EINVAL;
      }
  } else if (store_list(store, &items, &n, err) < 0) {
    return -EINVAL;
  }
  cleanup_json json_t *results = json_array();
  cleanup_free char *tampered = NULL;
  int ret = 0;
  for (size_t i = 0; i < n && ret >= 0; i++)
    ret = verify_one(&items[i], results, &tampered, err);
  toolchain_info_free_array(items, n);
  if (ret < 0)
    return ret;
  if (g->json && (ret = tb_print_json(json_pack("{s:b, s:O}", "ok", tampered == NULL, "toolchains", results), err)) < 0)
    return ret;
  if (tampered)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain verify: %s", tampered);
  tb_info("%zu toolchain(s) intact", n);
  return 0;
}

static const struct option gc_options[] = {{"keep-days", required_argument, NULL, OPT_KEEP_DAYS},
                                           {"locks", required_argument, NULL, OPT_LOCKS},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};

static int tc_gc(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  long keep_days = 30;
  const char *locks_opt = NULL;
  int c;
  while ((c = tb_getopt(argc, argv, "toolchain gc", "h", gc_options, err)) != -1) {
    if (c == OPT_KEEP_DAYS) {
      if (parse_uint("toolchain gc", "--keep-days", optarg, 100000, &keep_days, err) < 0)
        return -EINVAL;
    } else if (c == OPT_LOCKS) {
      locks_opt = optarg;
    } else {
      return -EINVAL; /* '?': tb_getopt said why */
    }
  }
  if (optind != argc)
    return tb_usage_error(err, "toolchain gc", "takes no arguments");
  cleanup_free char *locks = locks_opt ? xstrdup(locks_opt) : locks_default_dir();
  cleanup_strv char **keep = NULL;
  cleanup_strv char **removed = NULL;
  cleanup_store struct store *store = NULL;
  int64_t used_since = (int64_t)time(NULL) - (int64_t)keep_days * 86400;
  if (locks_digests(locks, &keep, err) < 0 || store_open(g->store_dir, &store, err) < 0 ||
      store_gc(store, keep, used_since, &removed, err) < 0)
    return tb_error_wrap(err, "toolchain gc");
  json_t *arr = json_array();
  for (char **r = removed; *r; r++) {
    tb_info("removed %s", *r);
    json_array_append_new(arr, json_string(*r));
  }
  if (!g->json) {
    json_decref(arr);
    return 0;
  }
  return tb_print_json(json_pack("{s:b, s:o}", "ok", true, "removed", arr), err) < 0 ? -EINVAL : 0;
}

static const struct option fetch_options[] = {{"locks", required_argument, NULL, OPT_LOCKS},
                                              {"max-size", required_argument, NULL, OPT_MAX_SIZE},
                                              {"timeout", required_argument, NULL, OPT_TIMEOUT},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};

/* A lock file path (anything with a '/' or ending in .json), else NAME@VERSION in the lock dir. */
static int find_lock(const char *arg, const char *locks_dir, struct lock_entry *out, tb_error **err) {
  size_t n = strlen(arg);
  if (strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0))
    return lock_load(arg, out, err);
  cleanup_free char *dir = locks_dir ? xstrdup(locks_dir) : locks_default_dir();
  return locks_find(dir, arg, out, err);
}

static int tc_fetch(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  struct fetch_options opts = {0};
  const char *locks_dir = NULL;
  long timeout = 0;
  int c, ret = 0;
  while (ret >= 0 && (c = tb_getopt(argc, argv, "toolchain fetch", "h", fetch_options, err)) != -1) {
    if (c == OPT_LOCKS)
      locks_dir = optarg;
    else if (c == OPT_MAX_SIZE)
      ret = parse_size("toolchain fetch", "--max-size", optarg, &opts.max_bytes, err);
    else if (c == OPT_TIMEOUT)
      ret = parse_uint("toolchain fetch", "--timeout", optarg, 86400, &timeout, err);
    else
      ret = -EINVAL; /* '?': tb_getopt said why */
  }
  if (ret < 0)
    return ret;
  opts.timeout_s = timeout;
  if (optind != argc - 1)
    return tb_usage_error(err, "toolchain fetch", "need one LOCKFILE or NAME@VERSION");
  struct lock_entry lock = {0};
  cleanup_store struct store *store = NULL;
  struct toolchain_info info = {0};
  bool already = false;
  if (find_lock(argv[optind], locks_dir, &lock, err) < 0 || store_open(g->store_dir, &store, err) < 0 ||
      fetch_install(store, &lock, &opts, &info, &already, err) < 0) {
    lock_entry_clear(&lock);
    return tb_error_wrap(err, "toolchain fetch");
  }
  lock_entry_clear(&lock);
  ret = report_installed(g, &info, already, err);
  toolchain_info_clear(&info);
  return ret;
}

static const struct option pack_options[] = {{"output", required_argument, NULL, 'o'},
                                             {"mtime", required_argument, NULL, OPT_MTIME},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};

/* The mtime of every entry: --mtime, else $SOURCE_DATE_EPOCH (reproducible-builds.org), else 0. */
static int pack_mtime(const char *opt, int64_t *out, tb_error **err) {
  const char *text = opt ? opt : getenv("SOURCE_DATE_EPOCH");
  long v = 0;
  if (text && parse_uint("toolchain pack", opt ? "--mtime" : "SOURCE_DATE_EPOCH", text, LONG_MAX, &v, err) < 0)
    return -EINVAL;
  *out = v;
  return 0;
}

static int tc_pack(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  const char *out = NULL, *mtime_opt = NULL;
  int c;
  while ((c = tb_getopt(argc, argv, "toolchain pack", "ho:", pack_options, err)) != -1) {
    if (c == 'o')
      out = optarg;
    else if (c == OPT_MTIME)
      mtime_opt = optarg;
    else
      return -EINVAL; /* '?': tb_getopt said why */
  }
  if (optind != argc - 1 || out == NULL)
    return tb_usage_error(err, "toolchain pack", "need DIR and -o FILE");
  int64_t mtime = 0;
  char hex[65];
  uint64_t size = 0;
  int ret = pack_mtime(mtime_opt, &mtime, err);
  if (ret < 0)
    return ret;
  if (pack_tree(argv[optind], out, mtime, hex, &size, err) < 0)
    return tb_error_wrap(err, "toolchain pack");
  tb_info("packed %s into %s (%llu bytes)", argv[optind], out, (unsigned long long)size);
  if (g->json)
    return tb_print_json(json_pack("{s:b, s:s, s:s, s:I}", "ok", true, "path", out, "sha256", hex, "size",
                                (json_int_t)size),
                      err);
  (void)printf("%s  %s\n", hex, out);
  return tb_flush_stdout(err);
}

static const struct subcommand subcommands[] = {
    {"add", tc_add,
     "toolchain add PATH --sha256 HEX [--name N --version V] [options]\n"
     "  Install a local archive (tar, tar.zst, tar.xz, tar.gz) or single program, checked against HEX.\n"
     "  --name N, --version V   override the pack's toolchain.json (required for a single file)\n"
     "  --platform P            default: toolchain.json's, else linux-amd64\n"
     "  --entrypoint E          a single file installs as bin/E (default: the name)\n"
     "  --kind auto|file|archive  default auto: a tar is an archive, anything else a single file\n"
     "  --max-size SIZE         refuse archives expanding past SIZE bytes (K/M/G; default 4G)\n"
     "  --max-entries N         refuse archives with more than N entries (K/M/G; default 500K)\n"},
    {"fetch", tc_fetch,
     "toolchain fetch LOCKFILE|NAME@VERSION [--locks DIR] [--max-size SIZE] [--timeout S]\n"
     "  Download a lock entry's source (https; http only from 127.0.0.1/localhost), check its sha256\n"
     "  while streaming, and install it. NAME@VERSION is looked up in the lock entries.\n"
     "  --locks DIR     lock entries (default: $TEEBUILD_LOCKS_DIR or the shipped toolchains/locks)\n"
     "  --max-size SIZE refuse downloads larger than SIZE (K/M/G; default 2G)\n"
     "  --timeout S     give up on the whole transfer after S seconds (default 3600)\n"},
    {"list", tc_list,
     "toolchain list [--json]\n"
     "  Print every installed toolchain: name, version, sha256, size.\n"},
    {"verify", tc_verify,
     "toolchain verify [NAME@VERSION|sha256:HEX ...]\n"
     "  Re-hash the unpacked trees (all, or those named) against their recorded digests;\n"
     "  exit 3 naming a tampered toolchain.\n"},
    {"gc", tc_gc,
     "toolchain gc [--keep-days N] [--locks DIR]\n"
     "  Remove toolchains that no lock entry references and no install or job used in N days (30).\n"
     "  --locks DIR  lock entries to keep (default: $TEEBUILD_LOCKS_DIR or the shipped toolchains/locks)\n"},
    {"pack", tc_pack,
     "toolchain pack DIR -o FILE.tar.zst [--mtime EPOCH]\n"
     "  Write DIR as a deterministic tar.zst and print its sha256 (same tree, same bytes, anywhere).\n"
     "  --mtime EPOCH  every entry's mtime (default: $SOURCE_DATE_EPOCH, else 0)\n"},
};

static void print_usage(FILE *out) {
  (void)fputs("usage: teebuild toolchain add|fetch|list|verify|gc|pack [ARGS]\n\n", out);
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
    (void)fputs(subcommands[i].usage, out);
}

static bool wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      return false;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return true;
  }
  return false;
}

int cmd_toolchain(const struct tb_globals *g, int argc, char **argv, tb_error **err) {
  if (argc < 2) {
    tb_usage_error(err, "toolchain", "need a subcommand: add|fetch|list|verify|gc|pack");
    return TB_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    print_usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
    const struct subcommand *s = &subcommands[i];
    if (strcmp(argv[1], s->name) != 0)
      continue;
    if (wants_help(argc - 1, argv + 1)) {
      (void)printf("usage: teebuild %s", s->usage);
      return 0;
    }
    optind = 0; /* getopt starts over for the subcommand's own options */
    return s->fn(g, argc - 1, argv + 1, err) < 0 ? tb_error_exit_code(*err) : 0;
  }
  tb_usage_error(err, "toolchain", "unknown subcommand '%s'", argv[1]);
  return TB_EXIT_USAGE;
}
