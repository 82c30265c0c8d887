"""Splitting a cheap job over several processes, only when there is enough of it to pay.

Reading and prefiltering a large tree is the one part of a lint that needs no shared state: each
file is settled on its own. On Linux, `map_split` forks children that take every n-th item and
send their results back through a pipe as `marshal` data. Forking costs a few milliseconds, so
small inputs (a pre-commit run) stay in one process. Whatever goes wrong in a child (it cannot
be forked, it dies, its data is cut short), the parent does that share itself: nothing is lost.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_PROCESSES = 4


def processes_for(items: int, min_items: int) -> int:
    """How many processes to use for this many items (1: do it all here)."""
    if items < min_items or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES, items // max(1, min_items // 2)))


def map_split(function: Callable[[T], R], items: Sequence[T], *, min_items: int) -> list[R]:
    """[function(item) for item in items], shared among processes when items are many.

    Results must be made of what `marshal` carries (None, bool, int, str, bytes, tuple, list,
    dict); function must not change state the parent relies on, since a child's changes are lost.
    """
    return Split(function, items, min_items=min_items).results()


class Split(Generic[T, R]):
    """`map_split` started now and finished by `results()`: the children work meanwhile.

    With `busy=True` the caller has other work to do before it asks for the results (imports,
    say): then every CPU gets a child and the caller keeps one share for itself, done last.
    """

    def __init__(self, function: Callable[[T], R], items: Sequence[T], *, min_items: int, busy: bool = False) -> None:
        self.function = function
        self.items = items
        processes = processes_for(len(items), min_items)
        self.shares = processes + 1 if busy and processes > 1 else processes
        self.children: list[tuple[int, int, int]] = []  # (share, pid, read end of its pipe)
        for share in range(1, self.shares):
            child = _fork(function, items[share :: self.shares])
            if child is not None:
                self.children.append((share, *child))

    def results(self) -> list[R]:
        function, items, count = self.function, self.items, self.shares
        results: list[R | None] = [None] * len(items)
        done = {share for share, _, _ in self.children}
        for share in range(count):
            if share not in done:
                results[share::count] = [function(item) for item in items[share::count]]
        for share, pid, read_end in self.children:
            values: list[R] | None = _collect(pid, read_end, len(items[share::count]))
            if values is None:  # the child failed: its share is done here
                values = [function(item) for item in items[share::count]]
            results[share::count] = values
        self.children = []
        return results  # type: ignore[return-value]


def _fork(function: Callable[[T], R], share: Sequence[T]) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: compute, send, and leave without running any exit handler
        code = 1
        try:
            os.close(read_end)
            data = memoryview(marshal.dumps([function(item) for item in share]))
            while data:
                data = data[os.write(write_end, data) :]
            code = 0
        except BaseException:  # noqa: BLE001, S110 - the parent redoes this share
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, read_end: int, expected: int) -> list[R] | None:
    chunks = []
    try:
        while chunk := os.read(read_end, 1 << 20):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(read_end)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        status = 1
    if status != 0 or not chunks:
        return None
    try:
        values = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != expected:
        return None
    return values
