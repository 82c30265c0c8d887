"""A lint answered from the cache when nothing it depends on changed, else run and stored.

The unit cached is the whole run. The engine resolves names across a Go module, not only
within a package: `Linter.settle_deferred` parses the files that mention a build name found
in *any* parsed file of the module, and IMG002 asks whether any file of the module builds the
image it sees (`engine.locality.build_names`). Editing one file can thus change a finding in
any other of its module (and adding a `go.mod` regroups the modules), so the run is the unit.

What a run's result depends on, and so what its entry holds:
- the tool and its configuration (the salt);
- the bytes of every input the prefilter does not find clean (a builder, loader or sink token,
  an `Image:` field, a suppression comment) and of every Python input: the key;
- of the clean Go inputs, only that they are clean: the lint keeps their import headers and
  otherwise looks at them only on demand, and then reads them (logged below). Their number is
  the report's "files checked", which a hit corrects. When the lint chose files among them by
  path or import header (`Linter.clean_consulted`: a wrapper's callers, a package's importers)
  the entry holds a digest of their paths and headers too; when the report's baseline notes
  count entries by file, their names are in the key;
- what the lint read beyond the inputs the key holds (siblings, imported packages, clean
  inputs it looked into, go.mod files, directory listings, the files a module search opened:
  see `reads.py`), each checked on a hit.
So an edit that keeps a file clean, of a file the lint did not read, reuses the entry, as does
adding or removing such a file where no listing the lint made sees it; anything else lints again.

Per file, a table keyed by path keeps a stamp of `st_mtime_ns` and `st_ctime_ns` (a tool that puts an
old modification time back, `cp -p`, `rsync -t`, `tar`, cannot set the change time), `st_size`,
`st_ino`, the content digest and,
for a file the prefilter found clean, its verdict. A file whose stat is unchanged is not read
again: not to check a run entry, and not to prefilter it when the run must lint again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from imagetag_lint import __version__
from imagetag_lint.cache.codec import decode_result, encode_result
from imagetag_lint.cache.store import CacheDir, digest, digest_of_parts
from imagetag_lint.errors import InputError
from imagetag_lint.files import (
    PARALLEL_MIN_FILES,
    Discovered,
    Prefilter,
    Scan,
    Scanner,
    display_paths,
    go_files_in,
    put_off,
    read_go_file,
    shared,
)
from imagetag_lint.lint_result import LintResult
from imagetag_lint.options import LintRun
from imagetag_lint.parallel import Settled, Split
from imagetag_lint.reads import EXISTS, ReadLog, listing_bytes, log_reads, walked
from imagetag_lint.regular import read_regular
from imagetag_lint.rules import builtin_rules_dir

FORMAT = 4
RUNS = "runs"
KEPT_RUNS = 64  # run entries kept, the most recent ones
KEPT_TABLES = 4  # per-file tables kept: one per tool build and configuration in use
# File times are coarse (a tick of the kernel's clock): a file written twice within one keeps its
# stat. A stat this close to the run's start is not trusted next time (git's "racily clean").
RACY_NS = 2 * 10**9
# (stamp of st_mtime_ns and st_ctime_ns, st_size, st_ino, content digest, the prefilter's verdict on a clean file: (kind, imports))
TableEntry = tuple[int, int, int, bytes, "tuple[int, bytes] | None"]
Dependency = tuple[str, int, "bytes | None"]  # (path, bytes read at most or -1, digest; None: absent)
Listing = tuple[str, str, bytes]  # ("go", "py" or "walk", directory, the digest of what it held)
Clean = tuple[Discovered, bytes]  # a clean Go input and its import header


class RunCache:
    """One run's use of a cache directory. `reads` counts the inputs read from disk (the rest
    were known by their stat), `linted` whether the lint ran or the cache answered. frames: the
    report draws code frames, so a result from the cache reads the files with findings."""

    def __init__(self, directory: Path, run: LintRun, frames: bool = True) -> None:
        self.store = CacheDir(directory)
        self.run = run
        self.frames = frames
        self.salt = _salt(run)
        self.table_name = "files-" + self.salt.hex()
        self.table = _table(self.store.read(self.table_name))
        self.changed: dict[str, TableEntry] = {}
        self.scanner = Scanner(Prefilter(run.options.rule_set.flow), run.options.max_file_bytes)
        self.scans: dict[str, Scan] = {}  # inputs read while computing the key, prefiltered
        self.clean: list[Clean] = []  # the clean Go inputs, known when the key is made
        self.keyed: dict[str, bytes] = {}  # the digests the key holds, of the other inputs
        self.reads = 0
        self.linted = False
        self.released = False  # whether the table was let go of (and is on disk only)

    def lint(self) -> LintResult:
        key = self._key()
        if key is None:  # an input cannot be read or walked: reported by a lint of its own
            self.linted = True
            return self.run.lint({})
        name = f"{RUNS}/{key.hex()}"
        result = self._lookup(name, key)
        if result is None:
            self._save_table()  # now, while the trees the lint parses do not yet take memory
            result = self._lint_and_store(name, key)
        self._save_table()
        return result

    # -- the key -----------------------------------------------------------------------------

    def _key(self) -> bytes | None:
        """The run's key; its parts (a name and digest per input) go before the lint starts."""
        parts = self._key_parts()
        return None if parts is None else digest(self.salt + b"".join(parts))

    def _key_parts(self) -> list[bytes] | None:
        """What the key holds of the inputs: the bytes of those not clean; of the clean ones,
        their names only when the report shows them (the baseline's stale entries, by file)."""
        inputs = self.run.inputs
        if inputs.stdin is not None or inputs.errors:
            return None
        items = list(inputs.discovered)  # made once here: a long list makes each file when asked
        known = [self._known(item.path) for item in items]
        if not self._read_inputs([(i.path, i.display) for i, entry in zip(items, known) if entry is None]):
            return None
        names_shown = self.run.gate.baseline is not None and self.run.gate.narrow
        parts = []
        for item, entry in zip(items, known):
            entry = entry or self.changed[item.path]
            name = b"%s\0%s\0" % (item.display.encode(), item.path.encode())
            if entry[4] is None:
                parts.append(name + entry[3] + b"\0")
                self.keyed[item.path] = entry[3]
            else:
                self.clean.append((item, entry[4][1]))
                if names_shown:
                    parts.append(name + b"clean\0")
        return parts

    def _clean_digest(self) -> bytes:
        return digest_of_parts(b"%s\0%s\0%s\0" % (i.display.encode(), i.path.encode(), header) for i, header in self.clean)

    def _known(self, path: str) -> TableEntry | None:
        """The table's entry for path when its stat is unchanged."""
        entry = self.changed.get(path) or self.table.get(path)
        if entry is None or not _valid(entry):
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return entry if entry[:3] == (_stamp(stat), stat.st_size, stat.st_ino) else None

    def _read_inputs(self, jobs: list[tuple[str, str]]) -> bool:
        """Read, digest and prefilter the inputs the table does not know, in forked processes
        when they are many (a first run): False when one cannot be read."""
        seen: dict[Scan, Scan] = {}

        def slim(_: int, result: tuple[TableEntry, Scan | None] | None) -> tuple[TableEntry, Scan | None] | None:
            if result is None or result[1] is None:
                return result
            return result[0], shared(result[1], seen)

        # busy: the forked readers take every share, so no source is ever read into this process
        results = Split(self._read_input, jobs, min_items=PARALLEL_MIN_FILES, busy=True).results(slim)
        for (path, _), result in zip(jobs, results):
            if result is None:
                return False
            entry, scan = result
            self.changed[path] = entry
            if scan is not None:
                self.scans[path] = scan
        self.reads += len(jobs)
        return True

    def _read_input(self, job: tuple[str, str]) -> tuple[TableEntry, Scan | None] | None:
        """(its table entry, the prefilter's verdict) for one input; plain data, as it may be
        computed in another process."""
        path, display = job
        try:
            stat = os.stat(path)
            source = read_go_file(path, display, self.run.options.max_file_bytes)
        except (OSError, InputError):
            return None
        entry, scan = self._entry_of(path, stat, source)
        # the lint reads a source again at its turn: it is not sent back from a forked reader,
        # so the run never holds every parseable input's bytes, nor leaves the memory they took
        # scattered among what it keeps (a tree of several modules)
        return entry, None if scan is None else put_off(scan)

    def _entry_of(self, path: str, stat: os.stat_result, source: bytes) -> tuple[TableEntry, Scan | None]:
        """The table entry of a file read now, with the prefilter's verdict on a Go file."""
        if not path.endswith(".go"):  # python/ reads its own inputs
            return _entry(stat, digest(source), None), None
        scan = self.scanner.scan(source)
        clean = scan[0] == Prefilter.CLEAN and not scan[3] and isinstance(scan[1], bytes)
        return _entry(stat, digest(source), (scan[0], scan[1]) if clean else None), scan  # type: ignore[arg-type]

    # -- a hit -------------------------------------------------------------------------------

    def _lookup(self, name: str, key: bytes) -> LintResult | None:
        try:
            form, stored_key, (clean_count, consulted), files, listings, data = self.store.read(name)
            if form != FORMAT or stored_key != key:
                return None
            if consulted is not None and consulted != self._clean_digest():
                return None
            if any(self._dependency(path, limit) != wanted for path, limit, wanted in files):
                return None
            if any(digest(listing_bytes(_listing(kind, directory))) != held for kind, directory, held in listings):
                return None
            findings, errors, warnings, notes, checked = decode_result(data)
            checked += len(self.clean) - clean_count  # the clean inputs added or removed
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):  # not an entry we wrote
            return None
        result = LintResult(findings, errors, warnings, checked, notes=notes)
        result.paths = display_paths(self.run.inputs.discovered)
        if self.frames:
            result.sources = _frame_sources(result)  # type: ignore[assignment]
        return result

    def _dependency(self, path: str, limit: int) -> bytes | None:
        """The digest of what the lint would read of path now; None when it cannot be read."""
        if limit == EXISTS:
            return digest(b"") if os.path.isfile(path) else None
        if limit != -1:
            entry = self._known(path)
            if entry is not None and entry[1] < limit:  # all of it was read: its digest is known
                return entry[3]
            try:
                return digest(read_regular(path, limit))
            except OSError:
                return None
        entry = self._known(path)
        if entry is not None:
            return entry[3]
        try:
            stat = os.stat(path)
            source = read_go_file(path, path, self.run.options.max_file_bytes)
        except (OSError, InputError):
            return None
        entry = self._entry_of(path, stat, source)[0]
        self.changed[path] = entry
        return entry[3]

    # -- a miss ------------------------------------------------------------------------------

    def _lint_and_store(self, name: str, key: bytes) -> LintResult:
        self.linted = True
        scans = Settled(list(self._scans()))  # before the log starts: the prefilter's reads are not the lint's
        # stored already, or kept as a digest: the lint's trees need the memory more
        self.table, self.released, self.scans = {}, True, {}
        clean_count, clean_digest = len(self.clean), self._clean_digest()
        self.clean = []
        log = ReadLog(self.keyed, self._keyed_bytes)  # the inputs the key holds the bytes of
        log_reads(log)
        try:
            result = self.run.lint({}, scans)
        finally:
            log_reads(None)
        log.unpack()
        files: list[Dependency] = log.dependencies()
        baseline = self.run.gate.baseline
        if baseline is not None and self.run.gate.narrow:  # the gate reads it
            files.append((str(baseline), -1, self._dependency(str(baseline), -1)))
        listings: list[Listing] = [("go", d, held) for d, held in sorted(log.listings.items())]
        listings.extend(("py", d, log.listing(_listing("py", d))) for d in self._python_directories())
        listings.extend(("walk", d, held) for d, held in sorted(log.walks.items()))
        consulted = clean_digest if result.clean_consulted else None
        if log.inputs_changed:  # an input was edited while the run read it: the result is not the key's
            return result
        data = encode_result(result.findings, result.errors, result.warnings, result.notes, result.files_checked)
        self.store.write(name, (FORMAT, key, (clean_count, consulted), files, listings, data))
        self.store.prune(RUNS, KEPT_RUNS)
        return result

    def _keyed_bytes(self, path: str, source: bytes) -> bool:
        """Are these the bytes of the input that the key holds?"""
        return self.keyed.get(path) == digest(source)

    def _scans(self) -> Iterator[Scan]:
        """The prefilter's verdicts on the Go inputs, in order: known, computed already, or now."""
        seen: dict[Scan, Scan] = {}
        for item in self.run.inputs.discovered:
            if item.path.endswith(".py"):
                continue
            scan = self.scans.pop(item.path, None)
            if scan is None:
                entry = self.changed.get(item.path) or self.table.get(item.path)
                verdict = None if entry is None else entry[4]
                if verdict is not None:  # the stat was checked when the key was made
                    scan = (verdict[0], verdict[1], None, False)
                else:
                    self.reads += 1
                    scan = self.scanner((item.path, item.display))
            yield shared(scan, seen)

    def _python_directories(self) -> list[str]:
        """The directories python/ lists for siblings and conftest.py files: each Python input's,
        and those above it up to the working directory."""
        root = str(self.run.cwd.absolute())
        found: set[str] = set()
        for item in self.run.inputs.discovered:
            if not item.path.endswith(".py"):
                continue
            directory = os.path.dirname(os.path.abspath(item.path))
            while directory not in found:
                found.add(directory)
                if directory == root or not directory.startswith(os.path.join(root, "")):
                    break
                directory = os.path.dirname(directory)
        return sorted(found)

    def _save_table(self) -> None:
        if self.changed and self.released:  # let go during the lint: the stored table is whole
            self.table, self.released = _table(self.store.read(self.table_name)), False
        if self.changed:
            self.table.update(self.changed)
            self.changed = {}
            self.store.write(self.table_name, self.table)
            self.store.prune(".", KEPT_TABLES, prefix="files-")


