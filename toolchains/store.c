/* The store on disk (see README.md):
 *   STORE/toolchains/<sha256>/root/       the unpacked tree, sealed read-only
 *   STORE/toolchains/<sha256>/meta.json   what it is (name, version, digests, origin, entrypoints)
 *   STORE/names/<NAME>@<VERSION>          the digest that name currently resolves to
 *   STORE/used/<sha256>                   empty; its mtime is the last install or resolve (for gc)
 *   STORE/tmp/                            staging: installs are built here, then renamed into place
 *   STORE/lock                            flock'ed exclusively while the listing changes */
#include "toolchains/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hash.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "toolchains/tree.h"

#define META_MAX_BYTES (1 << 20)
#define DEFAULT_PLATFORM "linux-amd64"
/* Staging dirs older than this are leftovers of a killed install; gc removes them. */
#define STALE_STAGING_S ((time_t)24 * 3600)

struct store {
  char *path;
};

static const char *const store_subdirs[] = {"toolchains", "names", "used", "tmp"};

void toolchain_info_clear(struct toolchain_info *info) {
  free(info->uri);
  free(info->root);
  tb_cleanup_strvp(&info->entrypoints);
  memset(info, 0, sizeof(*info));
}

void toolchain_info_free_array(struct toolchain_info *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    toolchain_info_clear(&items[i]);
  free(items);
}

static char *default_store_dir(void) {
  const char *env = getenv("TEEBUILD_STORE");
  if (env && env[0])
    return xstrdup(env);
  env = getenv("XDG_CACHE_HOME");
  if (env && env[0])
    return xasprintf("%s/teebuild", env);
  const char *home = getenv("HOME");
  if (home == NULL || home[0] == '\0') {
    struct passwd *pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : "/";
  }
  return xasprintf("%s/.cache/teebuild", home);
}

int store_open(const char *dir, struct store **out, tb_error **err) {
  cleanup_free char *path = dir ? xstrdup(dir) : default_store_dir();
  int ret = tb_mkdir_p(path, 0755, err);
  if (ret < 0)
    return tb_error_wrap(err, "store");
  for (size_t i = 0; i < sizeof(store_subdirs) / sizeof(store_subdirs[0]); i++) {
    cleanup_free char *sub = xasprintf("%s/%s", path, store_subdirs[i]);
    if (mkdir(sub, 0755) < 0 && errno != EEXIST)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "store: mkdir %s", sub);
  }
  char *abs = realpath(path, NULL);
  if (abs == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "store: %s", path);
  struct store *s = xcalloc(1, sizeof(*s));
  s->path = abs;
  *out = s;
  return 0;
}

void store_close(struct store *store) {
  if (store == NULL)
    return;
  free(store->path);
  free(store);
}

const char *store_path(const struct store *store) { return store->path; }

/* The store lock: held while the set of installed toolchains or names changes. */
static int store_lock(const struct store *store, int *fd_out, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/lock", store->path);
  cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "store: open %s", path);
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "store: lock %s", path);
  *fd_out = steal_fd(&fd);
  return 0;
}

static char *entry_dir(const struct store *store, const char *sha) {
  return xasprintf("%s/toolchains/%s", store->path, sha);
}

/* Names and versions become file names in the index: keep them to a safe alphabet. */
static bool is_safe_label(const char *s, size_t max) {
  size_t n = strlen(s);
  if (n == 0 || n >= max || s[0] == '.' || s[0] == '-')
    return false;
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") == n;
}

static int copy_label(char *dst, size_t max, const char *what, const char *value, tb_error **err) {
  if (value == NULL || !is_safe_label(value, max))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s '%s': not 1-%zu characters of [A-Za-z0-9._+-]", what,
                        value ? value : "", max - 1);
  memcpy(dst, value, strlen(value) + 1);
  return 0;
}

static int json_strv(const json_t *arr, const char *what, char ***out, tb_error **err) {
  if (!json_is_array(arr))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not an array of strings", what);
  cleanup_strv char **v = xcalloc(json_array_size(arr) + 1, sizeof(char *));
  size_t i;
  json_t *item;
  json_array_foreach(arr, i, item) {
    if (!json_is_string(item))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: not an array of strings", what);
    v[i] = xstrdup(json_string_value(item));
  }
  *out = steal_pointer(&v);
  return 0;
}

