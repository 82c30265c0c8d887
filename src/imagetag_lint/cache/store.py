"""The cache directory: entries written atomically, read back only when they check out.

An entry is `MAGIC`, a 16-byte blake2b digest of the payload, then the payload (`marshal` of
plain data). A truncated or corrupt entry fails the digest and is never decoded; an entry of
another format or for another key is ignored by its reader. Writes go to a temporary file in
the same directory and `os.replace` it in, so a concurrent reader sees the old entry or the new
one, never half of one, and two writers of one entry simply leave the last one.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

try:  # the C module itself: `hashlib` costs milliseconds of start-up that a warm run notices
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has it; other interpreters go through hashlib
    from hashlib import blake2b

MAGIC = b"imagetag-lint-cache 1\n"
_DIGEST = 16
TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by imagetag-lint.\n"


def digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=_DIGEST).digest()


def digest_of_parts(parts: Iterable[bytes]) -> bytes:
    """`digest(b"".join(parts))`, without the joined bytes in memory at once."""
    hashed = blake2b(digest_size=_DIGEST)
    for part in parts:
        hashed.update(part)
    return hashed.digest()


class CacheDir:
    """One cache directory. Nothing here raises: a failed read is a miss, a failed write is
    remembered in `problem` (the command line prints it once, as a warning)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self._ready = False

    def read(self, name: str) -> Any:  # plain data whose shape its reader checks
        """The payload of entry name, or None when it is missing, cut short or corrupt."""
        try:
            with open(self.path / name, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        head = len(MAGIC) + _DIGEST
        if len(data) < head or not data.startswith(MAGIC) or digest(data[head:]) != data[len(MAGIC) : head]:
            return None
        try:
            return marshal.loads(data[head:])
        except (EOFError, ValueError, TypeError):
            return None

    def write(self, name: str, payload: Any) -> None:  # plain data, as marshal takes it
        if not self._prepare():
            return
        data = marshal.dumps(payload)
        target = self.path / name
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(MAGIC + digest(data))
                handle.write(data)  # not joined: a second copy of a large table
            os.replace(temporary, target)
        except OSError as error:
            self._failed(error)
            _remove(temporary)

    def prune(self, folder: str, keep: int, prefix: str = "") -> None:
        """Remove all but the keep most recently written entries of folder whose names start
        with prefix."""
        try:
            entries = [e for e in os.scandir(self.path / folder) if e.name.startswith(prefix) and e.is_file()]
        except OSError:
            return
        entries.sort(key=_written, reverse=True)
        for entry in entries[keep:]:
            _remove(Path(entry.path))

    def _prepare(self) -> bool:
        """Create the directory with its `CACHEDIR.TAG` and a `.gitignore` of `*`, once."""
        if self._ready or self.problem is not None:
            return self.problem is None
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            for name, text in (("CACHEDIR.TAG", TAG), (".gitignore", "*\n")):
                if not (self.path / name).is_file():
                    _write_new(self.path / name, text.encode())
        except OSError as error:
            self._failed(error)
            return False
        self._ready = True
        return True

    def _failed(self, error: OSError) -> None:
        if self.problem is None:
            self.problem = f"{self.path}: cannot write the cache: {error.strerror or error}"


def _write_new(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def _written(entry: os.DirEntry[str]) -> int:
    try:
        return entry.stat().st_mtime_ns
    except OSError:
        return 0


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass

