"""Splitting a cheap job over several processes, only when there is enough of it to pay.

Reading and prefiltering a large tree is the one part of a lint that needs no shared state: each
file is settled on its own. On Linux, `Split` forks children that take every n-th item and
stream their results back through a pipe, a `marshal` frame every few dozen items, so the
parent can start on the first results (parsing the files worth it) while the children go on.
Forking costs a few milliseconds, so small inputs (a pre-commit run) stay in one process.
Whatever goes wrong in a child (it cannot be forked, it dies, its data is cut short), the parent
does the rest of that share itself: nothing is lost.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
OnResult = Callable[[int, R], "R | None"]  # sees a result as it arrives; may return what to keep instead

MAX_PROCESSES = 4
FRAME_ITEMS = 64  # results per frame a child sends
PIPE_BYTES = 1 << 20  # what a child may send ahead of the parent (Linux's usual maximum)
_HEADER = 4  # bytes of a frame's length


def processes_for(items: int, min_items: int) -> int:
    """How many processes to use for this many items (1: do it all here)."""
    if items < min_items or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_PROCESSES, items // max(1, min_items // 2)))


class Split(Generic[T, R]):
    """[function(item) for item in items], shared among forked processes when items are many:
    started now, finished by `results()`, the children working meanwhile.

    Results must be made of what `marshal` carries (None, bool, int, str, bytes, tuple, list,
    dict); function must not change state the parent relies on, since a child's changes are lost.

    With `busy=True` the caller has other work to do before it asks for the results (imports,
    say): then the children take every share and the caller keeps none.
    """

    def __init__(self, function: Callable[[T], R], items: Sequence[T], *, min_items: int, busy: bool = False) -> None:
        self.function = function
        self.items = items
        self.shares = processes_for(len(items), min_items)
        self.children: list[_Child] = []
        first = 0 if busy and self.shares > 1 else 1
        for share in range(first, self.shares):
            child = _Child.fork(function, items, share, self.shares, [c.read_end for c in self.children])
            if child is not None:
                self.children.append(child)

    def results(self, on_result: OnResult[R] | None = None) -> list[R]:
        """Every result, in the order of the items. `on_result(index, result)` sees each one as
        it arrives, in no particular order, and may return what to keep in its place (a result
        slimmed down, so that the list never holds all of every result at once). If anything
        raises, the children are stopped."""
        try:
            return self._results(on_result)
        finally:
            self.close()

    def close(self) -> None:
        """Stop and reap the children that are still running (nothing to do after `results()`)."""
        for child in self.children:
            child.stop()
        self.children = []

    def _results(self, on_result: OnResult[R] | None) -> list[R]:
        items, count = self.items, self.shares
        results: list[R | None] = [None] * len(items)
        done = [False] * len(items)

        def take(index: int, result: R) -> None:
            done[index] = True
            kept = on_result(index, result) if on_result is not None else None
            results[index] = result if kept is None else kept

        forked = {child.share for child in self.children}
        for share in range(count):
            if share not in forked:
                for index in range(share, len(items), count):
                    take(index, self.function(items[index]))
        pending = {child.read_end: child for child in self.children}
        poller = select.poll()
        for read_end in pending:
            poller.register(read_end, select.POLLIN)
        while pending:
            for read_end, _ in poller.poll():
                child = pending[read_end]
                for position, result in child.receive():
                    take(child.share + position * count, result)  # type: ignore[arg-type]
                if child.finished:
                    poller.unregister(read_end)
                    del pending[read_end]
        for child in self.children:
            child.reap()
        self.children = []
        for index, finished in enumerate(done):
            if not finished:  # a child failed: what it did not send is done here
                take(index, self.function(items[index]))
        return results  # type: ignore[return-value]


class Pending(Protocol[R]):
    """Results on their way: a `Split`, or a `Settled` list known from the start."""

    def results(self, on_result: OnResult[R] | None = None) -> list[R]: ...

    def close(self) -> None: ...


class Settled(Generic[R]):
    """Results already at hand (from the cache), handed over as a `Split` would hand them."""

    def __init__(self, results: list[R]) -> None:
        self._results = results

    def results(self, on_result: OnResult[R] | None = None) -> list[R]:
        if on_result is not None:
            for index, result in enumerate(self._results):
                kept = on_result(index, result)
                if kept is not None:
                    self._results[index] = kept
        return self._results

    def close(self) -> None:
        pass


class _Child:
    """A forked process working on one share, and what the parent has received from it."""

    def __init__(self, pid: int, read_end: int, share: int) -> None:
        self.pid = pid
        self.read_end = read_end
        self.share = share
        self.buffer = bytearray()
        self.received = 0  # results decoded so far
        self.finished = False
        self.broken = False
        self.reaped = False

    @classmethod
    def fork(cls, function: Callable[[T], R], items: Sequence[T], share: int, shares: int, siblings: list[int]) -> _Child | None:
        """A child working on every shares-th item from share (taken by index in the child: a
        list of inputs that makes each item when asked is not copied in the parent)."""
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return None
        _widen(write_end)
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: compute, send, and leave without running any exit handler
            code = 1
            try:
                for fd in (read_end, *siblings):  # only the parent reads; a sibling's EOF is not ours to delay
                    os.close(fd)
                indexes = range(share, len(items), shares)
                for start in range(0, len(indexes), FRAME_ITEMS):
                    payload = marshal.dumps([function(items[index]) for index in indexes[start : start + FRAME_ITEMS]])
                    data = memoryview(len(payload).to_bytes(_HEADER, "little") + payload)
                    while data:
                        data = data[os.write(write_end, data) :]
                code = 0
            except BaseException:  # noqa: BLE001, S110 - the parent does what was not sent
                pass
            finally:
                os._exit(code)
        os.close(write_end)
        return cls(pid, read_end, share)

    def receive(self) -> list[tuple[int, object]]:
        """Read what the pipe holds; return the newly complete results as (position, result)."""
        try:
            chunk = os.read(self.read_end, 1 << 20)
        except OSError:
            chunk = b""
        if not chunk:
            self.finished = True
            return []
        buffer = self.buffer
        buffer += chunk
        found: list[tuple[int, object]] = []
        start = 0
        with memoryview(buffer) as view:
            while len(buffer) - start >= _HEADER and not self.broken:
                size = int.from_bytes(view[start : start + _HEADER], "little")
                if len(buffer) - start < _HEADER + size:
                    break
                try:
                    values = marshal.loads(view[start + _HEADER : start + _HEADER + size])
                except (EOFError, ValueError, TypeError):
                    self.broken = True
                    break
                start += _HEADER + size
                for value in values if isinstance(values, list) else ():
                    found.append((self.received, value))
                    self.received += 1
        del buffer[:start]
        return found

    def reap(self) -> None:
        if self.reaped:
            return
        self.reaped = True
        os.close(self.read_end)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def stop(self) -> None:
        if not self.reaped:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.reap()


def _widen(pipe: int) -> None:
    """Let a child run ahead of a busy parent: a pipe holds 64 KiB by default, and a child that
    fills it waits. Linux lets a process grow its pipes to /proc/sys/fs/pipe-max-size."""
    try:
        import fcntl

        fcntl.fcntl(pipe, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the default size works, only slower
