"""The pipeline: discover -> read -> prefilter -> parse -> index -> analyse.

`Linter` holds one run's state. Files are parsed only when the prefilter finds a token some rule
needs; sibling files and imported local packages are parsed on demand to resolve names.
"""

from __future__ import annotations

import functools
import gc
import os
import re
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from importlib import import_module
from pathlib import Path

from imagetag_lint.analysis.context import RuleContext
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.directives import PREFIX, PYTHON_PREFIX
from imagetag_lint.engine.producers import handed_builder_targets
from imagetag_lint.enums import Applicability
from imagetag_lint.errors import InputError
from imagetag_lint.files import (
    PARSEABLE,
    UNREADABLE,
    Discovered,
    ModuleMap,
    PathList,
    Prefilter,
    Scan,
    Scanner,
    any_python,
    check_source,
    display_paths,
    go_files_in,
    is_put_off,
    module_go_files,
    put_off,
    read_go_file,
    shared,
    start_scan,
)
from imagetag_lint.findings import Finding, Fix
from imagetag_lint.fix.edits import changes_nothing
from imagetag_lint.golang.elision import (
    Run,
    data_runs,
    key_only_words,
    refused_runs,
    skippable,
    without_named_keys,
)
from imagetag_lint.golang.lexing import declares_const, imports_path, word_offsets
from imagetag_lint.golang.model import SourceFile, package_name, read_imports
from imagetag_lint.golang.parser import (
    Tree,
    first_error,
    keep,
    parse,
    parse_input,
    parse_skipping,
)
from imagetag_lint.golang.project import Project
from imagetag_lint.golang.syntax import reset_caches
from imagetag_lint.lint_result import LintResult
from imagetag_lint.options import LintOptions, LintRun
from imagetag_lint.parallel import Pending
from imagetag_lint.python.driver import is_python
from imagetag_lint.reads import pack_reads
from imagetag_lint.record import replace
from imagetag_lint.registry import RULES, SUPPRESSION_CODES, RuleKind

Check = Callable[[RuleContext, SourceFile], Iterator[Finding]]

__all__ = ["CHECKS", "LintResult", "Linter", "lint_paths", "lint_run", "lint_source"]

# The analyses, in the registry's order
CHECKS: dict[str, Check] = {
    rule.code: import_module(rule.module).check for rule in RULES if rule.kind is RuleKind.ANALYSIS
}


def parse_source(source: bytes) -> Tree:
    return parse(parse_input(source))


_QUOTED = re.compile(rb'"([^"\s]+)"')  # an import path in an import header
KEPT_BYTES = 16 * 1024 * 1024  # deferred sources kept in memory rather than read twice