static json_t *strv_json(char *const *v) {
  json_t *arr = json_array();
  for (; v && *v; v++)
    json_array_append_new(arr, json_string(*v));
  return arr;
}

static int info_from_meta(const struct store *store, const char *sha, const json_t *meta, struct toolchain_info *out,
                          tb_error **err) {
  struct toolchain_info info = {0};
  const char *name, *version, *platform, *sha256, *tree, *uri;
  json_t *size = json_object_get(meta, "size");
  int ret;
  if ((ret = tb_json_get_string(meta, "name", &name, err)) < 0 ||
      (ret = tb_json_get_string(meta, "version", &version, err)) < 0 ||
      (ret = tb_json_get_string(meta, "platform", &platform, err)) < 0 ||
      (ret = tb_json_get_string(meta, "sha256", &sha256, err)) < 0 ||
      (ret = tb_json_get_string(meta, "tree_sha256", &tree, err)) < 0 ||
      (ret = tb_json_get_string(meta, "uri", &uri, err)) < 0)
    return ret;
  if (!json_is_integer(size) || strcmp(sha256, sha) != 0 || !tb_is_sha256_hex(tree))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "metadata of %s is inconsistent", sha);
  if ((ret = copy_label(info.name, sizeof(info.name), "name", name, err)) < 0 ||
      (ret = copy_label(info.version, sizeof(info.version), "version", version, err)) < 0 ||
      (ret = copy_label(info.platform, sizeof(info.platform), "platform", platform, err)) < 0 ||
      (ret = json_strv(json_object_get(meta, "entrypoints"), "entrypoints", &info.entrypoints, err)) < 0) {
    toolchain_info_clear(&info);
    return ret;
  }
  memcpy(info.sha256, sha256, sizeof(info.sha256)); /* both checked: 64 hex digits */
  memcpy(info.tree_sha256, tree, sizeof(info.tree_sha256));
  info.size = (uint64_t)json_integer_value(size);
  info.uri = xstrdup(uri);
  info.root = xasprintf("%s/toolchains/%s/root", store->path, sha);
  *out = info;
  return 0;
}

static int load_installed(const struct store *store, const char *sha, struct toolchain_info *out, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/toolchains/%s/meta.json", store->path, sha);
  cleanup_json json_t *meta = NULL;
  int ret = tb_json_load_file(path, META_MAX_BYTES, &meta, err);
  if (ret < 0)
    return ret;
  ret = info_from_meta(store, sha, meta, out, err);
  return ret < 0 ? tb_error_wrap(err, "%s", path) : 0;
}

static bool is_installed(const struct store *store, const char *sha) {
  cleanup_free char *path = xasprintf("%s/toolchains/%s/meta.json", store->path, sha);
  return access(path, F_OK) == 0;
}

/* Refresh the use stamp that gc reads. Best effort: a read-only store can still be used. */
static void mark_used(const struct store *store, const char *sha) {
  cleanup_free char *path = xasprintf("%s/used/%s", store->path, sha);
  cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || futimens(fd, NULL) < 0)
    tb_debug("cannot stamp %s as used: %s", path, strerror(errno));
}

static int resolve_name(const struct store *store, const char *ref, char sha[65], tb_error **err) {
  const char *at = strchr(ref, '@');
  cleanup_free char *name = at ? xstrndup(ref, (size_t)(at - ref)) : NULL;
  if (at == NULL || !is_safe_label(name, 64) || !is_safe_label(at + 1, 64))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain '%s': not NAME@VERSION or sha256:HEX", ref);
  cleanup_free char *path = xasprintf("%s/names/%s", store->path, ref);
  cleanup_free char *data = NULL;
  tb_error *ignored = NULL;
  if (tb_read_file(path, 128, &data, NULL, &ignored) < 0) {
    tb_error_discard(&ignored);
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain '%s': not installed (see 'teebuild toolchain list')", ref);
  }
  data[strcspn(data, "\n")] = '\0';
  if (!tb_is_sha256_hex(data))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain '%s': corrupt index entry %s", ref, path);
  memcpy(sha, data, 65);
  return 0;
}

int store_resolve(struct store *store, const char *ref, struct toolchain_info *out, tb_error **err) {
  char sha[65];
  if (strncmp(ref, "sha256:", 7) == 0) {
    if (!tb_is_sha256_hex(ref + 7))
      return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain '%s': not sha256: and 64 lowercase hex digits", ref);
    memcpy(sha, ref + 7, 65);
  } else {
    int ret = resolve_name(store, ref, sha, err);
    if (ret < 0)
      return ret;
  }
  if (!is_installed(store, sha))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain '%s': not installed (see 'teebuild toolchain list')", ref);
  int ret = load_installed(store, sha, out, err);
  if (ret < 0)
    return tb_error_wrap(err, "toolchain '%s'", ref);
  mark_used(store, sha);
  return 0;
}

/* ---- installing ---- */

/* A staging directory that removes itself unless its ownership is stolen by a successful rename. */
static void remove_staging(char **path) {
  if (*path) {
    tb_error *ignored = NULL;
    tb_rm_rf(*path, &ignored);
    tb_error_discard(&ignored);
    free(*path);
  }
}
#define cleanup_staging __attribute__((cleanup(remove_staging)))

static int check_digest(int fd, const char *path, const char *want, uint64_t *size, tb_error **err) {
  unsigned char d[TB_SHA256_LEN];
  char got[TB_SHA256_HEX_LEN + 1];
  int ret = tb_sha256_fd(fd, d, size, err);
  if (ret < 0)
    return tb_error_wrap(err, "%s", path);
  tb_hex_encode(d, sizeof(d), got);
  if (strcmp(got, want) != 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: digest mismatch: expected sha256:%s, got sha256:%s", path, want,
                        got);
  if (lseek(fd, 0, SEEK_SET) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "%s: seek", path);
  return 0;
}

/* The pack's own description, if it carries one. Unknown keys are refused like in every teebuild
 * input file, so a misspelt key never silently changes nothing. */
static int read_pack_manifest(const char *root, json_t **out, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/toolchain.json", root);
  struct stat st;
  if (lstat(path, &st) < 0) {
    *out = json_object();
    return 0;
  }
  if (!S_ISREG(st.st_mode))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain.json: not a regular file");
  cleanup_json json_t *m = NULL;
  int ret = tb_json_load_file(path, META_MAX_BYTES, &m, err);
  if (ret < 0)
    return tb_error_wrap(err, "toolchain.json");
  if (!json_is_object(m))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain.json: not an object");
  static const char *const known[] = {"name", "version", "platform", "entrypoints", "description"};
  const char *key;
  json_t *value;
  json_object_foreach(m, key, value) {
    bool ok = false;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
      ok |= strcmp(key, known[i]) == 0;
    if (!ok)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "toolchain.json: unknown key '%s'", key);
  }
  *out = steal_pointer(&m);
  return 0;
}

static const char *pick(const char *override, const json_t *manifest, const char *key) {
  return override ? override : json_string_value(json_object_get(manifest, key));
}

