"""Writing fixed files: all or nothing per group of files a fix spans, never losing an edit.

Files that one applied fix touches together (a call site in one file, the helper's new parameter
in another) form a group, and a group is one transaction: every file is checked first (unchanged
on disk, writable, not hard-linked), every new text is written to a temporary file beside its
target, each target is checked again right before its rename, and if a check or a rename fails
the files already renamed get their old bytes back. A symbolic link is written through: its
target gets the new text and the link stays. SIGINT and SIGTERM during a write remove the
temporary files and roll the group back.
"""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from imagetag_lint.errors import InputError
from imagetag_lint.findings import Finding
from imagetag_lint.record import record

if TYPE_CHECKING:
    from imagetag_lint.fix.apply import FixOutcome


@record(frozen=True)
class Change:
    """One file to write: where, what it held when read, what it gets."""

    path: str  # as linted (perhaps a symbolic link)
    expected: bytes
    content: bytes
    name: str = ""  # as the user sees it, in errors; the path when empty

    @property
    def shown(self) -> str:
        return self.name or self.path


@record(frozen=True)
class Checked:
    """A change whose target passed the checks: the real file and its state when checked."""

    change: Change
    target: str  # the real path (a symbolic link resolved)
    info: os.stat_result


class _Interrupted(BaseException):
    """SIGTERM during a write: leave like SIGINT does, after cleaning up."""


def shared_fixes(applied: Sequence[Finding]) -> dict[str, set[str]]:
    """For each file an applied fix edits (by the name the user sees), the other files it edits."""
    shared: dict[str, set[str]] = {}
    for finding in applied:
        names = {e.filename for e in finding.fix.edits} if finding.fix is not None else set()
        for name in names:
            shared.setdefault(name, set()).update(names - {name})
    return shared