class Linter:
    def __init__(self, options: LintOptions, cwd: Path, overlay: dict[str, bytes] | None = None) -> None:
        reset_caches()
        self.options = options
        self.overlay = overlay or {}  # absolute path -> bytes that stand in for the file on disk
        self.cwd = cwd
        self.modules = ModuleMap()
        self.project = Project(loader=self)
        self.index = ImageFlowIndex(self.project, options.rule_set.flow)
        self.prefilter = Prefilter(options.rule_set.flow)
        self.scanner = Scanner(self.prefilter, options.max_file_bytes, self.overlay)
        self.result = LintResult()
        self._loaded: set[str] = set()  # absolute paths parsed into the project
        # absolute paths read and found to need no parse: the linted ones (by far the most, in a
        # large tree: one table, not a set besides) with their imports, and the others
        self._clean_reported: dict[str, bytes] = {}
        self._clean_unreported: set[str] = set()
        self._deferred: dict[str, str] = {}  # reported files with only `Image:` fields -> display
        self._kept: dict[str, bytes] = {}  # sources of deferred files, up to KEPT_BYTES in all
        self._kept_bytes = 0
        self._module_files: dict[str, PathList] = {}  # module root -> its Go files, walked once
        self._avoided_words: tuple[bytes, ...] | None = None
        self._key_only: dict[str, dict[bytes, bool]] = {}  # by directory: is the field key used only as one there
        self._broken: set[str] = set()  # linted files with syntax errors, by display name
        # the run's files in other Go modules (a lint of several modules), listed by `_other_files`
        self.others: Callable[[], Iterator[tuple[str, str, bytes | None]]] = lambda: iter(())
        # whether the lint chose files by the clean ones' paths or import headers (a cached
        # result then depends on which clean files there are, not only on how many)
        self.clean_consulted = False

    # -- input ----------------------------------------------------------------------------

    def add(self, discovered: Sequence[Discovered], pending: Pending[Scan] | None = None) -> None:
        """Take the prefilter's verdicts (from `start_scan`, or read here), then parse the files
        that can hold a finding, in the order given."""
        if pending is None:
            pending = start_scan(discovered, self.options.rule_set.flow, self.options.max_file_bytes, self.overlay)
        scans, trees = self.read_scans(discovered, pending)
        self.take(discovered, scans, trees)

    def read_scans(
        self, discovered: Sequence[Discovered], pending: Pending[Scan], mine: Callable[[Discovered], bool] | None = None
    ) -> tuple[list[Scan], dict[str, Tree]]:
        """The prefilter's verdicts, and the trees of the files worth parsing, parsed while the
        other verdicts are still coming: by path. With `mine`, only the files it accepts are
        parsed; the others belong to a later unit, and their sources are put off (`put_off`) as
        they arrive, to be read again at their turn, so that the run never holds them all."""
        trees: dict[int, Tree] = {}
        elided: dict[int, list[Run]] = {}  # the tables an early parse left out, by item
        seen: dict[Scan, Scan] = {}

        def parse_early(index: int, scan: Scan) -> Scan | None:
            if mine is not None and not mine(discovered[index]):
                return shared(put_off(scan), seen)
            if scan[0] == Prefilter.STRONG and scan[2] is not None:
                trees[index], elided[index] = self._parse_without_tables(scan[2])
            return shared(scan, seen)

        scans = pending.results(parse_early)
        return scans, self._finish_trees(discovered, scans, trees, elided)

    def parse_worth(self, discovered: Sequence[Discovered], scans: Sequence[Scan]) -> dict[str, Tree]:
        """The trees `read_scans` would have parsed early, by path."""
        trees: dict[int, Tree] = {}
        elided: dict[int, list[Run]] = {}
        for index, scan in enumerate(scans):
            if scan[0] == Prefilter.STRONG and scan[2] is not None:
                trees[index], elided[index] = self._parse_without_tables(scan[2])
        return self._finish_trees(discovered, scans, trees, elided)

    def _finish_trees(
        self, discovered: Sequence[Discovered], scans: Sequence[Scan], trees: dict[int, Tree], elided: dict[int, list[Run]]
    ) -> dict[str, Tree]:
        if any(run[2] for runs in elided.values() for run in runs):
            self._keep_named_keys(discovered, scans, trees, elided)
        return {discovered[index].path: tree for index, tree in trees.items()}

    def take(self, discovered: Sequence[Discovered], scans: Sequence[Scan], trees: dict[str, Tree]) -> None:
        """Take each file's verdict, in the order given: parse it (the tree may be at hand),
        defer it, or count it clean."""
        for item, scan in zip(discovered, scans):
            self._take(item.path, item.display, scan, trees.pop(item.path, None))

    def _parse_without_tables(self, source: bytes) -> tuple[Tree, list[Run]]:
        """Parse a file without its literal tables (`golang.elision`), and say which it left
        out: none when the file parsed whole."""
        source = parse_input(source)
        return self._parse_without(source, data_runs(source, self._avoided()))

    def _parse_without(self, source: bytes, runs: list[Run]) -> tuple[Tree, list[Run]]:
        """Parse source without the runs, and the runs it left out: the runs a tree refuses
        (`refused_runs`) are put back once, and a tree with a syntax error is parsed whole."""
        avoided = self._avoided()
        for _ in range(2):
            if not runs:
                break
            tree = parse_skipping(source, [(start, end) for start, end, _ in runs])
            refused = refused_runs(tree, runs, avoided)
            if refused is None:
                break
            if not refused:
                return keep(tree), runs
            runs = [run for run in runs if run not in refused]
        return parse(source), []

    def _keep_named_keys(
        self, discovered: Sequence[Discovered], scans: Sequence[Scan], trees: dict[int, Tree], elided: dict[int, list[Run]]
    ) -> None:
        """Parse again, with the lines back, the files whose left-out tables have field keys
        that some file of the package uses as a name (known once every file is read)."""
        by_directory: dict[str, list[int]] = {}
        for index, runs in elided.items():
            if any(run[2] for run in runs):
                by_directory.setdefault(os.path.dirname(discovered[index].path), []).append(index)
        for directory, indexes in by_directory.items():
            read = {
                item.path: source
                for item, (_, _, source, _) in zip(discovered, scans)
                if source is not None and os.path.dirname(item.path) == directory
            }
            sources = {discovered[i].path: parse_input(read[discovered[i].path]) for i in indexes}
            found = {discovered[i].path: elided[i] for i in indexes}
            kept = without_named_keys(found, sources, self._key_only_words(directory, read))
            for index in indexes:
                path = discovered[index].path
                if kept.get(path) != found[path]:
                    trees[index] = self._parse_without(sources[path], kept.get(path, []))[0]

    def add_source(self, source: bytes, path: str, display: str) -> None:
        self._take(path, display, self.scanner.scan(source))

    def _take(self, path: str, display: str, scan: Scan, tree: Tree | None = None) -> None:
        kind, info, source, directives = scan
        if kind == UNREADABLE:
            self.result.errors.append(InputError(display, str(info)))
            return
        self.result.files_checked += 1
        if directives and source is not None:
            self.result.directive_sources[display] = (path, source)
        if kind == Prefilter.CLEAN or source is None:
            self._clean_reported[path] = info if isinstance(info, bytes) else b""
        elif kind == Prefilter.WEAK:
            self._deferred[path] = display
            if self._kept_bytes + len(source) <= KEPT_BYTES:  # read once, parsed perhaps later
                self._kept[path] = source
                self._kept_bytes += len(source)
        else:
            self._parse_into_project(source, path, display, reported=True, tree=tree)

    def _parse_into_project(
        self, source: bytes, path: str, display: str, reported: bool, tree: Tree | None = None
    ) -> SourceFile:
        file = self._parse(source, path, display, reported, tree)
        self.project.add_file(file)
        return file

    def _parse(self, source: bytes, path: str, display: str, reported: bool, tree: Tree | None = None) -> SourceFile:
        tree = parse_source(source) if tree is None else tree
        root = tree.root_node
        file = SourceFile(
            filename=display,
            directory=os.path.dirname(path),
            source=source,
            parsed=tree,
            package=package_name(root),
            imports=read_imports(root),
            reported=reported,
        )
        self._loaded.add(path)
        self._kept.pop(path, None)
        if reported:
            self.result.sources[display] = file
            error = first_error(tree)
            if error is not None:
                self._broken.add(display)
                where = file.position(error.start_byte)
                self.result.warnings.append(
                    f"{display}:{where.row}:{where.column}: syntax error; analysed as far as it parses"
                )
        return file

    def read(self, path: str, display: str) -> bytes:
        source = self.overlay.get(path)
        if source is None:
            source = self._kept.get(path)
        if source is None:
            source = read_go_file(path, display, self.options.max_file_bytes)
        return source

    # -- the Loader protocol --------------------------------------------------------------

    def load_directory(self, directory: str, token: bytes | None) -> list[SourceFile]:
        chosen: list[tuple[str, str, bytes, bool]] = []  # (path, display, source, reported), in order
        for path in go_files_in(directory):
            if path in self._loaded or (token is None and (path in self._clean_reported or path in self._clean_unreported)):
                continue
            reported = path in self._deferred
            display = self._deferred.pop(path, None) or self._display(path)
            try:
                source = self.read(path, display)
            except InputError:
                continue  # reported when the file itself is linted; here it only resolves names
            if token is not None and not declares_const(source, token):
                if reported:
                    self._deferred[path] = display
                continue
            if token is None and not self.prefilter.wants(source):
                if reported:
                    self._deferred[path] = display
                else:
                    self._clean_unreported.add(path)
                continue
            chosen.append((path, display, source, reported))
        skipped = self._skippable(directory, {path: source for path, _, source, _ in chosen})
        return [
            self._parse(source, path, display, reported, tree=self._parse_without(parse_input(source), skipped.get(path, []))[0])
            for path, display, source, reported in chosen
        ]

    def _skippable(self, directory: str, files: dict[str, bytes]) -> dict[str, list[Run]]:
        """The literal tables each of the files (of one package) may be parsed without
        (`golang.elision`)."""
        if not files:
            return {}
        sources = {path: parse_input(source) for path, source in files.items()}
        return skippable(sources, self._key_only_words(directory, files), self._avoided())

    def _avoided(self) -> tuple[bytes, ...]:
        """The words whose lines a parse never leaves out: image fields, `image:` of manifests,
        `IMAGE` of environment names, directives."""
        if self._avoided_words is None:
            flow = self.options.rule_set.flow
            fields = (*flow.image_fields, *flow.build_name_fields, *flow.build_tag_fields, *flow.pull_policy_fields)
            self._avoided_words = (b"mage", b"MAGE", PREFIX, *(f.encode() for f in fields))
        return self._avoided_words

    def _key_only_words(self, directory: str, siblings: dict[str, bytes]) -> Callable[[set[bytes]], set[bytes]]:
        """`key_only_words` over the package in directory, each word read once: a one-file run
        asks when it parses the file and again when it parses the file's siblings."""
        known = self._key_only.setdefault(directory, {})

        def key_only(words: set[bytes]) -> set[bytes]:
            asked = words - known.keys()
            if asked:
                found = key_only_words(asked, self._package_sources(directory, siblings))
                known.update((word, word in found) for word in asked)
            return {word for word in words if known[word]}

        return key_only

    def _package_sources(self, directory: str, siblings: dict[str, bytes]) -> list[bytes]:
        """The bytes of every Go file of directory: parsed ones from the project, the siblings
        about to be parsed, and the rest read (a file that cannot be read stays out of every tree)."""
        sources = [file.source for file in self.project.files_in(directory)] + list(siblings.values())
        for path in go_files_in(directory):
            if path not in self._loaded and path not in siblings:
                try:
                    sources.append(self.read(path, self._display(path)))
                except InputError:
                    continue
        return sources

    def load_mentioning(self, directory: str, word: bytes, importers: bool = False) -> list[SourceFile]:
        """Parse the not yet loaded Go files of directory that hold word as a whole word (the
        callers of a function whose signature a fix changes), and with importers the linted
        files of other packages that import directory's package and hold it; a linted file is
        parsed as reported, so a fix may edit it."""
        candidates = [(path, self._deferred.get(path) or self._display(path)) for path in go_files_in(directory)]
        if importers:
            candidates.extend(self._importers(directory))
        loaded = []
        for path, display, source in self._unparsed(candidates):
            if not word_offsets(source, (word,)):
                continue
            reported = self._deferred.pop(path, None) is not None or self._clean_reported.pop(path, None) is not None
            self._clean_unreported.discard(path)
            loaded.append(self._parse(source, path, display, reported=reported))
        return loaded

    def _unparsed(self, candidates: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, bytes]]:
        """(path, display, source) of the candidates not parsed yet that can be read (one that
        cannot is reported when it is linted itself; here it would only resolve names)."""
        for path, display in candidates:
            if path in self._loaded:
                continue
            try:
                source = self.read(path, display)
            except InputError:
                continue
            yield path, display, source

    def _importers(self, directory: str) -> list[tuple[str, str]]:
        """The linted files not yet parsed that may import the package in directory."""
        import_path = self.modules.import_path(directory)
        if import_path is None:
            return []
        self.clean_consulted = True
        quoted = b'"%s"' % import_path.encode()
        found = [(path, self._display(path)) for path, header in self._clean_reported.items() if quoted in header]
        return found + sorted(self._deferred.items()) + self._unlinted_importers(directory, import_path)  # read anyway: the word decides

    def _unlinted_importers(self, directory: str, import_path: str) -> list[tuple[str, str]]:
        """The files of the module this run does not lint (excluded, or outside the paths given)
        that import the package in directory: they are parsed unreported, so a fix that would
        have to edit a call there is known to be one for a person."""
        module = self.modules.module_of(directory)
        if module is None:
            return []
        found = []
        for path in self._go_files_of(module[1]):
            if path in self._loaded or path in self._clean_reported or path in self._deferred:
                continue
            try:
                source = self.read(path, self._display(path))
            except InputError:
                continue
            if imports_path(source, import_path):
                found.append((path, self._display(path)))
        return found

    def _go_files_of(self, root: str) -> PathList:
        if root not in self._module_files:
            self._module_files[root] = PathList(module_go_files(root))
        return self._module_files[root]

    def other_module_users(self, directory: str, word: bytes) -> list[tuple[str, bool]]:
        module, import_path = self.modules.module_of(directory), self.modules.import_path(directory)
        if module is None or import_path is None:
            return []
        self.clean_consulted = True  # which files there are, and their import headers, decide
        quoted = b'"%s"' % import_path.encode()
        known: list[tuple[str, str, bytes | None]] = [  # (path, display, text that holds the imports)
            *self.others(),
            *((path, self._display(path), header) for path, header in self._clean_reported.items()),
            *((path, display, None) for path, display in self._deferred.items()),
            *((path, self._display(path), None) for path in sorted(self._loaded)),
        ]
        found = []
        for path, display, text in known:
            if text is not None and quoted not in text and b"`%s`" % import_path.encode() not in text:
                continue  # text is a source, or its header's quoted imports (in double quotes)
            here = self.modules.module_of(os.path.dirname(path))
            if here is not None and here[1] != module[1] and self._imports_and_names(path, display, import_path, word):
                found.append((display, True))
        checked = {path for path, _, _ in known}
        for root in self.modules.dependents(module[1]):
            found.extend(
                (self._display(path), False)
                for path in self._go_files_of(root)
                if path not in checked and self._imports_and_names(path, self._display(path), import_path, word)
            )
        return found

    def _imports_and_names(self, path: str, display: str, import_path: str, word: bytes) -> bool:
        try:
            source = self.read(path, display)
        except InputError:
            return False
        return imports_path(source, import_path) and bool(word_offsets(source, (word,)))

    def settle_deferred(self) -> None:
        """Parse the `Image:`-only files that name a locally built image or a constant or variable holding one.

        Without `localhost/`, a pull policy or a builder in the file, an `Image:` field is a
        finding only through a build name (`acme/datastorage`) or a constant or variable defined elsewhere;
        the rest are parsed later only if a build's flow reaches into their package.
        """
        self._complete_linted_packages()
        if not self._deferred:
            return
        names = {name.encode() for name in self.index.build_names if name}
        for package in list(self.project.packages.values()):
            # a package variable's first value is enough to ask: whether it holds it is the rules' question
            for const, (file, value) in [*package.consts.items(), *package.vars.items()]:
                fixed = self.index.fixed_text(value, file, None)
                if fixed and self.index.is_local_image(fixed):
                    names.add(const.encode())
        self._parse_mentioning(names, sorted(self._deferred.items()), self._deferred.pop)

    def _complete_linted_packages(self) -> None:
        """Parse the siblings of the linted files that may build: a build in a sibling makes
        its repository local for the whole package, so a run of one file and a run of the tree
        say the same of the file's images."""
        partly: dict[str, bool] = {}  # by directory: each is listed once
        for file in [f for f in self.project.files() if f.reported]:
            if file.directory not in partly:
                partly[file.directory] = self._partly_linted(file.directory)
            if partly[file.directory]:
                self.project.complete_package(file)
        for directory in sorted({os.path.dirname(path) for path in self._deferred}):
            if self._partly_linted(directory):
                for file in self.load_directory(directory, None):
                    self.project.add_file(file)

    def _partly_linted(self, directory: str) -> bool:
        """Does the directory hold a Go file the run neither lints nor has read? When the run
        lints every file of a package (a whole-tree run), the prefilter has seen them all: a
        file it left unparsed holds no build, and settling the deferred files asks the rest."""
        known = (self._loaded, self._clean_reported, self._clean_unreported, self._deferred)
        return any(all(path not in group for group in known) for path in go_files_in(directory))

    def directory_for_import(self, import_path: str, from_directory: str) -> str | None:
        return self.modules.directory_for_import(import_path, from_directory)

    def unfollowed_module(self, import_path: str, from_directory: str) -> str | None:
        return self.modules.unfollowed_module(import_path, from_directory)

    def _display(self, path: str) -> str:
        """path relative to the working directory, or as it is outside it: worked out on the
        string (a lint names thousands of files it reads only to resolve names, and pathlib
        would build and intern every part of each name)."""
        base = str(self.cwd).rstrip(os.sep) + os.sep
        return path[len(base) :].replace(os.sep, "/") if path.startswith(base) else path

    # -- analysis -------------------------------------------------------------------------

    def rescan_for_inferred_names(self) -> None:
        """Callers of a wrapper (a function returning a builder's result) hold no builder token.

        They call it by its own name, from its package or from a package that imports it: only
        those files are read again, and only those that mention a wrapper's name are parsed.
        """
        self._load_packages_clean_files_import()
        producers = {p.name for p in self.options.rule_set.flow.producers}
        wrappers = [
            f for f in list(self.project.functions())
            if f.name not in producers and f.result_count and self.index.wrapper(f) is not None
        ]
        if not wrappers:
            return
        self.clean_consulted = True  # even with no clean file now: one added may call a wrapper
        if not self._clean_reported:
            return
        directories = {f.file.directory for f in wrappers}
        imports = {p.encode() for d in directories if (p := self.modules.import_path(d)) is not None}
        importing = re.compile(b'"(?:%s)"' % b"|".join(map(re.escape, sorted(imports)))) if imports else None
        candidates = [
            (path, self._display(path))
            for path, header in self._clean_reported.items()
            if path.rpartition(os.sep)[0] in directories or (importing is not None and importing.search(header))
        ]

        def forget(path: str) -> None:
            del self._clean_reported[path]

        self._parse_mentioning({f.name.encode() for f in wrappers}, candidates, forget)

    def _load_packages_clean_files_import(self) -> None:
        """Load the local packages that linted clean files import and the run does not lint whole.

        A test that calls `framework.BuildService(...)` holds no builder token, and the wrapper
        is known only once its package is parsed: a run of the tree parses it as a linted file,
        a run of the test's file alone (pre-commit) must read it here, or the two runs would
        disagree about the test. A package whose every file the run lints or has read needs
        nothing: the prefilter has seen its files already."""
        directories: dict[str, None] = {}  # in order, each once
        seen: set[tuple[str, bytes]] = set()
        for path, header in self._clean_reported.items():
            module = self.modules.module_of(os.path.dirname(path)) if header else None
            if module is None:
                continue
            for import_path in _QUOTED.findall(header):
                if (module[1], import_path) in seen:
                    continue
                seen.add((module[1], import_path))
                directory = self.modules.directory_for_import(import_path.decode("utf-8", "replace"), module[1])
                if directory is not None and not self.project.loaded(directory) and self._partly_linted(directory):
                    directories[directory] = None
        if directories:
            self.clean_consulted = True  # the clean files' import headers chose what to read
        for directory in directories:
            self.project.load_package(directory)

    def rescan_for_handed_builders(self) -> None:
        """A function handed a builder as a value (`run(w, infrastructure.BuildAndLoadImageToKind)`)
        may hold no builder token: the files of its package that name it are parsed."""
        for directory, name in sorted(handed_builder_targets(self.index)):
            self.project.load_mentioning(directory, name)

    def _parse_mentioning(
        self, names: Collection[bytes], candidates: Iterable[tuple[str, str]], forget: Callable[[str], object]
    ) -> None:
        """Parse, as reported files, the candidates (path, display) not parsed yet whose text
        mentions one of the names; `forget` drops each from the list it was waiting in."""
        for path, display, source in self._unparsed(candidates):
            if any(source.find(name) != -1 for name in names):
                forget(path)
                self._parse_into_project(source, path, display, reported=True)

    def analyse(self) -> LintResult:
        context = RuleContext(self.index, self.options.rule_set, frozenset(self.options.select))
        for file in list(self.project.files()):
            if not file.reported:
                continue
            for code, check in CHECKS.items():
                if code in self.options.select:
                    self.result.findings.extend(check(context, file))
        self.result.findings = sorted({_by_hand_in(self._broken, f) for f in self.result.findings}, key=Finding.sort_key)
        return self.result