static int check_entrypoints(const char *root, char *const *entrypoints, tb_error **err) {
  for (char *const *e = entrypoints; e && *e; e++) {
    cleanup_free char *path = xasprintf("%s/bin/%s", root, *e);
    if (strchr(*e, '/') || access(path, X_OK) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entrypoint '%s': no executable bin/%s in the toolchain", *e, *e);
  }
  return 0;
}

/* Build the metadata for a staged tree from the request and the pack's toolchain.json. */
static int describe_staged(const struct store_add_request *req, const char *root, const char *sha, uint64_t size,
                           json_t **out, tb_error **err) {
  cleanup_json json_t *manifest = NULL;
  int ret = read_pack_manifest(root, &manifest, err);
  if (ret < 0)
    return ret;
  struct toolchain_info check = {0};
  const char *name = pick(req->name, manifest, "name");
  const char *version = pick(req->version, manifest, "version");
  const char *platform = pick(req->platform, manifest, "platform");
  if (name == NULL || version == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "no name/version: give --name and --version or a toolchain.json");
  if ((ret = copy_label(check.name, sizeof(check.name), "name", name, err)) < 0 ||
      (ret = copy_label(check.version, sizeof(check.version), "version", version, err)) < 0 ||
      (ret = copy_label(check.platform, sizeof(check.platform), "platform", platform ? platform : DEFAULT_PLATFORM,
                        err)) < 0)
    return ret;
  cleanup_strv char **entrypoints = NULL;
  json_t *eps = json_object_get(manifest, "entrypoints");
  if (req->kind == TOOLCHAIN_KIND_FILE || eps == NULL) {
    entrypoints = xcalloc(2, sizeof(char *));
    if (req->kind == TOOLCHAIN_KIND_FILE)
      entrypoints[0] = xstrdup(req->entrypoint ? req->entrypoint : name);
  } else if ((ret = json_strv(eps, "toolchain.json: entrypoints", &entrypoints, err)) < 0) {
    return ret;
  }
  ret = check_entrypoints(root, entrypoints, err);
  if (ret < 0)
    return ret;
  char tree[TB_SHA256_HEX_LEN + 1];
  ret = tree_digest(root, tree, err);
  if (ret < 0)
    return ret;
  cleanup_free char *base = xstrdup(req->path);
  char *slash = strrchr(base, '/');
  cleanup_free char *uri = req->uri ? xstrdup(req->uri) : xasprintf("file:%s", slash ? slash + 1 : base);
  *out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:s}", "name", check.name, "version", check.version,
                   "platform", check.platform, "sha256", sha, "size", (json_int_t)size, "tree_sha256", tree, "uri",
                   uri, "entrypoints", strv_json(entrypoints), "kind",
                   req->kind == TOOLCHAIN_KIND_FILE ? "file" : "archive");
  if (*out == NULL)
    abort();
  return 0;
}

/* ENTRY/seal: tree_stat_digest of ENTRY/root when its tree_sha256 was last known to hold. */
static int write_seal(const char *entry, const char *root, tb_error **err) {
  char hex[TB_SHA256_HEX_LEN + 1];
  int ret = tree_stat_digest(root, hex, err);
  if (ret < 0)
    return ret;
  cleanup_free char *path = xasprintf("%s/seal", entry), *line = xasprintf("%s\n", hex);
  return tb_write_file_atomic(path, line, strlen(line), 0644, err);
}

static int stage(const struct store_add_request *req, int fd, const char *staging, const char *sha, uint64_t size,
                 tb_error **err) {
  cleanup_free char *root = xasprintf("%s/root", staging);
  if (mkdir(root, 0755) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "mkdir %s", root);
  struct unpack_limits limits = {
      .max_bytes = req->limits.max_bytes ? req->limits.max_bytes : UNPACK_DEFAULT_MAX_BYTES,
      .max_entries = req->limits.max_entries ? req->limits.max_entries : UNPACK_DEFAULT_MAX_ENTRIES,
  };
  int ret;
  if (req->kind == TOOLCHAIN_KIND_FILE) {
    const char *entrypoint = req->entrypoint ? req->entrypoint : req->name;
    if (entrypoint == NULL)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: a single file needs --name (its program name)", req->path);
    ret = unpack_single_file(fd, req->path, root, entrypoint, err);
  } else {
    ret = unpack_archive(fd, req->path, root, &limits, err);
  }
  if (ret < 0)
    return ret;
  /* The staged tree is sealed before it is digested, so the digest covers the modes it will keep. */
  if ((ret = tree_seal(root, err)) < 0)
    return ret;
  cleanup_json json_t *meta = NULL;
  if ((ret = describe_staged(req, root, sha, size, &meta, err)) < 0)
    return ret;
  cleanup_free char *meta_path = xasprintf("%s/meta.json", staging);
  if ((ret = tb_json_write_file(meta_path, meta, err)) < 0)
    return ret;
  /* Taken after the last change to the tree (sealing), with tree_sha256 just computed from it. */
  if ((ret = write_seal(staging, root, err)) < 0)
    return ret;
  return tb_fsync_tree(staging, err);
}

