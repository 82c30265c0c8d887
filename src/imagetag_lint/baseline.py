"""Baselines: record the findings a codebase already has, and fail only on new ones.

A baseline is JSON. Entries are matched by (filename, code, fingerprint); the filename is
relative to the baseline file's directory, so the baseline works from any working directory.
`line` and `message` are there for reviewers and are not used for matching.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.findings import Finding
from imagetag_lint.record import record
from imagetag_lint.regular import read_regular

FORMAT_KEY = "imagetag-lint-baseline"
FORMAT_VERSION = 1
_ENTRY_KEYS = {"filename", "code", "fingerprint", "line", "message"}

Key = tuple[str, str, str]  # (filename relative to the baseline, code, fingerprint)


@record(frozen=True)
class Known:
    """What a baseline leaves: the findings it does not record, and counts of hidden and stale entries."""

    new: list[Finding]  # not in the baseline: these fail the run
    known: int  # findings the baseline hides
    stale: int  # baseline entries no finding matches any more (fixed, or changed)


def baseline_filename(filename: str, cwd: Path, baseline_dir: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(cwd / filename), os.path.abspath(baseline_dir))).as_posix()


def render_baseline(findings: Iterable[Finding], cwd: Path, baseline_dir: Path) -> str:
    entries = sorted(
        (
            {
                "filename": baseline_filename(f.filename, cwd, baseline_dir),
                "line": f.span.start.row,
                "code": f.code,
                "fingerprint": f.fingerprint,
                "message": f.message,
            }
            for f in findings
        ),
        key=lambda e: (e["filename"], e["line"], e["code"], e["fingerprint"]),
    )
    return json.dumps({FORMAT_KEY: FORMAT_VERSION, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def parse_baseline(raw: str, where: str) -> Counter[Key]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImagetagLintError(f"{where}: not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:  # json decodes nested arrays and objects recursively
        raise ImagetagLintError(f"{where}: not a baseline: arrays or objects nested too deeply") from None
    if not isinstance(data, dict) or data.get(FORMAT_KEY) != FORMAT_VERSION:
        raise ImagetagLintError(f"{where}: not an imagetag-lint baseline (write one with --write-baseline)")
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise ImagetagLintError(f"{where}: 'findings' must be an array")
    return Counter(_entry_key(entry, f"{where}: findings[{i}]") for i, entry in enumerate(entries))


def _entry_key(entry: Any, where: str) -> Key:
    if not isinstance(entry, dict):
        raise ImagetagLintError(f"{where}: must be an object")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise ImagetagLintError(f"{where}: unknown key '{key}'")
    values = tuple(entry.get(key) for key in ("filename", "code", "fingerprint"))
    if not all(isinstance(value, str) and value for value in values):
        raise ImagetagLintError(f"{where}: 'filename', 'code' and 'fingerprint' must be non-empty strings")
    return (str(values[0]), str(values[1]), str(values[2]))


def filter_known(
    findings: Iterable[Finding],
    baseline: Counter[Key],
    cwd: Path,
    baseline_dir: Path,
    scope: tuple[Collection[str], Collection[str]] | None = None,
) -> Known:
    """Split off the known findings. Only entries in scope, (linted filenames, codes that ran),
    can be stale: a run over some files, or with some rules, says nothing about the others."""
    remaining = Counter(baseline)
    new = []
    for finding in findings:
        key = (baseline_filename(finding.filename, cwd, baseline_dir), finding.code, finding.fingerprint)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(finding)
    known = sum(baseline.values()) - sum(remaining.values())
    if scope is not None:
        files = {baseline_filename(name, cwd, baseline_dir) for name in scope[0]}
        remaining = Counter({key: n for key, n in remaining.items() if key[0] in files and key[1] in scope[1]})
    return Known(new=new, known=known, stale=sum(remaining.values()))


# -- the shell: reading the file ------------------------------------------------------------


def load_baseline(path: Path) -> Counter[Key]:
    try:
        raw = read_regular(path).decode("utf-8")
    except FileNotFoundError:
        raise ImagetagLintError(f"{path}: baseline file not found (create it with --write-baseline {path})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImagetagLintError(f"{path}: cannot read baseline: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_baseline(raw, str(path))