def _by_hand_in(broken: set[str], finding: Finding) -> Finding:
    """The finding, with a fix that edits a file with syntax errors made by hand: `--fix`
    refuses to edit such a file, so the report must not promise that it will."""
    fix = finding.fix
    if fix is None or fix.applicability is Applicability.DISPLAY_ONLY:
        return finding
    hit = sorted({edit.filename for edit in fix.edits} & broken)
    if not hit:
        return finding
    message = f"{hit[0]} has syntax errors; fix them first, then rerun --fix"
    return replace(finding, fix=Fix(Applicability.DISPLAY_ONLY, message, fix.edits))


def lint_paths(
    discovered: Sequence[Discovered],
    options: LintOptions,
    cwd: Path,
    overlay: dict[str, bytes] | None = None,
    pending: Pending[Scan] | None = None,
) -> LintResult:
    """Lint the Go files, one Go module at a time.

    The engine resolves imports within a module only, so each module is analysed on its own: a
    tree of many modules (a monorepo's `staging/`) keeps the syntax trees of one module at a
    time, and a module's findings are the ones a run on that module alone gives. The files of
    the first file's module are parsed while the others are still being read."""
    linter = Linter(options, cwd, overlay)
    if pending is None:
        pending = start_scan(discovered, options.rule_set.flow, options.max_file_bytes, overlay)
    modules = linter.modules
    first = _module_root(modules, discovered[0].path) if discovered else None
    scans, trees = linter.read_scans(discovered, pending, _in_module(modules, first))
    units = _units(modules, discovered, scans, first)
    del modules  # its lookups of every directory go with the first module's linter
    if len(units) == 1:
        _read_put_off(linter, discovered, scans, trees)
        linter.take(discovered, scans, trees)
        return _lint_taken(linter)
    result = LintResult()
    seen: dict[Scan, Scan] = {}
    held: list[tuple[SourceFile, bytes]] = []
    for number, indexes in enumerate(units):
        items = [discovered[i] for i in indexes]
        if number:
            linter = Linter(options, cwd, overlay)
        unit_scans = [linter.scanner((d.path, d.display)) if is_put_off(scans[i]) else scans[i] for d, i in zip(items, indexes)]
        if number or not trees:  # (the first file's module may have nothing to parse)
            trees = linter.parse_worth(items, unit_scans)
        linter.others = functools.partial(_other_files, discovered, scans, _members(indexes, len(discovered)))
        linter.take(items, unit_scans, trees)
        del items, unit_scans  # made for the unit: not kept while its trees take the memory
        unit = _with_needed_sources(_lint_taken(linter))
        _merge(result, unit)
        kept = [file for file in unit.sources.values() if isinstance(file, SourceFile)]
        for file in kept:  # the others go with the project
            file.release()
        if number < len(units) - 1:
            held.extend(_held(kept))
        for index in indexes:  # what a later unit needs of these files it reads again
            scans[index] = shared(put_off(scans[index]), seen)
        del linter, unit
        reset_caches()  # the trees' roots and the nodes memoized on them
        gc.collect()  # the project holds its files in cycles: its trees go now, not at the end
        pack_reads()  # what the cache's log holds of the module waits compressed too
    _give_back(held)
    result.findings.sort(key=Finding.sort_key)
    return result


