"""`--new-from-rev REV`: the lines changed since REV, from git, and the findings on them.

Changed lines are the new side of `git diff REV` (the working tree against REV, staged or not)
plus every line of untracked, not ignored files. A finding counts when one of its lines changed.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.findings import Finding
from imagetag_lint.record import record

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"\\": "\\", '"': '"', "t": "\t", "n": "\n", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}

Ranges = tuple[tuple[int, int], ...]  # inclusive (first, last) rows


@record(frozen=True)
class ChangedLines:
    """The rows changed since a git revision, by path, and the untracked files."""

    rev: str
    root: Path  # the repository's top level
    ranges: dict[str, Ranges]  # path relative to root -> changed rows
    untracked: frozenset[str]  # paths relative to root: every row is new

    def touches(self, path: str, first: int, last: int) -> bool:
        if path in self.untracked:
            return True
        return any(start <= last and first <= end for start, end in self.ranges.get(path, ()))


def parse_diff(diff: str) -> dict[str, Ranges]:
    """The new-side rows of each hunk of `git diff --unified=0` output, by new path."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    current: list[tuple[int, int]] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = _diff_path(line[4:])
            current = None if path is None else ranges.setdefault(path, [])
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match is not None:
                start, count = int(match.group(1)), int(match.group(2) or "1")
                if count:  # count 0: lines were only deleted
                    current.append((start, start + count - 1))
    return {path: tuple(rows) for path, rows in ranges.items() if rows}


def _diff_path(raw: str) -> str | None:
    raw = raw.rstrip("\t")  # git appends a tab after names that contain spaces
    if raw == "/dev/null":
        return None
    if raw.startswith('"') and raw.endswith('"'):
        raw = _unquote(raw[1:-1])
    return raw.removeprefix("b/")


def _unquote(quoted: str) -> str:
    """git's C-style quoting of unusual path names (core.quotepath is off, so bytes stay)."""
    out, index = [], 0
    while index < len(quoted):
        char = quoted[index]
        if char == "\\" and index + 1 < len(quoted):
            escaped = quoted[index + 1]
            if escaped.isdigit():
                out.append(chr(int(quoted[index + 1 : index + 4], 8)))
                index += 4
                continue
            out.append(_ESCAPES.get(escaped, escaped))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def on_changed_lines(findings: Iterable[Finding], changed: ChangedLines, cwd: Path) -> list[Finding]:
    kept = []
    for finding in findings:
        path = repo_path(finding.filename, cwd, changed.root)
        if path is not None and changed.touches(path, finding.span.start.row, finding.span.end.row):
            kept.append(finding)
    return kept


def repo_path(filename: str, cwd: Path, root: Path) -> str | None:
    absolute = Path(os.path.realpath(cwd / filename))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return None


# -- the shell: asking git ------------------------------------------------------------------


def changed_since(rev: str, cwd: Path) -> ChangedLines:
    root = Path(os.path.realpath(_git(["rev-parse", "--show-toplevel"], cwd, rev).strip()))
    if rev.startswith("-"):
        raise ImagetagLintError(f"--new-from-rev: '{rev}' is not a revision")
    _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root, rev)
    diff = _git(
        [
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "-M",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
        root,
        rev,
    )
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root, rev)
    return ChangedLines(rev, root, parse_diff(diff), frozenset(p for p in untracked.split("\0") if p))


def _git(args: list[str], cwd: Path, rev: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError:
        raise ImagetagLintError("--new-from-rev: git is not installed (or not on PATH)") from None
    if done.returncode != 0:
        if args[:2] == ["rev-parse", "--verify"]:
            raise ImagetagLintError(f"--new-from-rev: unknown revision '{rev}'")
        problem = (done.stderr.strip().splitlines() or [f"git {args[0]} failed"])[-1]
        raise ImagetagLintError(f"--new-from-rev: {problem.removeprefix('fatal: ')}")
    return done.stdout
