"""What a lint read beyond its inputs (siblings, imported packages, go.mod files, directory
listings), so that a cached result names every file its analysis could have seen. The readers
in `files.py` report here; only a lint run through the cache turns the log on."""

from __future__ import annotations

from collections.abc import Iterable


class ReadLog:
    def __init__(self, inputs: Iterable[str]) -> None:
        self.inputs = frozenset(inputs)
        # path -> (its bytes, None when absent or unreadable; how many were read at most, -1 for all)
        self.files: dict[str, tuple[bytes | None, int]] = {}
        self.listings: dict[str, tuple[str, ...]] = {}  # directory -> the Go files it held

    def read(self, path: str, source: bytes | None, limit: int = -1) -> None:
        if path not in self.inputs:
            self.files.setdefault(path, (source, limit))


_log: ReadLog | None = None


def log_reads(log: ReadLog | None) -> None:
    """Start (or, with None, stop) recording what the lint reads beyond its inputs."""
    global _log  # one lint per process at a time; the readers are deep in the engine
    _log = log


def note_file(path: str, source: bytes | None, limit: int = -1) -> None:
    if _log is not None:
        _log.read(path, source, limit)


def note_listing(directory: str, found: list[str]) -> None:
    if _log is not None:
        _log.listings[directory] = tuple(found)
