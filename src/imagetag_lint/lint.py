"""The pipeline: discover -> read -> prefilter -> parse -> index -> analyse.

`Linter` holds one run's state. Files are parsed only when the prefilter finds a token some rule
needs; sibling files and imported local packages are parsed on demand to resolve names.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from imagetag_lint.analysis import discarded_image_name, hardcoded_image_reference, untracked_image_reference
from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.errors import InputError
from imagetag_lint.files import (
    BOM,
    MAX_FILE_BYTES,
    Discovered,
    ModuleMap,
    check_source,
    go_files_in,
    prefilter,
    read_go_file,
)
from imagetag_lint.findings import Finding
from imagetag_lint.golang.model import SourceFile, package_name, read_imports
from imagetag_lint.golang.parser import first_error, parse
from imagetag_lint.golang.project import Project
from imagetag_lint.rules import RuleSet

Check = Callable[[RuleContext, SourceFile], Iterator[Finding]]

# The registry of analyses: explicit, in code order.
CHECKS: dict[str, Check] = {
    discarded_image_name.CODE: discarded_image_name.check,
    hardcoded_image_reference.CODE: hardcoded_image_reference.check,
    untracked_image_reference.CODE: untracked_image_reference.check,
}


@dataclass(frozen=True)
class LintOptions:
    rule_set: RuleSet
    select: frozenset[str] = frozenset(CHECKS)
    max_file_bytes: int = MAX_FILE_BYTES


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files_checked: int = 0
    sources: dict[str, SourceFile] = field(default_factory=dict)  # reported files by display name


class Linter:
    def __init__(self, options: LintOptions, cwd: Path, overlay: dict[str, bytes] | None = None) -> None:
        self.options = options
        self.overlay = overlay or {}  # absolute path -> bytes that stand in for the file on disk
        self.cwd = cwd
        self.modules = ModuleMap()
        self.project = Project(loader=self)
        self.index = ImageFlowIndex(self.project, options.rule_set.flow)
        self.pattern = prefilter(options.rule_set.flow)
        self.result = LintResult()
        self._loaded: set[str] = set()  # absolute paths parsed into the project
        self._clean: set[str] = set()  # absolute paths read and found to need no parse
        self._paths: dict[int, str] = {}  # id of SourceFile -> absolute path

    # -- input ----------------------------------------------------------------------------

    def add(self, discovered: Iterable[Discovered]) -> None:
        for item in discovered:
            try:
                source = self.read(str(item.path), item.display)
            except InputError as error:
                self.result.errors.append(error)
                continue
            self.add_source(source, str(item.path), item.display)

    def add_source(self, source: bytes, path: str, display: str, reported: bool = True) -> None:
        self.result.files_checked += reported
        if self.pattern.search(source) is None:
            self._clean.add(path)
            return
        self._parse_into_project(source, path, display, reported)

    def _parse_into_project(self, source: bytes, path: str, display: str, reported: bool) -> SourceFile:
        file = self._parse(source, path, display, reported)
        self.project.add_file(file)
        return file

    def _parse(self, source: bytes, path: str, display: str, reported: bool) -> SourceFile:
        # tree-sitter does not expect a BOM; blanks keep every byte offset where it was
        tree = parse(b"   " + source[3:] if source.startswith(BOM) else source)
        root = tree.root_node
        file = SourceFile(
            filename=display,
            directory=os.path.dirname(path),
            source=source,
            tree=tree,
            package=package_name(root),
            imports=read_imports(root),
            reported=reported,
        )
        self._loaded.add(path)
        self._paths[id(file)] = path
        if reported:
            self.result.sources[display] = file
            error = first_error(tree)
            if error is not None:
                where = file.position(error.start_byte)
                self.result.warnings.append(
                    f"{display}:{where.row}:{where.column}: syntax error; analysed as far as it parses"
                )
        return file

    def read(self, path: str, display: str) -> bytes:
        if path in self.overlay:
            return self.overlay[path]
        return read_go_file(Path(path), display, self.options.max_file_bytes)

    def path_of(self, file: SourceFile) -> str:
        return self._paths[id(file)]

    # -- the Loader protocol --------------------------------------------------------------

    def load_directory(self, directory: str, token: bytes | None) -> list[SourceFile]:
        loaded = []
        for path in go_files_in(directory):
            if path in self._loaded or (token is None and path in self._clean):
                continue
            display = self._display(path)
            try:
                source = self.read(path, display)
            except InputError:
                continue  # reported when the file itself is linted; here it only resolves names
            if (token is None and self.pattern.search(source) is None) or (token is not None and token not in source):
                self._clean.add(path)
                continue
            loaded.append(self._parse(source, path, display, reported=False))
        return loaded

    def directory_for_import(self, import_path: str, from_directory: str) -> str | None:
        return self.modules.directory_for_import(import_path, from_directory)

    def _display(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.cwd).as_posix()
        except ValueError:
            return path

    # -- analysis -------------------------------------------------------------------------

    def rescan_for_inferred_names(self) -> None:
        """Files that call a wrapper or deploy function by its own name hold no builder token."""
        names = {
            function.name
            for function in self.project.functions()
            if self.index.wrapper(function) is not None or self.index.deploy_params(function)
        }
        names -= {p.name for p in self.options.rule_set.flow.producers}
        if not names or not self._clean:
            return
        pattern = prefilter(self.options.rule_set.flow, names)
        for path in sorted(self._clean - self._loaded):
            try:
                source = self.read(path, path)
            except InputError:
                continue
            if pattern.search(source) is not None:
                self._clean.discard(path)
                self._parse_into_project(source, path, self._display(path), reported=True)

    def analyse(self) -> LintResult:
        context = RuleContext(self.index, self.options.rule_set)
        for file in list(self.project.files()):
            if not file.reported:
                continue
            for code, check in CHECKS.items():
                if code in self.options.select:
                    self.result.findings.extend(check(context, file))
        self.result.findings = sorted(set(self.result.findings), key=Finding.sort_key)
        return self.result


def lint_paths(
    discovered: list[Discovered], options: LintOptions, cwd: Path, overlay: dict[str, bytes] | None = None
) -> tuple[LintResult, Linter]:
    linter = Linter(options, cwd, overlay)
    linter.add(discovered)
    linter.rescan_for_inferred_names()
    return linter.analyse(), linter


def lint_source(
    source: bytes, filename: str, options: LintOptions, cwd: Path | None = None
) -> tuple[LintResult, Linter]:
    """Lint one file's bytes (siblings on disk beside `filename`, if any, resolve names)."""
    cwd = cwd or Path.cwd()
    linter = Linter(options, cwd)
    try:
        check_source(source, filename, options.max_file_bytes)
    except InputError as error:
        linter.result.errors.append(error)
        return linter.result, linter
    path = str((cwd / filename).absolute())
    linter.add_source(source, path, filename)
    linter._loaded.add(path)  # the buffer, not the file on disk, is this file
    return linter.analyse(), linter
