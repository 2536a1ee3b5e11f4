#include "toolchains/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "toolchains/archive_lib.h"

static void archive_readp(struct archive **a) {
  if (*a)
    tb_archive.read_free(*a);
}
static void archive_writep(struct archive **a) {
  if (*a)
    tb_archive.write_free(*a);
}
#define cleanup_archive_read __attribute__((cleanup(archive_readp)))
#define cleanup_archive_write __attribute__((cleanup(archive_writep)))

/* Kinds recorded for every path seen so far (explicit entries and the directories they imply). */
#define SEEN_IMPLICIT_DIR "d"
#define SEEN_DIR "D"
#define SEEN_FILE "f"
#define SEEN_SYMLINK "l"

/* The only formats a toolchain may come in: tar, plain or zstd/xz/gzip-compressed. */
static struct archive *new_tar_reader(void) {
  struct archive *a = tb_archive.read_new();
  if (a == NULL)
    abort();
  tb_archive.read_support_filter_zstd(a);
  tb_archive.read_support_filter_xz(a);
  tb_archive.read_support_filter_gzip(a);
  tb_archive.read_support_format_tar(a);
  return a;
}

static struct archive *open_tar_reader(int fd, const char *name, tb_error **err) {
  struct archive *a = new_tar_reader();
  if (tb_archive.read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
    tb_error_set(err, TB_EXIT_INPUT, 0, "%s: %s", name, tb_archive.error_string(a));
    tb_archive.read_free(a);
    return NULL;
  }
  return a;
}

int unpack_is_archive(int fd, tb_error **err) {
  int ret = tb_archive_load(err);
  if (ret < 0)
    return ret;
  struct archive *a = new_tar_reader();
  /* Format detection happens at the first header; a compressed stream that is not a tar is still
   * treated as an archive so that its own error is reported rather than installed as a program. */
  struct archive_entry *entry;
  bool opened = tb_archive.read_open_fd(a, fd, 1 << 16) == ARCHIVE_OK;
  int r = opened ? tb_archive.read_next_header(a, &entry) : ARCHIVE_FATAL;
  bool is_archive = r == ARCHIVE_OK || r == ARCHIVE_WARN || r == ARCHIVE_EOF ||
                    (opened && tb_archive.filter_code(a, 0) != ARCHIVE_FILTER_NONE);
  tb_archive.read_free(a);
  return is_archive ? 1 : 0;
}

/* Normalise an entry name: drop "." and empty components; refuse absolute names and "..".
 * *out is "" for the archive's root directory entry. */
/* The name with "." components and repeated slashes dropped, malloc'ed; NULL (error set) when it
 * is empty, absolute or holds "..". */
static char *normalise_name(const char *name, tb_error **err) {
  if (name == NULL || name[0] == '\0') {
    (void)tb_error_set(err, TB_EXIT_INPUT, 0, "entry with an empty name");
    return NULL;
  }
  if (name[0] == '/') {
    (void)tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': absolute path", name);
    return NULL;
  }
  cleanup_free char *copy = xstrdup(name);
  cleanup_free char *norm = xcalloc(1, strlen(name) + 1);
  char *end = norm, *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0)
      continue;
    if (strcmp(c, "..") == 0) {
      (void)tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': '..' in path", name);
      return NULL;
    }
    if (end != norm)
      *end++ = '/';
    end = stpcpy(end, c);
  }
  return steal_pointer(&norm);
}

static size_t path_depth(const char *path) {
  size_t depth = 1;
  for (const char *p = path; *p; p++)
    depth += *p == '/';
  return depth;
}

/* A symlink stays in the tree when its target is relative, climbs ("..") only at its start and no
 * higher than the link's own directory, then only descends. Since no entry may be reached through a
 * symlink and every symlink obeys this rule, resolving any chain of them stays in the tree too. */
static int check_symlink_target(const char *entry, const char *target, tb_error **err) {
  if (target == NULL || target[0] == '\0')
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': symlink with an empty target", entry);
  if (target[0] == '/')
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': symlink to absolute path '%s'", entry, target);
  size_t room = path_depth(entry) - 1, up = 0;
  bool descended = false;
  cleanup_free char *copy = xstrdup(target);
  char *save = NULL;
  for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0)
      continue;
    if (strcmp(c, "..") != 0) {
      descended = true;
      continue;
    }
    if (descended || ++up > room)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': symlink target '%s' leaves the tree", entry, target);
  }
  return 0;
}