def change_groups(
    changed: Sequence[str], applied: Sequence[Finding], display: dict[str, str]
) -> list[list[str]]:
    """The changed paths, grouped so that the files of one applied fix share a group."""
    by_display = {display.get(path, path): path for path in changed}
    parent = {path: path for path in changed}

    def root(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    for finding in applied:
        paths = [by_display[e.filename] for e in finding.fix.edits if e.filename in by_display] if finding.fix else []
        for other in paths[1:]:
            parent[root(other)] = root(paths[0])
    groups: dict[str, list[str]] = {}
    for path in changed:
        groups.setdefault(root(path), []).append(path)
    return list(groups.values())


def write_group(changes: Sequence[Change], shared: dict[str, set[str]] | None = None) -> list[InputError]:
    """Write every change, or none: the errors (one per file that stopped the group, then one
    per file left unwritten because of it), each naming its file as `Change.shown`. shared: the
    files (as shown) each file shares a fix with; without it, every file shares one fix."""
    checked: list[Checked] = []
    errors: list[InputError] = []
    for change in changes:
        try:
            checked.append(check(change))
        except InputError as error:
            errors.append(error)
    if errors:
        return errors + _not_written(changes, errors, shared)
    try:
        commit(checked)
    except InputError as error:
        return [error, *_not_written(changes, [error], shared)]
    return []


def _not_written(changes: Sequence[Change], errors: Sequence[InputError], shared: dict[str, set[str]] | None) -> list[InputError]:
    stopped = {e.filename for e in errors}
    left = []
    for change in changes:
        if change.shown in stopped:
            continue
        path = _path_to(change.shown, stopped, shared) if shared is not None else [next(iter(stopped))]
        direct = sorted(stopped & shared.get(change.shown, set())) if shared is not None else sorted(stopped)
        if direct or not path:
            reason = f"not fixed: the fix also changes {', '.join(direct or sorted(stopped))}, which could not be written"
        else:  # grouped through files that share a fix with both
            reason = (
                f"not fixed: through {', '.join(path[:-1])}, it shares a group of fixes with {path[-1]}, "
                "which could not be written"
            )
        left.append(InputError(change.shown, reason))
    return left


def _path_to(start: str, stopped: set[str], shared: dict[str, set[str]]) -> list[str]:
    """The files from start (not included) to the nearest stopped one, one fix apart each."""
    came_from: dict[str, str] = {start: start}
    queue = [start]
    for current in queue:
        if current in stopped:
            path = [current]
            while came_from[path[0]] != start:
                path.insert(0, came_from[path[0]])
            return path
        for other in sorted(shared.get(current, set())):
            if other not in came_from:
                came_from[other] = current
                queue.append(other)
    return []


def check(change: Change) -> Checked:
    """The change's target, if it may be written: still as read, writable, one link only."""
    target = os.path.realpath(change.path)
    try:
        info = os.stat(target)
        with open(target, "rb") as handle:
            current = handle.read()
    except OSError as exc:
        raise InputError(change.shown, f"cannot re-read before writing: {exc.strerror or exc}") from None
    if current != change.expected:
        raise InputError(change.shown, "changed on disk since it was read; not fixed: run again")
    # no write bit for anyone means "read-only", even for root, whom os.access always lets write
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise InputError(change.shown, "file is read-only; not fixed")
    if info.st_nlink > 1:  # a rename would give this name a copy and leave the other links stale
        raise InputError(change.shown, f"file has {info.st_nlink} hard links; not fixed: a rewrite would split them")
    return Checked(change, target, info)


def commit(checked: Sequence[Checked]) -> None:
    """Temporary files first, then the renames; on any failure the renamed files are put back."""
    temporaries: dict[str, str] = {}
    renamed: list[Checked] = []
    with _signals_interrupt():
        try:
            for item in checked:
                temporaries[item.target] = _temporary(item.target, item.change.content, item.info)
            for item in checked:
                _recheck(item)
                os.replace(temporaries[item.target], item.target)
                del temporaries[item.target]
                renamed.append(item)
        except BaseException as exc:
            _restore(renamed)
            for temporary in temporaries.values():
                _unlink(temporary)
            if isinstance(exc, OSError):
                failed = next((c for c in checked if c not in renamed), checked[-1])
                raise InputError(failed.change.shown, f"cannot write: {exc.strerror or exc}") from None
            if isinstance(exc, _Interrupted):
                raise KeyboardInterrupt from None
            raise


def _recheck(item: Checked) -> None:
    """Right before the rename: the file is still the one checked, with the bytes read."""
    try:
        info = os.stat(item.target)
        with open(item.target, "rb") as handle:
            current = handle.read()
    except OSError as exc:
        raise InputError(item.change.shown, f"cannot re-read before writing: {exc.strerror or exc}") from None
    same = (info.st_ino, info.st_dev, info.st_mtime_ns) == (item.info.st_ino, item.info.st_dev, item.info.st_mtime_ns)
    if not same or current != item.change.expected:
        raise InputError(item.change.shown, "changed on disk since it was read; not fixed: run again")


def _temporary(target: str, content: bytes, info: os.stat_result) -> str:
    import tempfile  # only a --fix that changes a file needs it

    directory, name = os.path.split(target)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory or ".")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
    except BaseException:
        _unlink(temporary)
        raise
    return temporary


def _restore(renamed: Sequence[Checked]) -> None:
    """Give the files already renamed their old bytes back (best effort: the new ones are fine Go)."""
    for item in renamed:
        try:
            os.replace(_temporary(item.target, item.change.expected, item.info), item.target)
        except OSError:
            pass


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM raises inside the block, so the cleanup runs (SIGINT already raises)."""

    def interrupted(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted

    try:
        previous = signal.signal(signal.SIGTERM, interrupted)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write_atomic(path: Path, expected: bytes, content: bytes) -> None:
    """Write one file (see write_group); raise the InputError that stopped it."""
    errors = write_group([Change(str(path), expected, content)])
    if errors:
        raise errors[0]


def write_files(outcome: FixOutcome) -> list[InputError]:
    """Write every changed file of a `--fix` run, a group of files one fix spans at a time; the
    files not written, each with the reason, by the name the user sees."""
    errors: list[InputError] = []
    shared = shared_fixes(outcome.applied)
    for group in change_groups(outcome.changed, outcome.applied, outcome.display):
        changes = [Change(p, outcome.original[p], outcome.fixed[p], outcome.display.get(p, p)) for p in group]
        errors.extend(write_group(changes, shared))
    return errors
