"""The Python files of a run: read them (through the overlay of fixed texts), add the conftest.py
files that give them fixtures, lint, and hand back findings, problems and the files to report.

Imports no libcst: `python.lint` does, and only when a file passes the prefilter.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from imagetag_lint.enums import Applicability
from imagetag_lint.errors import InputError
from imagetag_lint.files import check_source, read_go_file
from imagetag_lint.findings import Finding, Fix
from imagetag_lint.lint_result import NOT_ANALYSED
from imagetag_lint.python.pytest_config import pythonpath_directories
from imagetag_lint.python.reach import (
    CONFTEST,
    ROUNDS,
    ModuleFinder,
    display_name,
    imported_modules,
    pytest_collects,
)
from imagetag_lint.python.source import PythonFile
from imagetag_lint.record import field, record, replace
from imagetag_lint.rules import RuleSet

SUFFIX = ".py"
FEW_FILES = 64  # a run of at most this many files follows the imports of every one


def is_python(path: str) -> bool:
    return path.endswith(SUFFIX)


@record
class PythonRun:
    """What linting the Python files gave."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, PythonFile] = field(default_factory=dict)  # reported files, by display name
    checked: int = 0


def lint_python_files(
    items: Sequence[tuple[str, str]],
    overlay: dict[str, bytes],
    rule_set: RuleSet,
    select: frozenset[str],
    max_file_bytes: int,
    cwd: str,
) -> PythonRun:
    """Lint (display name, absolute path) pairs. Their sibling modules and the conftest.py files
    above them (up to the working directory) are read too, to resolve helpers and fixtures, but
    not reported: pre-commit passes only the changed files."""
    run = PythonRun()
    sources: dict[str, bytes] = {}
    for display, path in items:
        try:
            sources[display] = _read(path, display, overlay, max_file_bytes)
        except InputError as error:
            run.errors.append(error)
            continue
        run.checked += 1
    reported = set(sources)
    directories = _directories(items)
    conftests = _conftests_above(directories, cwd)
    for display, path in [*_siblings(directories), *conftests]:
        if display not in sources:
            try:
                sources[display] = _read(path, display, overlay, max_file_bytes)
            except InputError:
                continue  # it only gives fixtures; linted, it reports its own problem
    # pytest looks for its settings from the common directory of the paths it is given
    pythonpath = pythonpath_directories(os.path.commonpath([d for d, _ in directories]) if directories else cwd)
    _read_imported(sources, dict(items), dict(conftests), overlay, max_file_bytes, cwd, pythonpath)
    if not sources:
        return run
    from imagetag_lint.python.lint import lint_python_sources

    shown = tuple(_shown(directory, cwd) for directory in pythonpath)
    try:
        result = lint_python_sources(sources, rule_set, select & frozenset({"IMG001", "IMG002", "IMG003"}), reported,
                                     tuple(d for d in shown if d is not None))
    except ModuleNotFoundError as missing:  # a dependency, but an install can lack it
        if missing.name != "libcst":
            raise
        needs = "linting Python needs libcst: pip install libcst"
        run.errors.extend(InputError(name, needs) for name in sorted(reported))
        return run
    for unparsed in result.errors:
        if unparsed.filename in reported:
            run.warnings.append(f"{unparsed.filename}: {unparsed.problem}{NOT_ANALYSED}")
    run.findings = [_fix_within(f, reported) for f in result.findings if f.filename in reported]
    edited = {e.filename for f in run.findings if f.fix is not None for e in f.fix.edits}
    wanted = {f.filename for f in run.findings} | {n for n in reported if b"imagetaglint:" in sources[n]}
    wanted |= edited & reported  # a fix may add a parameter to a helper whose file has no finding
    run.files = {name: PythonFile(name, sources[name]) for name in sorted(wanted)}
    return run


def _fix_within(finding: Finding, reported: set[str]) -> Finding:
    """A fix that would edit a file this run only reads (a helper's module beside the linted
    file) is by hand: --fix writes only the files it lints, and this run cannot see the other
    callers the helper may have."""
    fix = finding.fix
    outside = sorted({e.filename for e in fix.edits} - reported) if fix is not None else []
    if not outside:
        return finding
    why = f"the fix edits {outside[0]}, which this run does not lint: lint it too, or follow the four steps by hand"
    return replace(finding, fix=Fix(Applicability.DISPLAY_ONLY, why))


