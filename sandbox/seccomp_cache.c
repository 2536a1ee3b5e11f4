/* The compiled seccomp profiles kept on disk, crun-style, so that a new process neither compiles
 * the profile (libseccomp, ~0.6 ms): a sixth of tb-jail-run's CPU time.
 *
 * A file holds "tbseccomp2\n" and the BPF, exactly as libseccomp exported it. Its name
 * is everything the bytes depend on: the profile, the build-id of the code holding the profile
 * tables and rules (this object), libseccomp's version, and the kernel (libseccomp probes its API
 * level). What is loaded is what the kernel enforces, so the cache is trusted exactly like the
 * caller's own files: the directory and the file must belong to the caller's euid and be writable
 * by no one else, else they are ignored and the profile is compiled. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "sandbox/jail_internal.h"

/* Version 1 also held the BPF's digest; the caller digests the BPF now. */
#define CACHE_MAGIC "tbseccomp2\n"
#define CACHE_HEADER_LEN (sizeof(CACHE_MAGIC) - 1)
#define BUILD_ID_MAX 64

struct build_id_search {
  uintptr_t addr; /* an address inside the object whose build-id we want */
  char hex[2 * BUILD_ID_MAX + 1];
};

static bool object_holds(const struct dl_phdr_info *info, uintptr_t addr) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && addr >= start && addr - start < ph->p_memsz)
      return true;
  }
  return false;
}

/* The NT_GNU_BUILD_ID note among a PT_NOTE segment's notes, hex-encoded into hex. */
static bool read_build_id(const char *p, const char *end, size_t align, char *hex) {
  while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
    const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(const void *)p;
    const char *name = p + sizeof(*n);
    const char *desc = name + ((n->n_namesz + align - 1) & ~(align - 1));
    if (desc > end || (size_t)(end - desc) < n->n_descsz)
      return false;
    if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
        n->n_descsz > 0 && n->n_descsz <= BUILD_ID_MAX) {
      tb_hex_encode((const unsigned char *)desc, n->n_descsz, hex);
      return true;
    }
    p = desc + ((n->n_descsz + align - 1) & ~(align - 1));
  }
  return false;
}

/* Where the object is loaded, as a pointer: its program headers sit at PT_PHDR's address. */
static const char *load_base(const struct dl_phdr_info *info) {
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_PHDR)
      return (const char *)info->dlpi_phdr - info->dlpi_phdr[i].p_vaddr;
  return NULL;
}

static int find_build_id(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size;
  struct build_id_search *s = data;
  if (!object_holds(info, s->addr))
    return 0;
  const char *base = load_base(info);
  for (int i = 0; base && i < info->dlpi_phnum && s->hex[0] == '\0'; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_NOTE)
      read_build_id(base + ph->p_vaddr, base + ph->p_vaddr + ph->p_memsz, ph->p_align == 8 ? 8 : 4,
                    s->hex);
  }
  return 1;
}

/* "<profile>-<build-id>-<libseccomp version>-<machine>-<kernel release>", or NULL without a
 * build-id (then nothing names this code's rules, and nothing is cached). */
static char *cache_name(const char *profile) {
  struct build_id_search s = {.addr = (uintptr_t)&cache_name};
  struct utsname u;
  if (dl_iterate_phdr(find_build_id, &s) == 0 || s.hex[0] == '\0' || uname(&u) < 0)
    return NULL;
  const struct scmp_version *v = seccomp_version();
  char *name = xasprintf("%s-%s-%u.%u.%u-%s-%s", profile, s.hex, v->major, v->minor, v->micro,
                         u.machine, u.release);
  for (char *c = name; *c; c++) /* a kernel release is free text: keep one path component */
    if (*c == '/')
      *c = '_';
  return name;
}

static bool private_to_us(const struct stat *st) {
  return st->st_uid == geteuid() && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static bool parse_cached(const char *data, size_t len, struct seccomp_program *prog) {
  if (len <= CACHE_HEADER_LEN)
    return false;
  size_t bpf_len = len - CACHE_HEADER_LEN;
  if (bpf_len % sizeof(struct sock_filter) != 0 ||
      bpf_len / sizeof(struct sock_filter) > BPF_MAXINSNS ||
      memcmp(data, CACHE_MAGIC, CACHE_HEADER_LEN) != 0)
    return false;
  void *bpf = xmalloc(bpf_len);
  memcpy(bpf, data + CACHE_HEADER_LEN, bpf_len);
  prog->bpf = bpf;
  prog->len = bpf_len;
  return true;
}

bool seccomp_cache_load(const char *dir, const char *profile, struct seccomp_program *prog) {
  cleanup_free char *name = cache_name(profile);
  cleanup_close int dfd = name ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  cleanup_close int fd = dfd >= 0 ? openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
  struct stat dst, st;
  if (fd < 0 || fstat(dfd, &dst) < 0 || fstat(fd, &st) < 0 || !private_to_us(&dst) ||
      !private_to_us(&st) || !S_ISREG(st.st_mode) ||
      st.st_size > (off_t)(CACHE_HEADER_LEN + BPF_MAXINSNS * sizeof(struct sock_filter)))
    return false;
  cleanup_free char *data = xmalloc((size_t)st.st_size);
  if (pread(fd, data, (size_t)st.st_size, 0) != st.st_size || !parse_cached(data, (size_t)st.st_size, prog)) {
    tb_debug("sandbox: ignoring the unusable seccomp cache file %s/%s", dir, name);
    return false;
  }
  return true;
}

void seccomp_cache_store(const char *dir, const char *profile, const struct seccomp_program *prog) {
  cleanup_free char *name = cache_name(profile);
  if (name == NULL || (mkdir(dir, 0700) < 0 && errno != EEXIST))
    return;
  size_t len = CACHE_HEADER_LEN + prog->len;
  cleanup_free char *data = xmalloc(len);
  memcpy(data, CACHE_MAGIC, CACHE_HEADER_LEN);
  memcpy(data + CACHE_HEADER_LEN, prog->bpf, prog->len);
  cleanup_free char *path = xasprintf("%s/%s", dir, name);
  cleanup_error tb_error *err = NULL;
  if (tb_write_file_atomic(path, data, len, 0644, &err) < 0)
    tb_debug("sandbox: seccomp cache not written: %s", err->msg);
}
