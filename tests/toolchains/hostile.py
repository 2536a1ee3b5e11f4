#!/usr/bin/env python3
"""Write the hostile (and one harmless) archives the unpack tests feed to `teebuild toolchain add`.

usage: hostile.py OUTDIR -- writes OUTDIR/<case>.tar.gz and OUTDIR/cases.tsv: one line per case,
"<case>\t<entry the error must name>", in the order written.
"""
import io
import os
import sys
import tarfile


def member(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(outdir, case, members):
    with tarfile.open(os.path.join(outdir, case + ".tar.gz"), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, data)


def main(outdir):
    def exe():
        return member("bin/tool", data=b"#!/bin/true\n", mode=0o755)

    cases = [
        # (case, entry named in the error, members)
        ("absolute", "/etc/evil", [exe(), member("/etc/evil", data=b"x")]),
        ("dotdot", "../evil", [exe(), member("../evil", data=b"x")]),
        ("dotdot_inner", "bin/../../evil", [exe(), member("bin/../../evil", data=b"x")]),
        ("symlink_out", "bin/passwd", [exe(), member("bin/passwd", tarfile.SYMTYPE, linkname="../../etc/passwd")]),
        ("symlink_abs", "bin/sh", [exe(), member("bin/sh", tarfile.SYMTYPE, linkname="/bin/sh")]),
        # a symlink that climbs back down through another one that climbed up
        ("symlink_chain", "x", [exe(), member("p/q/y", tarfile.SYMTYPE, linkname="../.."),
                                member("x", tarfile.SYMTYPE, linkname="p/q/y/..")]),
        ("through_symlink", "l/f", [exe(), member("l", tarfile.SYMTYPE, linkname="bin"),
                                    member("l/f", data=b"x")]),
        ("hardlink_out", "bin/h", [exe(), member("bin/h", tarfile.LNKTYPE, linkname="../outside")]),
        ("hardlink_missing", "bin/h", [exe(), member("bin/h", tarfile.LNKTYPE, linkname="bin/nothing")]),
        ("device", "dev/null", [exe(), member("dev/null", tarfile.CHRTYPE, mode=0o666)]),
        ("fifo", "bin/pipe", [exe(), member("bin/pipe", tarfile.FIFOTYPE)]),
        ("setuid", "bin/su", [exe(), member("bin/su", data=b"x", mode=0o4755)]),
        ("setgid", "bin/sg", [exe(), member("bin/sg", data=b"x", mode=0o2755)]),
        ("duplicate", "bin/tool", [exe(), member("bin/tool", data=b"again", mode=0o755)]),
        # 2 MiB of zeros, added with --max-size 1M: a size bomb in miniature
        ("size_bomb", "big", [exe(), member("big", data=bytes(2 << 20))]),
        # 1001 entries (bin/tool, many/0..999), added with --max-entries 1000
        ("entry_bomb", "many/999", [exe()] + [member(f"many/{i}") for i in range(1000)]),
    ]
    with open(os.path.join(outdir, "cases.tsv"), "w") as tsv:
        for case, entry, members in cases:
            write(outdir, case, members)
            tsv.write(f"{case}\t{entry}\n")
    write(outdir, "harmless", [exe(), member("toolchain.json", data=b'{"name": "harmless", "version": "1.0", '
                                                                b'"entrypoints": ["tool"]}\n'),
                               member("bin/link", tarfile.SYMTYPE, linkname="tool"),
                               member("bin/hard", tarfile.LNKTYPE, linkname="bin/tool"),
                               member("share/doc/README", data=b"fine\n")])


if __name__ == "__main__":
    main(sys.argv[1])