def _shown(directory: str, cwd: str) -> str | None:
    """The display name of a directory of the run (None above it)."""
    relative = os.path.relpath(directory, os.path.abspath(cwd)).replace(os.sep, "/")
    return None if relative == ".." or relative.startswith("../") else relative


def _read_imported(sources: dict[str, bytes], paths: dict[str, str], conftests: dict[str, str],
                   overlay: dict[str, bytes], max_file_bytes: int, cwd: str, pythonpath: tuple[str, ...]) -> None:
    """Read the local modules the files and the conftest.py files above them import (and those
    they import), to resolve builders, helpers and fixtures that live in other directories; like
    siblings, they are not reported. A run of a few files (pre-commit's) follows the imports of
    each; a larger one those of its tests and conftest.py files, where drops are (reading every
    module's imports costs more than the lint of a tree whose modules are all in the run already)."""
    from imagetag_lint.python.syspath import (  # `ast`: only in a run of Python files
        SysPath,
        adds_to_sys_path,
    )

    root = os.path.abspath(cwd)
    few = len(paths) <= FEW_FILES
    frontier = [(display, os.path.abspath(path)) for display, path in {**conftests, **paths}.items()
                if display in sources and (few or _test_module(display))]
    # the conftest.py files and test modules are all in the frontier: what they add to sys.path
    sys_path = SysPath(((path, sources[display]) for display, path in frontier if adds_to_sys_path(display, sources[display])),
                       root, pythonpath)
    finder = ModuleFinder(root, sys_path)
    known_paths = set(paths.values())  # absolute already
    for _ in range(ROUNDS):
        reached = []
        for display, path in frontier:
            for level, name in set(imported_modules(sources[display])):
                for found in finder.paths(path, level, name):
                    shown = display_name(found, path, display)
                    if shown is None or shown in sources or found in known_paths:
                        continue
                    try:
                        sources[shown] = _read(found, shown, overlay, max_file_bytes)
                    except InputError:
                        continue
                    known_paths.add(found)
                    reached.append((shown, found))
        frontier = reached


def _test_module(display: str) -> bool:
    return pytest_collects(display) or os.path.basename(display) == CONFTEST


def _read(path: str, display: str, overlay: dict[str, bytes], max_file_bytes: int) -> bytes:
    source = overlay.get(path)
    if source is None:
        return read_go_file(path, display, max_file_bytes)
    # the overlay holds stdin's buffer too: the same bytes are the same error as on disk
    check_source(source, display, max_file_bytes)
    return source


def _siblings(directories: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The other Python modules in the linted files' directories."""
    found: dict[str, str] = {}
    for directory, shown in directories:
        try:
            entries = [e for e in os.scandir(directory) if e.name.endswith(SUFFIX) and e.is_file()]
        except OSError:
            continue
        for entry in entries:
            found.setdefault(f"{shown}/{entry.name}" if shown else entry.name, entry.path)
    return sorted(found.items())


def _conftests_above(directories: list[tuple[str, str]], cwd: str) -> list[tuple[str, str]]:
    """conftest.py files in the linted files' directories and above, within the working directory."""
    found: dict[str, str] = {}
    root = os.path.join(os.path.abspath(cwd), "")
    seen: set[str] = set()
    for directory, shown in directories:
        while directory not in seen:
            seen.add(directory)
            candidate = os.path.join(directory, CONFTEST)
            if os.path.isfile(candidate):
                found[f"{shown}/{CONFTEST}" if shown else CONFTEST] = candidate
            inside = os.path.join(directory, "")
            if not shown or inside == root or not inside.startswith(root):
                break
            directory, shown = os.path.dirname(directory), os.path.dirname(shown)
    return sorted(found.items())


def _directories(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(absolute directory, its display name) of the files, each once."""
    # dirname first: a whole-tree run names thousands of files in a few hundred directories
    pairs = {(os.path.dirname(path), os.path.dirname(display)) for display, path in items}
    return sorted({(os.path.abspath(directory or "."), shown) for directory, shown in pairs})