def _held(files: Iterable[SourceFile]) -> Iterator[tuple[SourceFile, bytes]]:
    """Each file with its source compressed, which it no longer holds: what the report reads of
    a finished module waits small while the later modules' trees take the memory."""
    import zlib  # here: a run of one module loads no compression

    for file in files:
        yield file, zlib.compress(file.source, 1)
        file.source = b""  # given back when every module is linted
        vars(file).pop("line_starts", None)  # worked out again when asked


def _give_back(held: list[tuple[SourceFile, bytes]]) -> None:
    import zlib

    for file, packed in held:
        file.source = zlib.decompress(packed)


def _read_put_off(linter: Linter, discovered: Sequence[Discovered], scans: list[Scan], trees: dict[str, Tree]) -> None:
    """Read again, and parse as `read_scans` would have, the files whose sources were put off
    before the lint started (the cache computes its key from every input's verdict, and keeps
    none of their sources)."""
    again = [index for index, scan in enumerate(scans) if is_put_off(scan)]
    for index in again:
        scans[index] = linter.scanner((discovered[index].path, discovered[index].display))
    if again:
        trees.update(linter.parse_worth([discovered[i] for i in again], [scans[i] for i in again]))


def _lint_taken(linter: Linter) -> LintResult:
    """The rest of a lint once the linter has taken its files' verdicts."""
    linter.rescan_for_inferred_names()
    linter.rescan_for_handed_builders()
    linter.settle_deferred()
    result = linter.analyse()
    result.clean_consulted = linter.clean_consulted
    return result


