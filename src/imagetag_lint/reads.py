"""What a lint read beyond the inputs whose bytes key its cached result (siblings, imported
packages, clean inputs it looked into after all, go.mod files, directory listings, the files a
module search opened), so that a cached result names every file its analysis could have seen.
The readers report here; only a lint run through the cache turns the log on."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable

from imagetag_lint.regular import read_regular

EXISTS = -2  # the `limit` of a file whose existence alone was asked
PACKED_ENTRIES = 1024  # entries the log holds before it packs them (`ReadLog.pack`)
# what the log keeps of a file: the digest of all its bytes (most files: no pair each), or (the
# digest, None when absent or unreadable; how many were read at most, -1 for all of a Go file,
# EXISTS when only whether it is a file was asked)
Seen = bytes | tuple[bytes | None, int]


class ReadLog:
    def __init__(self, inputs: Collection[str], keyed: Callable[[str, bytes], bool] | None = None) -> None:
        # imported here: only a lint through the cache logs, and a run without it loads no hashing
        from imagetag_lint.cache.store import digest

        self.digest = digest
        self.inputs = inputs  # files whose bytes the key holds already: not logged
        # whether bytes read of an input are those its key holds (the lint reads an input again
        # when it parses it): one that changed since makes the result no answer for the key
        self._keyed = keyed
        self.inputs_changed = False
        # what was seen, as digests (`Seen`): a lint of a large tree reads thousands of siblings
        # and directories, and the log lasts the whole run
        self.files: dict[str, Seen] = {}
        self.listings: dict[str, bytes] = {}  # directory -> the digest of the Go files it held
        self.walks: dict[str, bytes] = {}  # directory -> the digest of what a walk saw in it (walk_listing)
        self._packed: list[bytes] = []  # what `pack` put away, in order

    def read(self, path: str, source: bytes | None, limit: int = -1) -> None:
        """Keep the most of path that was read: a module search asks whether a file exists
        before the lint reads all of it, and the cached result depends on all of it then."""
        if path in self.inputs:
            if self._keyed is not None and limit == -1 and (source is None or not self._keyed(path, source)):
                self.inputs_changed = True
            return
        if _more(self.files.get(path), limit):
            found = None if source is None else self.digest(source)
            self.files[path] = found if found is not None and limit == -1 else (found, limit)
            self.grew()

    def listed(self, directory: str, names: Iterable[str]) -> None:
        """Keep the digest of what a listing of the Go files of directory found."""
        self.listings[directory] = self.listing(names)
        self.grew()

    def walked(self, directory: str, names: Iterable[str]) -> None:
        """Keep the digest of what a walk saw in directory (`walk_listing`)."""
        self.walks[directory] = self.listing(names)
        self.grew()

    def grew(self) -> None:
        if len(self.files) + len(self.listings) + len(self.walks) >= PACKED_ENTRIES:
            self.pack()

    def pack(self) -> None:
        """Put what was logged so far away, compressed: the lint of a large tree logs the paths
        of every directory of the tree, and they need not take memory while its trees are
        parsed (the log packs itself every `PACKED_ENTRIES`, and a lint of several modules
        after each one). `unpack` takes every part back."""
        import marshal
        import zlib

        if self.files or self.listings or self.walks:
            self._packed.append(zlib.compress(marshal.dumps((self.files, self.listings, self.walks)), 1))
            self.files, self.listings, self.walks = {}, {}, {}

    def unpack(self) -> None:
        """The log whole again, as if it had never been packed: the parts are taken in the
        order they were logged, each file keeping the first read that saw the most of it."""
        import marshal
        import zlib

        if not self._packed:
            return
        files: dict[str, Seen] = {}
        listings: dict[str, bytes] = {}
        walks: dict[str, bytes] = {}
        parts = [marshal.loads(zlib.decompress(part)) for part in self._packed]
        for part_files, part_listings, part_walks in [*parts, (self.files, self.listings, self.walks)]:
            for path, seen in part_files.items():
                if _more(files.get(path), -1 if isinstance(seen, bytes) else seen[1]):
                    files[path] = seen
            listings.update(part_listings)
            walks.update(part_walks)
        self.files, self.listings, self.walks, self._packed = files, listings, walks, []

    def dependencies(self) -> list[tuple[str, int, bytes | None]]:
        """(path, how much of it was read, its digest) of each file read, by path."""
        return [
            (path, -1, seen) if isinstance(seen, bytes) else (path, seen[1], seen[0])
            for path, seen in sorted(self.files.items())
        ]

    def listing(self, names: Iterable[str]) -> bytes:
        return self.digest(listing_bytes(names))


def listing_bytes(names: Iterable[str]) -> bytes:
    """A directory listing (the names, in order) as bytes, for a cached result to keep their digest."""
    return "\0".join(names).encode("utf-8", "surrogateescape")


def _more(known: Seen | None, limit: int) -> bool:
    """Does a read of limit bytes see more of a file than the read known (None: none yet)?"""
    return known is None or (not isinstance(known, bytes) and _extent(limit) > _extent(known[1]))


def _extent(limit: int) -> float:
    """How much of a file a read saw: whether it exists, some bytes, or all (-1)."""
    return float("inf") if limit == -1 else limit


_log: ReadLog | None = None


def pack_reads() -> None:
    """`ReadLog.pack` the log, if one is kept."""
    if _log is not None:
        _log.pack()


def log_reads(log: ReadLog | None) -> None:
    """Start (or, with None, stop) recording what the lint reads beyond its inputs."""
    global _log  # one lint per process at a time; the readers are deep in the engine
    _log = log


def note_file(path: str, source: bytes | None, limit: int = -1) -> None:
    if _log is not None:
        _log.read(path, source, limit)


def note_listing(directory: str, found: list[str]) -> None:
    if _log is not None:
        _log.listed(directory, found)


def note_walk(directory: str, directories: Iterable[str], files: Iterable[str]) -> None:
    """What `os.walk` listed in directory, before any filtering."""
    if _log is not None:
        _log.walked(directory, walk_listing(directories, files))


def walk_listing(directories: Iterable[str], files: Iterable[str]) -> tuple[str, ...]:
    # hidden directories are left out: no reader looks into one (nor can a Python import name
    # one), and the cache's own directory appears in the project root after the first run
    return (*sorted(d + "/" for d in directories if not d.startswith(".")), *sorted(files))


def walked(directory: str) -> tuple[str, ...]:
    """walk_listing of directory as `os.walk` sees it now (empty when it cannot be listed)."""
    for _, directories, files in os.walk(directory):
        return walk_listing(directories, files)
    return ()


def listed(directory: str) -> tuple[str, ...]:
    """walked(directory), logged: an entry that appears or goes away changes the answer."""
    found = walked(directory)
    if _log is not None:
        _log.walked(directory, found)
    return found


def is_file(path: str) -> bool:
    """os.path.isfile, logged: a file that appears or goes away changes the answer."""
    found = os.path.isfile(path)
    note_file(path, b"" if found else None, EXISTS)
    return found


def read_at_most(path: str, largest: int) -> bytes | None:
    """The bytes of a regular file, or None when it holds more than largest; OSError when it
    cannot be read. Logged with what was read (one byte more than largest, at most)."""
    try:
        data = read_regular(path, largest + 1)
    except OSError:
        note_file(path, None, largest + 1)
        raise
    note_file(path, data, largest + 1)
    return data if len(data) <= largest else None