/* Record the directories a path implies; refuse a path that goes through a symlink or a file. */
static int record_parents(json_t *seen, const char *name, tb_error **err) {
  cleanup_free char *prefix = xstrdup(name);
  for (char *slash = strchr(prefix, '/'); slash; slash = strchr(slash + 1, '/')) {
    *slash = '\0';
    const char *kind = json_string_value(json_object_get(seen, prefix));
    if (kind == NULL)
      json_object_set_new(seen, prefix, json_string(SEEN_IMPLICIT_DIR));
    else if (strcmp(kind, SEEN_SYMLINK) == 0)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': path goes through symlink '%s'", name, prefix);
    else if (strcmp(kind, SEEN_FILE) == 0)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': path goes through file '%s'", name, prefix);
    *slash = '/';
  }
  return 0;
}

static int record_entry(json_t *seen, const char *name, const char *kind, tb_error **err) {
  const char *prev = json_string_value(json_object_get(seen, name));
  if (prev != NULL) {
    bool implicit_dir_made_explicit = strcmp(prev, SEEN_IMPLICIT_DIR) == 0 && strcmp(kind, SEEN_DIR) == 0;
    if (!implicit_dir_made_explicit)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': duplicate entry", name);
  }
  json_object_set_new(seen, name, json_string(kind));
  return 0;
}

static const char *type_name(mode_t type) {
  switch (type) {
  case AE_IFCHR: return "character device";
  case AE_IFBLK: return "block device";
  case AE_IFIFO: return "fifo";
  case AE_IFSOCK: return "socket";
  default: return "unsupported file type";
  }
}

/* Check one entry against the tree so far and rewrite it to be extracted under dest with
 * normalised permissions. Returns 1 for the archive's root directory entry, which is skipped. */
static int admit_entry(struct archive_entry *entry, json_t *seen, const char *dest, tb_error **err) {
  const char *raw = tb_archive.entry_pathname(entry);
  cleanup_free char *name = normalise_name(raw, err);
  if (name == NULL)
    return -EINVAL;
  mode_t type = tb_archive.entry_filetype(entry);
  const char *hardlink = tb_archive.entry_hardlink(entry);
  if (name[0] == '\0') {
    if (type != AE_IFDIR)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': not a directory but names the root", raw);
    return 1;
  }
  if (hardlink == NULL && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': %s", raw, type_name(type));
  if (tb_archive.entry_perm(entry) & (S_ISUID | S_ISGID | S_ISVTX))
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': setuid, setgid or sticky bit (mode %04o)", raw,
                        (unsigned)tb_archive.entry_perm(entry));
  int ret = record_parents(seen, name, err);
  if (ret < 0)
    return ret;

  const char *kind = type == AE_IFDIR ? SEEN_DIR : type == AE_IFLNK ? SEEN_SYMLINK : SEEN_FILE;
  if (hardlink != NULL) {
    tb_error *bad_target = NULL;
    cleanup_free char *target = normalise_name(hardlink, &bad_target);
    if (target == NULL) {
      tb_error_discard(&bad_target);
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': hard link to '%s' leaves the tree", raw, hardlink);
    }
    const char *target_kind = json_string_value(json_object_get(seen, target));
    if (target_kind == NULL || strcmp(target_kind, SEEN_FILE) != 0)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': hard link to '%s', not an earlier file in the archive",
                          raw, hardlink);
    cleanup_free char *full_target = xasprintf("%s/%s", dest, target);
    tb_archive.entry_set_hardlink(entry, full_target);
    kind = SEEN_FILE;
  } else if (type == AE_IFLNK) {
    ret = check_symlink_target(raw, tb_archive.entry_symlink(entry), err);
    if (ret < 0)
      return ret;
  }
  ret = record_entry(seen, name, kind, err);
  if (ret < 0)
    return ret;

  cleanup_free char *full = xasprintf("%s/%s", dest, name);
  tb_archive.entry_set_pathname(entry, full);
  if (type == AE_IFDIR || (type == AE_IFREG && (tb_archive.entry_perm(entry) & 0111)))
    tb_archive.entry_set_perm(entry, 0755);
  else if (type == AE_IFREG)
    tb_archive.entry_set_perm(entry, 0644);
  tb_archive.entry_set_uid(entry, 0);
  tb_archive.entry_set_gid(entry, 0);
  return 0;
}

struct budget {
  uint64_t bytes, entries;
  const struct unpack_limits *limits;
};

static int check_bytes(const struct budget *b, const char *name, uint64_t n, tb_error **err) {
  if (n > b->limits->max_bytes - b->bytes)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': archive expands past the limit of %llu bytes", name,
                        (unsigned long long)b->limits->max_bytes);
  return 0;
}

static int charge_bytes(struct budget *b, const char *name, uint64_t n, tb_error **err) {
  int ret = check_bytes(b, name, n, err);
  if (ret < 0)
    return ret;
  b->bytes += n;
  return 0;
}

static int copy_entry_data(struct archive *in, struct archive *out, const char *name, struct budget *b,
                           tb_error **err) {
  for (;;) {
    const void *buf;
    size_t size;
    la_int64_t offset;
    int r = tb_archive.read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF)
      return 0;
    if (r != ARCHIVE_OK)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': %s", name, tb_archive.error_string(in));
    int ret = charge_bytes(b, name, size, err);
    if (ret < 0)
      return ret;
    if (tb_archive.write_data_block(out, buf, size, offset) != ARCHIVE_OK)
      return tb_error_set(err, TB_EXIT_INPUT, tb_archive.error_number(out), "entry '%s': write: %s", name,
                          tb_archive.error_string(out));
  }
}

static int extract_one(struct archive *in, struct archive *out, struct archive_entry *entry, json_t *seen,
                       const char *dest, struct budget *b, tb_error **err) {
  cleanup_free char *name = xstrdup(tb_archive.entry_pathname(entry));
  if (++b->entries > b->limits->max_entries)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entry '%s': archive has more than %llu entries", name,
                        (unsigned long long)b->limits->max_entries);
  int ret = admit_entry(entry, seen, dest, err);
  if (ret != 0)
    return ret < 0 ? ret : 0;
  /* A declared size past the budget is refused before anything is written (sparse files too). */
  if (tb_archive.entry_size(entry) > 0) {
    ret = check_bytes(b, name, (uint64_t)tb_archive.entry_size(entry), err);
    if (ret < 0)
      return ret;
  }
  if (tb_archive.write_header(out, entry) != ARCHIVE_OK)
    return tb_error_set(err, TB_EXIT_INPUT, tb_archive.error_number(out), "entry '%s': %s", name,
                        tb_archive.error_string(out));
  if (tb_archive.entry_filetype(entry) == AE_IFREG && tb_archive.entry_hardlink(entry) == NULL) {
    ret = copy_entry_data(in, out, name, b, err);
    if (ret < 0)
      return ret;
  }
  if (tb_archive.write_finish_entry(out) != ARCHIVE_OK)
    return tb_error_set(err, TB_EXIT_INPUT, tb_archive.error_number(out), "entry '%s': %s", name,
                        tb_archive.error_string(out));
  return 0;
}

int unpack_archive(int fd, const char *archive, const char *dest, const struct unpack_limits *limits,
                   tb_error **err) {
  int ret = tb_archive_load(err);
  if (ret < 0)
    return ret;
  cleanup_archive_read struct archive *in = open_tar_reader(fd, archive, err);
  if (in == NULL)
    return -EINVAL;
  cleanup_archive_write struct archive *out = tb_archive.write_disk_new();
  if (out == NULL)
    abort();
  /* Our own checks above are the policy; NODOTDOT is a second line should one ever be missed. */
  tb_archive.write_disk_set_options(out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                             ARCHIVE_EXTRACT_NO_OVERWRITE);
  cleanup_json json_t *seen = json_object();
  struct budget b = {.limits = limits};
  for (;;) {
    struct archive_entry *entry;
    int r = tb_archive.read_next_header(in, &entry);
    if (r == ARCHIVE_EOF)
      break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return tb_error_set(err, TB_EXIT_INPUT, 0, "%s: %s", archive, tb_archive.error_string(in));
    if (extract_one(in, out, entry, seen, dest, &b, err) < 0)
      return tb_error_wrap(err, "%s", archive);
  }
  if (tb_archive.write_close(out) != ARCHIVE_OK)
    return tb_error_set(err, TB_EXIT_INPUT, tb_archive.error_number(out), "%s: %s", archive,
                        tb_archive.error_string(out));
  return 0;
}

static int copy_fd(int from, int to) {
  for (;;) {
    ssize_t n = copy_file_range(from, NULL, to, NULL, 1 << 30, 0);
    if (n == 0)
      return 0;
    if (n > 0)
      continue;
    if (errno == EINTR)
      continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return -1;
    break; /* no in-kernel copy between these files: fall back to read/write */
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(from, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return (int)n;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(to, buf + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      done += w;
    }
  }
}

int unpack_single_file(int from, const char *path, const char *dest, const char *entrypoint, tb_error **err) {
  if (entrypoint[0] == '\0' || strchr(entrypoint, '/') || strcmp(entrypoint, ".") == 0 ||
      strcmp(entrypoint, "..") == 0)
    return tb_error_set(err, TB_EXIT_INPUT, 0, "entrypoint '%s': not a plain file name", entrypoint);
  cleanup_free char *bin = xasprintf("%s/bin", dest);
  if (mkdir(bin, 0755) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "mkdir %s", bin);
  cleanup_free char *target = xasprintf("%s/%s", bin, entrypoint);
  cleanup_close int to = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
  if (to < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "create %s", target);
  if (copy_fd(from, to) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "copy %s to %s", path, target);
  if (fchmod(to, 0755) < 0)
    return tb_error_set(err, TB_EXIT_INPUT, errno, "chmod %s", target);
  return 0;
}