def _in_module(modules: ModuleMap, root: str | None) -> Callable[[Discovered], bool]:
    return lambda item: _module_root(modules, item.path) == root


def _module_root(modules: ModuleMap, path: str) -> str:
    module = modules.module_of(os.path.dirname(path))
    return module[1] if module is not None else ""


def _units(modules: ModuleMap, discovered: Sequence[Discovered], scans: Sequence[Scan], first: str | None) -> list[Sequence[int]]:
    """The indexes of the files, by the module they belong to, the first file's module first
    (as arrays: the list lasts the run, and a list would hold an int object per file).

    Only the files that may be parsed ask for their module; a clean file (which matters only
    as a possible caller of what a fix changes, or of a wrapper) goes with the module whose
    root holds it (or with the files outside any module), and an unreadable one with the first
    module, so errors keep their order."""
    by_root: dict[str, list[int]] = {}
    for index, (item, scan) in enumerate(zip(discovered, scans)):
        if scan[0] in PARSEABLE:
            by_root.setdefault(_module_root(modules, item.path), []).append(index)
    if len(by_root) <= 1:
        return [range(len(discovered))]
    deepest_first = sorted((root for root in by_root if root), key=len, reverse=True)
    first_root = first if first in by_root else next(iter(by_root))
    outside = "" if "" in by_root else first_root  # "": the files under no go.mod
    for index, (item, scan) in enumerate(zip(discovered, scans)):
        if scan[0] == UNREADABLE:
            by_root[first_root].append(index)
        elif scan[0] == Prefilter.CLEAN:
            holder = next((root for root in deepest_first if item.path.startswith(root + os.sep)), outside)
            by_root[holder].append(index)
    order = [first_root, *sorted(root for root in by_root if root != first_root)]
    return [array("l", sorted(by_root[root])) for root in order]