def _entry(stat: os.stat_result, content: bytes, verdict: tuple[int, bytes] | None) -> TableEntry:
    """A table entry for a file read now; one written too recently gets a time no stat has."""
    stamp = _stamp(stat) if time.time_ns() - stat.st_mtime_ns > RACY_NS else -1
    return (stamp, stat.st_size, stat.st_ino, content, verdict)


def _stamp(stat: os.stat_result) -> int:
    """The file's modification and change times in one int (a tuple of ints hashes the same in
    every process); -1 is kept for a stat too recent to trust."""
    return hash((stat.st_mtime_ns, stat.st_ctime_ns)) & (2**62 - 1)


def _table(data: object) -> dict[str, TableEntry]:
    """The per-file table as stored (each entry is checked when used); empty if it is no dict."""
    return data if isinstance(data, dict) else {}


def _valid(entry: object) -> bool:
    if not (isinstance(entry, tuple) and len(entry) == 5 and isinstance(entry[3], bytes)):
        return False
    verdict = entry[4]
    return verdict is None or (
        isinstance(verdict, tuple) and len(verdict) == 2 and isinstance(verdict[0], int) and isinstance(verdict[1], bytes)
    )


def _listing(kind: str, directory: str) -> tuple[str, ...]:
    if kind == "go":
        return tuple(go_files_in(directory))
    if kind == "walk":
        return walked(directory)
    try:
        return tuple(sorted(e.name for e in os.scandir(directory) if e.name.endswith(".py") and e.is_file()))
    except OSError:
        return ()