static int write_name(const struct store *store, const struct toolchain_info *info, tb_error **err) {
  cleanup_free char *path = xasprintf("%s/names/%s@%s", store->path, info->name, info->version);
  cleanup_free char *line = xasprintf("%s\n", info->sha256);
  return tb_write_file_atomic(path, line, strlen(line), 0644, err);
}

/* Under the store lock: move the staged entry into place unless the digest is already there, then
 * point the name at it. */
static int commit_staged(struct store *store, char **staging, const char *sha, bool replace, bool *already,
                         tb_error **err) {
  cleanup_close int lock = -1;
  int ret = store_lock(store, &lock, err);
  if (ret < 0)
    return ret;
  *already = !replace && is_installed(store, sha);
  if (!*already) {
    cleanup_free char *dest = entry_dir(store, sha);
    /* An entry without meta.json is a leftover of an interrupted removal, and a replaced one was
     * modified: either goes. */
    if ((ret = tb_rm_rf(dest, err)) < 0)
      return ret;
    if (rename(*staging, dest) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "rename %s to %s", *staging, dest);
    free(steal_pointer(staging));
    cleanup_free char *parent = xasprintf("%s/toolchains", store->path);
    if ((ret = tb_fsync_dir(parent, err)) < 0)
      return ret;
  }
  struct toolchain_info info = {0};
  if ((ret = load_installed(store, sha, &info, err)) < 0)
    return ret;
  ret = write_name(store, &info, err);
  toolchain_info_clear(&info);
  return ret;
}

static int add_checked(struct store *store, const struct store_add_request *req, int fd, uint64_t size,
                       bool replace, bool *already, tb_error **err) {
  cleanup_free char *tmp = xasprintf("%s/tmp", store->path);
  cleanup_staging char *staging = NULL;
  int ret = tb_mkdtemp_in(tmp, "add-", &staging, err);
  if (ret < 0)
    return ret;
  /* mkdtemp's 0700 would stay on the installed entry and hide it from a jail's mapped uid. */
  if (chmod(staging, 0755) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", staging);
  if ((ret = stage(req, fd, staging, req->sha256, size, err)) < 0)
    return ret;
  return commit_staged(store, &staging, req->sha256, replace, already, err);
}

/* An installed entry whose tree no longer matches its digest is not "already installed". */
static bool installed_intact(const struct store *store, const char *sha) {
  struct toolchain_info info = {0};
  tb_error *bad = NULL;
  bool loaded = load_installed(store, sha, &info, &bad) == 0;
  bool intact = loaded && store_check_sealed(&info, &bad) == 0;
  if (!intact)
    tb_info("replacing the installed sha256:%s: %s", sha,
            loaded ? "its unpacked tree no longer matches its tree_sha256" : bad->msg);
  tb_error_discard(&bad);
  toolchain_info_clear(&info);
  return intact;
}

int store_add(struct store *store, const struct store_add_request *req, struct toolchain_info *out,
              bool *already_installed, tb_error **err) {
  if (!tb_is_sha256_hex(req->sha256))
    return tb_error_set(err, TB_EXIT_USAGE, 0, "--sha256: need 64 lowercase hex digits");
  cleanup_close int fd = open(req->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "open %s", req->path);
  uint64_t size = 0;
  /* One open file is digested and then unpacked, so what is installed is what was checked. */
  int ret = check_digest(fd, req->path, req->sha256, &size, err);
  if (ret < 0)
    return ret;
  struct store_add_request r = *req;
  if (r.kind == TOOLCHAIN_KIND_AUTO) {
    if ((ret = unpack_is_archive(fd, err)) < 0)
      return ret;
    r.kind = ret ? TOOLCHAIN_KIND_ARCHIVE : TOOLCHAIN_KIND_FILE;
    if (lseek(fd, 0, SEEK_SET) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "%s: seek", req->path);
  }
  /* Checked again under the lock in commit_staged(); this only saves unpacking for nothing. */
  bool already = is_installed(store, req->sha256), replace = already && !installed_intact(store, req->sha256);
  if ((!already || replace) && (ret = add_checked(store, &r, fd, size, replace, &already, err)) < 0)
    return ret;
  if (already_installed)
    *already_installed = already;
  mark_used(store, req->sha256);
  return load_installed(store, req->sha256, out, err);
}

/* ---- listing, checking, collecting ---- */

static int by_identity(const void *a, const void *b) {
  const struct toolchain_info *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c == 0)
    c = strverscmp(x->version, y->version);
  return c ? c : strcmp(x->sha256, y->sha256);
}

