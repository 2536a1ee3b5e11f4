"""A FUSE stand-in for the kernel's configfs-tsm report interface (what
/sys/kernel/config/tsm/report is on a TDX guest), so the tsm provider runs unchanged on machines
without one.

  tsm_standin.py MOUNTPOINT TEEBUILD [race|sev]

Like the kernel: mkdir makes a report entry holding inblob (write-only), outblob, generation and
provider (read-only); each write to inblob bumps generation; outblob is the quote over the last
inblob (made with `TEEBUILD --tee simulated quote`, so it is a real simulated TDX quote), produced
when read. With "race", every inblob write also counts one write by another process, as if a
second writer shared the entry. With "sev", the provider is sev_guest (an AMD SEV-SNP guest).
Runs in the foreground until unmounted."""
import errno
import stat
import subprocess
import sys
import time

from fusepy import FUSE, FuseOSError, Operations

ATTRS = {"inblob": 0o200, "outblob": 0o444, "generation": 0o444, "provider": 0o444}


class Entry:
    def __init__(self):
        self.inblob = b""
        self.generation = 0
        self.quoted = None  # (generation, quote)


class Tsm(Operations):
    def __init__(self, teebuild, mode):
        self.teebuild, self.race, self.entries = teebuild, mode == "race", {}
        self.provider = b"sev_guest\n" if mode == "sev" else b"tdx_guest\n"

    def split(self, path):
        parts = [p for p in path.split("/") if p]
        entry = self.entries.get(parts[0]) if parts else None
        if parts and entry is None or len(parts) == 2 and parts[1] not in ATTRS or len(parts) > 2:
            raise FuseOSError(errno.ENOENT)
        return entry, parts[1] if len(parts) == 2 else None

    def outblob(self, e):
        if e.quoted is None or e.quoted[0] != e.generation:
            hexq = subprocess.run([self.teebuild, "--tee", "simulated", "quote", "--report-data", e.inblob.hex()],
                                  check=True, capture_output=True, text=True).stdout.strip()
            e.quoted = (e.generation, bytes.fromhex(hexq))
        return e.quoted[1]

    def content(self, e, attr):
        if attr == "generation":
            return b"%d\n" % e.generation
        if attr == "provider":
            return self.provider
        if attr == "outblob":
            return self.outblob(e)
        return b""

    def getattr(self, path, fh=None):
        e, attr = self.split(path)
        now = time.time()
        base = {"st_uid": 0, "st_gid": 0, "st_atime": now, "st_mtime": now, "st_ctime": now}
        if attr is None:
            return dict(base, st_mode=stat.S_IFDIR | 0o755, st_nlink=2)
        size = 4096 if attr == "outblob" else len(self.content(e, attr))
        return dict(base, st_mode=stat.S_IFREG | ATTRS[attr], st_nlink=1, st_size=size)

    def readdir(self, path, fh):
        e, _ = self.split(path)
        return [".", ".."] + (list(ATTRS) if e else list(self.entries))

    def mkdir(self, path, mode):
        parts = [p for p in path.split("/") if p]
        if len(parts) != 1:
            raise FuseOSError(errno.EPERM)
        self.entries[parts[0]] = Entry()

    def rmdir(self, path):
        self.entries.pop(path.strip("/"), None)

    def open(self, path, flags):
        self.split(path)
        return 0

    def truncate(self, path, length, fh=None):
        return 0

    def read(self, path, size, offset, fh):
        e, attr = self.split(path)
        return self.content(e, attr)[offset:offset + size]

    def write(self, path, data, offset, fh):
        e, attr = self.split(path)
        if attr != "inblob":
            raise FuseOSError(errno.EACCES)
        e.inblob = bytes(data)
        e.generation += 2 if self.race else 1
        return len(data)


if __name__ == "__main__":
    FUSE(Tsm(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""), sys.argv[1], foreground=True,
         nothreads=True, direct_io=True)
