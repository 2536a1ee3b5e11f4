/* Unpacking toolchain archives into a staging tree, refusing anything that could reach outside it. */
#ifndef TB_TOOLCHAINS_UNPACK_H
#define TB_TOOLCHAINS_UNPACK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Hard caps on what one archive may expand to: a compressed archive is tiny input for a huge tree. */
#define UNPACK_DEFAULT_MAX_BYTES (UINT64_C(4) << 30)
#define UNPACK_DEFAULT_MAX_ENTRIES UINT64_C(500000)

struct unpack_limits {
  uint64_t max_bytes;   /* total bytes of file contents */
  uint64_t max_entries; /* archive entries (files, directories, links) */
};

/* Reading from fd's current offset (callers rewind afterwards): 1 when it is a tar archive, plain or compressed with zstd, xz or gzip; 0 for any other
 * file, which installs as a single program (lock kind "file"); negative when libarchive cannot be loaded. */
int unpack_is_archive(int fd, tb_error **err);

/* Extract the archive read from fd (at its current offset; name is for messages) into dest (an existing, empty directory). Refuses, with TB_EXIT_INPUT and a
 * message naming the entry: absolute paths, "..", entries reached through a symlink, symlinks whose
 * target leaves the tree, hard links to anything but an earlier regular file, devices, fifos,
 * sockets, setuid/setgid/sticky bits, duplicate entries, and archives past the limits. Regular files
 * get mode 0755 when any execute bit is set, else 0644; directories 0755. */
int unpack_archive(int fd, const char *name, const char *dest, const struct unpack_limits *limits,
                   tb_error **err);

/* Install the file read from fd as dest/bin/<entrypoint>, mode 0755. */
int unpack_single_file(int fd, const char *name, const char *dest, const char *entrypoint, tb_error **err);

#endif