int store_list(struct store *store, struct toolchain_info **out, size_t *n, tb_error **err) {
  cleanup_free char *dir = xasprintf("%s/toolchains", store->path);
  cleanup_dir DIR *d = opendir(dir);
  if (d == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "store: open %s", dir);
  struct toolchain_info *items = NULL;
  size_t count = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!tb_is_sha256_hex(de->d_name) || !is_installed(store, de->d_name))
      continue;
    items = xrealloc(items, (count + 1) * sizeof(*items));
    if (load_installed(store, de->d_name, &items[count], err) < 0) {
      toolchain_info_free_array(items, count);
      return -EINVAL;
    }
    count++;
  }
  if (count)
    qsort(items, count, sizeof(*items), by_identity);
  *out = items;
  *n = count;
  return 0;
}

int store_check_tree(const struct toolchain_info *info, bool *intact, char actual[65], tb_error **err) {
  int ret = tree_digest(info->root, actual, err);
  if (ret < 0)
    return tb_error_wrap(err, "%s@%s", info->name, info->version);
  *intact = strcmp(actual, info->tree_sha256) == 0;
  return 0;
}

/* Whether the seal still holds: the tree's lstat data digests as when tree_sha256 was checked. */
static bool seal_holds(const char *entry, const struct toolchain_info *info) {
  char now[TB_SHA256_HEX_LEN + 1];
  cleanup_free char *path = xasprintf("%s/seal", entry);
  cleanup_free char *sealed = NULL;
  tb_error *ignored = NULL;
  if (tree_stat_digest(info->root, now, &ignored) < 0 || tb_read_file(path, 128, &sealed, NULL, &ignored) < 0) {
    tb_error_discard(&ignored);
    return false;
  }
  sealed[strcspn(sealed, "\n")] = '\0';
  return strcmp(sealed, now) == 0;
}

int store_check_sealed(const struct toolchain_info *info, tb_error **err) {
  /* info->root is ENTRY/root */
  cleanup_free char *entry = xstrndup(info->root, (size_t)(strrchr(info->root, '/') - info->root));
  if (seal_holds(entry, info))
    return 0;
  bool intact = false;
  char actual[TB_SHA256_HEX_LEN + 1];
  int ret = store_check_tree(info, &intact, actual, err);
  if (ret < 0)
    return ret;
  if (!intact)
    return tb_error_set(err, TB_EXIT_INPUT, 0,
                        "%s@%s (sha256:%s): unpacked tree was modified (tree sha256:%s, recorded %s); "
                        "'teebuild toolchain add' or 'fetch' of it replaces it",
                        info->name, info->version, info->sha256, actual, info->tree_sha256);
  /* Intact, but touched (copied, restored, chmod'ed back): seal it anew. A read-only store keeps
   * the old seal and pays the full digest again next time. */
  tb_error *ignored = NULL;
  if (write_seal(entry, info->root, &ignored) < 0)
    tb_debug("cannot renew the seal of %s: %s", entry, ignored->msg);
  tb_error_discard(&ignored);
  return 0;
}

static bool is_listed(char *const *list, const char *s) {
  for (; list && *list; list++)
    if (strcmp(*list, s) == 0)
      return true;
  return false;
}

static int64_t last_used(const struct store *store, const char *sha) {
  cleanup_free char *path = xasprintf("%s/used/%s", store->path, sha);
  struct stat st;
  return stat(path, &st) == 0 ? (int64_t)st.st_mtime : 0;
}

