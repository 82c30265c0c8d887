"""Reading a file that must be a regular one, without ever blocking on a FIFO or a device."""

from __future__ import annotations

import errno
import os
import stat


class NotRegularFile(OSError):
    """A FIFO, socket or device where a file was expected (a read could wait forever)."""

    def __init__(self, path: str, mode: int) -> None:
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO, socket or device"
        super().__init__(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL, f"not a regular file ({kind})", path)


def open_regular(path: str | os.PathLike[str]) -> int:
    """A descriptor for reading path, which is a regular file, or NotRegularFile. The open does
    not wait for a FIFO's writer (O_NONBLOCK), and nothing is read before the check."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(os.fspath(path), mode)
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def read_regular(path: str | os.PathLike[str], limit: int = -1) -> bytes:
    """The bytes of a regular file (at most limit of them when limit >= 0)."""
    with os.fdopen(open_regular(path), "rb") as handle:
        return handle.read(limit)
