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
#include <link.h> /* ElfW */
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

/* The start of the object this code is linked into, where the linker maps its ELF header (GNU ld,
 * gold, lld): executable, static-pie or shared object alike, without a walk of the loaded objects.
 * Declared as bytes of unknown extent: the header is followed by the program headers. */
extern const char __ehdr_start[];

/* This object's build-id, hex-encoded into hex; false without one. Every address is taken from the
 * mapped header: the segment at file offset 0 holds it, so a segment's address is the header's
 * plus its p_vaddr minus that segment's. */
static bool own_build_id(char hex[2 * BUILD_ID_MAX + 1]) {
  ElfW(Ehdr) eh;
  memcpy(&eh, __ehdr_start, sizeof(eh));
  const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)(const void *)(__ehdr_start + eh.e_phoff);
  const ElfW(Phdr) *first = NULL;
  for (int i = 0; i < eh.e_phnum && first == NULL; i++)
    if (phdr[i].p_type == PT_LOAD && phdr[i].p_offset == 0)
      first = &phdr[i];
  for (int i = 0; first && i < eh.e_phnum; i++) {
    if (phdr[i].p_type != PT_NOTE || phdr[i].p_vaddr < first->p_vaddr)
      continue;
    const char *start = __ehdr_start + (phdr[i].p_vaddr - first->p_vaddr);
    if (read_build_id(start, start + phdr[i].p_memsz, phdr[i].p_align == 8 ? 8 : 4, hex))
      return true;
  }
  return false;
}

/* "<profile>-<build-id>-<libseccomp version>-<machine>-<kernel release>", or NULL without a
 * build-id (then nothing names this code's rules, and nothing is cached). */
static char *cache_name(const char *profile) {
  char build_id[2 * BUILD_ID_MAX + 1];
  struct utsname u;
  if (!own_build_id(build_id) || uname(&u) < 0)
    return NULL;
  const struct scmp_version *v = seccomp_version();
  char *name = xasprintf("%s-%s-%u.%u.%u-%s-%s", profile, build_id, v->major, v->minor, v->micro,
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