def _frame_sources(result: LintResult) -> dict[str, object]:
    """The files the text report shows code frames of: those with findings."""
    # PythonFile is bytes and line starts, all a code frame reads, whatever the language
    from imagetag_lint.python.source import PythonFile

    sources: dict[str, object] = {}
    for name in sorted({f.filename for f in result.findings}):
        path = result.paths.get(name)
        if path is not None:
            try:
                sources[name] = PythonFile(name, read_regular(path))
            except OSError:
                continue
    return sources


def _salt(run: LintRun) -> bytes:
    """What a cached result depends on besides the files: the tool, its rules and settings."""
    options, gate = run.options, run.gate
    parts: list[object] = [
        FORMAT,
        __version__,
        _tool_stamp(),
        str(run.cwd.absolute()),
        sorted(options.select),
        sorted(gate.selected),
        options.max_file_bytes,
        gate.narrow,
        str(gate.baseline),
        str(gate.config.path),
        _contents([gate.config.path] if gate.config.path is not None else []),
        _contents(_files_in(gate.config.rule_dirs)),
    ]
    return digest(repr(parts).encode())


def _tool_stamp() -> list[tuple[str, int, int]]:
    """The tool's own files (code and built-in rules) by size and time: an edited checkout, or
    another build of the same version, does not reuse results of the old code."""
    found = []
    stack = [os.path.dirname(os.path.dirname(__file__)), str(builtin_rules_dir())]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir() and entry.name != "__pycache__":
                    stack.append(entry.path)
                elif entry.name.endswith((".py", ".toml", ".json")):
                    stat = entry.stat()
                    found.append((entry.path, stat.st_size, stat.st_mtime_ns))
            except OSError:
                continue
    return sorted(found)


def _files_in(directories: Iterable[Path]) -> list[Path]:
    """The rule files of the configured rule directories."""
    found: list[Path] = []
    for directory in directories:
        try:
            found.extend(Path(e.path) for e in os.scandir(directory) if e.name.endswith((".toml", ".json")))
        except OSError:
            continue
    return sorted(found)


def _contents(paths: Iterable[Path]) -> list[tuple[str, bytes]]:
    found = []
    for path in paths:
        try:
            found.append((str(path), digest(read_regular(path))))
        except OSError:
            found.append((str(path), b""))
    return found