def _members(indexes: Sequence[int], size: int) -> bytearray:
    """Which of size items the indexes name, a byte each (a set would hold an int object per
    file of a module while the module's trees take the memory)."""
    found = bytearray(size)
    for index in indexes:
        found[index] = 1
    return found


def _other_files(discovered: Sequence[Discovered], scans: Sequence[Scan], unit: bytearray) -> Iterator[tuple[str, str, bytes | None]]:
    """(path, display, the source, the quoted imports, or None when the source was put off) of
    the readable files not in the unit: listed when asked, as the scans stand while the unit is
    linted (a list made ahead would hold a tuple per file of the tree)."""
    for index, (item, scan) in enumerate(zip(discovered, scans)):
        kind, info, source, _ = scan
        if unit[index] or kind == UNREADABLE:
            continue
        text = None if is_put_off(scan) else source if source is not None else info
        yield item.path, item.display, text if isinstance(text, bytes) or text is None else b""


def _with_needed_sources(unit: LintResult) -> LintResult:
    """The unit's result keeping only the files that what follows a lint reads: those its
    findings name (code frames, fingerprints, fixes) and those with suppression comments."""
    named = {name for finding in unit.findings for name in _files_named(finding)}
    unit.sources = {name: file for name, file in unit.sources.items() if name in named or PREFIX in file.source}
    return unit