/* Drop every name that points at sha. */
static int unlink_names(const struct store *store, const char *sha, tb_error **err) {
  cleanup_free char *dir = xasprintf("%s/names", store->path);
  cleanup_dir DIR *d = opendir(dir);
  if (d == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "store: open %s", dir);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    char found[65];
    tb_error *ignored = NULL;
    if (resolve_name(store, de->d_name, found, &ignored) < 0) {
      tb_error_discard(&ignored);
      continue;
    }
    cleanup_free char *path = xasprintf("%s/%s", dir, de->d_name);
    if (strcmp(found, sha) == 0 && unlink(path) < 0)
      return tb_error_set(err, TB_EXIT_INPUT, errno, "remove %s", path);
  }
  return 0;
}

/* meta.json goes first: from then on the entry is not installed, whatever is left of it. */
static int remove_installed(const struct store *store, const char *sha, tb_error **err) {
  cleanup_free char *meta = xasprintf("%s/toolchains/%s/meta.json", store->path, sha);
  if (unlink(meta) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "remove %s", meta);
  int ret = unlink_names(store, sha, err);
  if (ret < 0)
    return ret;
  cleanup_free char *dir = entry_dir(store, sha);
  if ((ret = tb_rm_rf(dir, err)) < 0)
    return ret;
  cleanup_free char *stamp = xasprintf("%s/used/%s", store->path, sha);
  unlink(stamp);
  return 0;
}

/* Entries without meta.json are leftovers of an interrupted removal. */
static int remove_orphans(const struct store *store, tb_error **err) {
  cleanup_free char *dir = xasprintf("%s/toolchains", store->path);
  cleanup_dir DIR *d = opendir(dir);
  if (d == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "store: open %s", dir);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.' || is_installed(store, de->d_name))
      continue;
    cleanup_free char *path = xasprintf("%s/%s", dir, de->d_name);
    int ret = tb_rm_rf(path, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static int remove_stale_staging(const struct store *store, tb_error **err) {
  cleanup_free char *dir = xasprintf("%s/tmp", store->path);
  cleanup_dir DIR *d = opendir(dir);
  if (d == NULL)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "store: open %s", dir);
  time_t now = time(NULL);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.')
      continue;
    cleanup_free char *path = xasprintf("%s/%s", dir, de->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && now - st.st_mtime > STALE_STAGING_S) {
      int ret = tb_rm_rf(path, err);
      if (ret < 0)
        return ret;
    }
  }
  return 0;
}

static void strv_push(char ***v, size_t *n, char *s) {
  *v = xrealloc(*v, (*n + 2) * sizeof(char *));
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

int store_gc(struct store *store, char *const *referenced, int64_t used_since, char ***removed, tb_error **err) {
  cleanup_close int lock = -1;
  int ret = store_lock(store, &lock, err);
  if (ret < 0)
    return ret;
  struct toolchain_info *items = NULL;
  size_t n = 0;
  if ((ret = store_list(store, &items, &n, err)) < 0)
    return ret;
  cleanup_strv char **gone = xcalloc(1, sizeof(char *));
  size_t ngone = 0;
  for (size_t i = 0; i < n && ret >= 0; i++) {
    const struct toolchain_info *t = &items[i];
    if (is_listed(referenced, t->sha256) || last_used(store, t->sha256) > used_since)
      continue;
    ret = remove_installed(store, t->sha256, err);
    if (ret >= 0)
      strv_push(&gone, &ngone, xasprintf("%s@%s sha256:%s", t->name, t->version, t->sha256));
  }
  toolchain_info_free_array(items, n);
  if (ret >= 0)
    ret = remove_orphans(store, err);
  if (ret >= 0)
    ret = remove_stale_staging(store, err);
  if (ret < 0)
    return ret;
  *removed = steal_pointer(&gone);
  return 0;
}

int store_tmpfile(struct store *store, const char *prefix, char **path, int *fd, tb_error **err) {
  char *p = xasprintf("%s/tmp/%sXXXXXX", store->path, prefix);
  int f = mkostemp(p, O_CLOEXEC);
  if (f < 0) {
    int saved = errno;
    free(p);
    return tb_error_set(err, TB_EXIT_INPUT, saved, "create a temporary file in %s/tmp", store->path);
  }
  *path = p;
  *fd = f;
  return 0;
}