def _files_named(finding: Finding) -> Iterator[str]:
    yield finding.filename
    for related in finding.related:
        yield related.span.filename
    if finding.fix is not None:
        for edit in finding.fix.edits:
            yield edit.filename


def _merge(result: LintResult, unit: LintResult) -> None:
    result.findings.extend(unit.findings)
    result.errors.extend(unit.errors)
    result.warnings.extend(unit.warnings)
    result.files_checked += unit.files_checked
    result.sources.update(unit.sources)
    result.directive_sources.update(unit.directive_sources)
    result.clean_consulted = result.clean_consulted or unit.clean_consulted


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


def lint_run(run: LintRun, overlay: dict[str, bytes], pending: Pending[Scan] | None) -> LintResult:
    """Lint a run's inputs through the overlay, then pass the findings through its gate."""
    inputs = run.inputs
    python: list[tuple[str, str]] = []  # (display, path) of the Python files, linted by python/
    if inputs.stdin is not None:
        path = str((run.cwd / inputs.stdin_name).absolute())
        if is_python(inputs.stdin_name):
            result = LintResult()
            python.append((inputs.stdin_name, path))
            overlay = {**overlay, path: overlay.get(path, inputs.stdin)}
        else:
            result, _ = lint_source(overlay.get(path, inputs.stdin), inputs.stdin_name, run.options, run.cwd)
        result.paths = {inputs.stdin_name: path}
    else:
        python = [(d.display, d.path) for d in inputs.discovered if is_python(d.path)] if any_python(inputs.discovered) else []
        go = [d for d in inputs.discovered if not is_python(d.path)] if python else inputs.discovered
        result = lint_paths(go, run.options, run.cwd, overlay, pending) if go or not python else LintResult()
        result.errors[:0] = inputs.errors
        result.paths = display_paths(inputs.discovered)
    if python:
        _lint_python(result, python, overlay, run)
    texts = {name: file.source for name, file in result.sources.items()}
    result.findings = [_without_empty_fix(f, texts) for f in result.findings]
    if run.gate.selected & SUPPRESSION_CODES:  # files the prefilter skipped may hold (unused) suppressions
        result.sources.update(_directive_files(result))
    _gate(result, run)
    return result


def _without_empty_fix(finding: Finding, texts: dict[str, bytes]) -> Finding:
    """The finding, by hand when its fix would leave every byte as it is: the report must not
    promise a fix, and `--fix` must not count one, that changes nothing."""
    fix = finding.fix
    if fix is None or fix.applicability is Applicability.DISPLAY_ONLY or not changes_nothing(fix, texts):
        return finding
    return replace(finding, fix=Fix(Applicability.DISPLAY_ONLY, "the planned edits change nothing; follow the four steps by hand"))


def _lint_python(result: LintResult, files: list[tuple[str, str]], overlay: dict[str, bytes], run: LintRun) -> None:
    from imagetag_lint.python.driver import lint_python_files

    options = run.options
    found = lint_python_files(files, overlay, options.rule_set, options.select, options.max_file_bytes, str(run.cwd))
    result.findings = sorted([*result.findings, *found.findings], key=Finding.sort_key)
    result.errors.extend(found.errors)
    result.warnings.extend(found.warnings)
    result.files_checked += found.checked
    result.sources.update(found.files)


def _directive_files(result: LintResult) -> dict[str, SourceFile]:
    """Files the prefilter kept from the parser that hold suppression comments (perhaps unused)."""
    found = {}
    for display, (path, source) in result.directive_sources.items():
        if display not in result.sources:
            from imagetag_lint.suppress import directive_file

            found[display] = directive_file(source, display, os.path.dirname(path))
    return found


def _gate(result: LintResult, run: LintRun) -> None:
    gate = run.gate
    quiet = not result.findings and not any(
        PREFIX in f.source or PYTHON_PREFIX in f.source for f in result.sources.values()
    )
    if quiet and gate.narrow and not (gate.baseline or gate.new_from_rev):
        return  # nothing to suppress, fingerprint or narrow
    from imagetag_lint.gate import ignored_by_file, narrow, suppressed

    findings = suppressed(result.findings, result.sources, run.options.rule_set, gate.selected)
    findings = [f for f in findings if not ignored_by_file(f, gate.config, run.cwd)]
    if gate.narrow:
        scope = (result.paths.keys(), gate.selected)
        findings, result.notes = narrow(findings, gate.baseline, gate.new_from_rev, run.cwd, scope)
    result.findings = findings
