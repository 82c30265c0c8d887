"""Discovering, reading and prefiltering Go files: the only part that looks at the disk.

The byte-level Go lexing the prefilter uses lives in `golang.lexing`.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from abc import abstractmethod
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar, overload

from imagetag_lint.directives import PREFIX
from imagetag_lint.errors import ImagetagLintError, InputError, UnreadablePath
from imagetag_lint.golang.lexing import on_comment_line, quoted_imports, yaml_image_keys
from imagetag_lint.parallel import Split
from imagetag_lint.reads import note_file, note_listing, note_walk
from imagetag_lint.regular import NotRegularFile, open_regular, read_regular
from imagetag_lint.rules import ImageFlow

SKIPPED_DIRS = {"vendor", "testdata", "node_modules"}
MAX_FILE_BYTES = 64 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


class Discovered:
    """A Go or Python file found under the paths given on the command line: its absolute path,
    and its display name, relative to the working directory when below it. Such a name is the
    end of the path, cut from it when asked: a tree of thousands of files then holds one string
    per file, not two."""

    __slots__ = ("_display", "path")

    def __init__(self, path: str, display: str) -> None:
        self.path = path
        self._display: int | str = len(path) - len(display) if path.endswith(display) else display

    @property
    def display(self) -> str:
        display = self._display
        return self.path[display:] if isinstance(display, int) else display

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Discovered):
            return NotImplemented
        return (self.path, self.display) == (other.path, other.display)

    def __hash__(self) -> int:
        return hash((self.path, self.display))

    def __repr__(self) -> str:
        return f"Discovered(path={self.path!r}, display={self.display!r})"


T = TypeVar("T")


class _Packed(Sequence[T]):
    """A sequence whose items are made from a compact store when asked (`_item`)."""

    @abstractmethod
    def _item(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._item(index)


class PathList(_Packed[str]):
    """Paths, in order, held as each one's directory (among the distinct ones) and name, in
    arrays and one string: a list of a large tree's paths that lasts while the trees are parsed
    would hold a string object per file. Each path is made when asked for."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.directories: list[str] = []  # with the separator at the end
        numbers: dict[str, int] = {}
        self.directory = array("i")  # per path: the number of its directory
        self.name_ends = array("i")  # per path: where its name ends in names
        names: list[str] = []
        end = 0
        for path in paths:
            split = path.rfind(os.sep) + 1
            directory, name = path[:split], path[split:]
            number = numbers.setdefault(directory, len(numbers))
            if number == len(self.directories):
                self.directories.append(directory)
            self.directory.append(number)
            names.append(name)
            end += len(name)
            self.name_ends.append(end)
        self.names = "".join(names)

    def __len__(self) -> int:
        return len(self.name_ends)

    def _item(self, index: int) -> str:
        start = self.name_ends[index - 1] if index else 0
        return self.directories[self.directory[index]] + self.names[start : self.name_ends[index]]

    def __iter__(self) -> Iterator[str]:
        directories, names = self.directories, self.names
        start = 0
        for directory, end in zip(self.directory, self.name_ends):
            yield directories[directory] + names[start:end]
            start = end


def any_python(discovered: Sequence[Discovered]) -> bool:
    """Whether any input is a Python file: for a `DiscoveredFiles` whose names never hold
    `.py` (a Go tree), told without making each file."""
    if isinstance(discovered, DiscoveredFiles) and ".py" not in discovered.paths.names:
        return False
    return any(d.path.endswith(".py") for d in discovered)


class DiscoveredFiles(_Packed[Discovered]):
    """The files `discover` found, in order: their paths in a `PathList`, and where each one's
    display name starts in its path. Each file is made when asked for."""

    def __init__(self, files: Iterable[Discovered]) -> None:
        listed = list(files)
        self.paths = PathList(file.path for file in listed)
        self.cuts = array("i")  # per file: where its display name starts in its path (-1: see displays)
        self.displays: dict[int, str] = {}  # the display names that are no end of their path
        self.by_display = True  # whether the display names come in increasing order (`DisplayPaths`)
        last = ""
        for index, file in enumerate(listed):
            display = file._display
            self.cuts.append(display if isinstance(display, int) else -1)
            if isinstance(display, str):
                self.displays[index] = display
            self.by_display = self.by_display and (not index or file.display > last)
            last = file.display

    def __len__(self) -> int:
        return len(self.cuts)

    def _item(self, index: int) -> Discovered:
        paths, cut = self.paths, self.cuts[index]
        start = paths.name_ends[index - 1] if index else 0
        made = Discovered.__new__(Discovered)
        made.path = paths.directories[paths.directory[index]] + paths.names[start : paths.name_ends[index]]
        made._display = cut if cut != -1 else self.displays[index]
        return made

    def __iter__(self) -> Iterator[Discovered]:
        displays, new = self.displays, Discovered.__new__
        for index, (path, cut) in enumerate(zip(self.paths, self.cuts)):
            made = new(Discovered)
            made.path, made._display = path, cut if cut != -1 else displays[index]
            yield made


class DisplayPaths(Mapping[str, str]):
    """display name -> path of the files of a `DiscoveredFiles` listed by display name (as
    `discover` lists them), found by bisection: a report asks for a few, and a dict of every
    input would take a string per file while the last module's trees are still held."""

    def __init__(self, files: DiscoveredFiles) -> None:
        self.files = files

    def __getitem__(self, display: str) -> str:
        index = bisect_left(self.files, display, key=_display_of)
        if index < len(self.files):
            found = self.files[index]
            if found.display == display:
                return found.path
        raise KeyError(display)

    def __iter__(self) -> Iterator[str]:
        return (file.display for file in self.files)

    def __len__(self) -> int:
        return len(self.files)


def _display_of(file: Discovered) -> str:
    return file.display


def display_paths(discovered: Sequence[Discovered]) -> Mapping[str, str]:
    """Each input's path by its display name."""
    if isinstance(discovered, DiscoveredFiles) and discovered.by_display:
        return DisplayPaths(discovered)
    return {d.display: d.path for d in discovered}


def display_name(path: Path | str, cwd: Path) -> str:
    """The name a user sees: relative to the working directory (`../x.go` outside it)."""
    text = str(path)
    base = str(cwd).rstrip(os.sep) + os.sep
    relative = text[len(base):] if text.startswith(base) else os.path.relpath(text, cwd)
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


def excluded(display: str, patterns: Iterable[str]) -> bool:
    parts = display.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatchcase(display, pattern) or fnmatch.fnmatchcase(display, pattern + "/*"):
            return True
        if "/" not in pattern and any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def discover(
    paths: Iterable[str], cwd: Path, exclude: tuple[str, ...] = (), exclude_root: Path | None = None
) -> tuple[DiscoveredFiles, list[InputError]]:
    """The Go and Python files below paths; exclude patterns are relative to exclude_root (the config file's
    directory), the working directory when it is None."""
    found: dict[str, Discovered] = {}  # canonical path -> file: one file named two ways is linted once
    errors: list[InputError] = []
    base = str(cwd)
    for raw in paths:
        path = os.path.normpath(os.path.join(base, raw))
        if os.path.isdir(path):
            real = os.path.join(os.path.realpath(path), "")
            unreadable: list[InputError] = []
            anchor = _anchor(path, exclude_root or cwd) if exclude else ""
            # a directory named on the command line is linted: patterns that exclude it are dropped
            patterns = tuple(p for p in exclude if not anchor or not excluded(anchor[:-1], (p,)))
            for file, relative in _walk(path, cwd, (patterns, anchor), unreadable):
                found.setdefault(real + relative, file)
            errors.extend(sorted(unreadable, key=lambda e: e.filename))  # the walk's order is the disk's
        elif os.path.isfile(path):
            found.setdefault(os.path.realpath(path), Discovered(path, display_name(path, cwd)))
        elif os.path.islink(path) and not os.path.exists(path):
            errors.append(UnreadablePath(raw, "broken symbolic link"))
        elif os.path.lexists(path):
            errors.append(UnreadablePath(raw, "not a regular file or directory"))
        else:
            errors.append(UnreadablePath(raw, "no such file or directory"))
    return DiscoveredFiles(sorted(found.values(), key=lambda d: d.display)), errors


def _anchor(root: str, exclude_root: Path) -> str:
    """root's path relative to exclude_root, as the prefix of the names exclude patterns see."""
    relative = Path(os.path.relpath(root, exclude_root.absolute())).as_posix()
    return "" if relative == "." else relative + "/"


def _walk(
    root: str, cwd: Path, exclusion: tuple[tuple[str, ...], str], errors: list[InputError]
) -> Iterator[tuple[Discovered, str]]:
    """The Go and Python files below root, with their paths relative to it. Symbolic links are not followed
    (like the go tool: no loops, no twins), so a file's real path is the root's plus that.
    exclusion is the exclude patterns and root's path relative to the directory they are
    relative to."""
    exclude, anchor = exclusion
    prefix = display_name(root, cwd)
    # below the working directory a file's name is the root's plus its path; above it (`..`),
    # the path may lead back in, so each name is worked out on its own
    outside = prefix == ".." or prefix.startswith("../") or os.path.isabs(prefix)
    prefix = "" if prefix == "." else prefix + "/"
    stack = [(root, "")]
    while stack:
        directory, relative = stack.pop()
        try:
            entries = list(os.scandir(directory))  # no order needed: the result is sorted at the end
        except OSError as exc:
            problem = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
            errors.append(UnreadablePath(prefix + relative or "./", f"cannot read directory: {problem}"))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                if entry.is_symlink():
                    continue
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            display = display_name(entry.path, cwd) if outside else prefix + relative + name
            if exclude and excluded(anchor + relative + name, exclude):
                continue
            if is_dir:
                if name not in SKIPPED_DIRS and name[0] != "_":
                    subdirs.append((entry.path, relative + name + "/"))
            elif name.endswith((".go", ".py")) and _regular(entry):  # a FIFO named x.go would hang the read
                yield Discovered(entry.path, display), relative + name
        stack.extend(subdirs)


def _regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def read_go_file(path: Path | str, display: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or an InputError that says in a few words why it cannot be linted."""
    try:
        source = _read_file(path, display, max_bytes)
    except InputError:
        note_file(str(path), None)  # a file that cannot be read now may be readable later
        raise
    note_file(str(path), source)
    return source


def _read_file(path: Path | str, display: str, max_bytes: int) -> bytes:
    try:
        descriptor = open_regular(path)
    except NotRegularFile as exc:
        raise InputError(display, "is a directory, not a Go file" if exc.errno == errno.EISDIR else f"{exc.strerror}; not linted") from None
    except PermissionError:
        raise InputError(display, "cannot read: permission denied") from None
    except FileNotFoundError:
        raise InputError(display, "no such file or directory") from None
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    try:
        size = os.fstat(descriptor).st_size
        if size > max_bytes:
            raise InputError(display, f"file is larger than {_size(max_bytes)}; not linted")
        chunks = [os.read(descriptor, size + 1)]  # one read for a regular file; loop for the rest
        while len(chunks[-1]) > size and sum(map(len, chunks)) <= max_bytes:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        source = b"".join(chunks)
    except IsADirectoryError:
        raise InputError(display, "is a directory, not a Go file") from None
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    check_source(source, display, max_bytes)
    return source


def _size(limit: int) -> str:
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit} bytes"


def check_source(source: bytes, display: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    if len(source) > max_bytes:
        raise InputError(display, f"file is larger than {_size(max_bytes)}; not linted")
    if source.isascii():
        if source.find(b"\0") != -1:
            raise InputError(display, "binary file (contains NUL bytes); not linted")
        return
    if source.find(b"\0") != -1:
        raise InputError(display, "binary file (contains NUL bytes); not linted")
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            display, f"not valid UTF-8 (byte 0x{source[exc.start]:02x} at offset {exc.start}); not linted"
        ) from None


class Prefilter:
    """Which files are worth parsing? Cheap substring gates first, then two regexes.

    Everything a rule reports on holds `Image` or `image` (a builder's or loader's name, an image
    field, a manifest's `image:` line, a suppression comment), so one C-speed scan for `mage`
    settles most files. Local prefixes (`localhost/`) are gates too: a file with only such a
    constant must be parsed for the constant to be known, and so is `kubectl`: a kubectl helper
    deploys what its callers name. The rest are *strong* (a builder, a
    loader, a manifest line, a local image prefix, a pull policy, an `exec.Command` that may run
    a container build or load: parse now) or *weak* (only an
    `Image:` field: parse when a name makes it matter, see `Linter.settle_deferred`).
    """

    CLEAN, WEAK, STRONG = 0, 1, 2

    def __init__(self, flow: ImageFlow, extra_names: Iterable[str] = ()) -> None:
        names = sorted({p.name for p in flow.producers} | {c.name for c in flow.consumers} | set(extra_names))
        prefixes = [prefix.encode() for prefix in flow.local_prefixes]
        # `exec.Command`: a function that runs `podman build -t` or `kind load` may be a build or load helper
        strong = [n.encode() for n in names] + [b"PullNever", b'"Never"', b"exec.Command"] + prefixes
        fields = [f.encode() for f in sorted(set(flow.image_fields))]
        # `kubectl`: a kubectl helper (`exec.Command("kubectl", args...)`) names no image itself,
        # and its callers' `set image` and `--image` words deploy through it
        gates = [b"mage", b"kubectl"] + [g for g in [n.encode() for n in names] + fields + prefixes if b"mage" not in g]
        self.gates = tuple(dict.fromkeys(gates))
        self.strong = tuple(strong)  # each found with bytes.find: a regex alternation is 10x slower
        self.patterns = re.compile(b"|".join(b"(?:%s)" % p.encode() for p in flow.local_patterns)) if flow.local_patterns else None
        self.weak = re.compile(b"|".join(re.escape(f) + rb"\s*:" for f in fields)) if fields else None
        self.has_patterns = bool(flow.local_patterns)

    def gate(self, source: bytes) -> bool:
        """False when no rule can find anything in source: the file needs no parse."""
        if self.has_patterns:
            return True
        for gate in self.gates:  # find, not `in`: `in` first tries the needle as an int, a raised
            if source.find(gate) != -1:  # and cleared TypeError that costs more than a small file's scan
                return True
        return False

    def classify(self, source: bytes) -> int:
        """CLEAN, WEAK or STRONG, for a source that passed the gate.

        A strong token on a comment line (`// like BuildAndLoadImageToKind`) does not count.
        """
        for literal in self.strong:
            position = source.find(literal)
            while position != -1:
                if not on_comment_line(source, position):
                    return self.STRONG
                position = source.find(literal, position + 1)
        if self.patterns is not None and self.patterns.search(source) is not None:
            return self.STRONG
        if next(yaml_image_keys(source), None) is not None:
            return self.STRONG
        if self.weak is not None and self.weak.search(source) is not None:
            return self.WEAK
        return self.CLEAN

    def wants(self, source: bytes) -> bool:
        return self.gate(source) and self.classify(source) != self.CLEAN


# The prefilter's verdict on one file, as plain data (it may come from another process):
# (Prefilter kind or UNREADABLE, the quoted imports of a clean file (`quoted_imports`) or the
# problem, the source when it is needed later, whether it holds suppression comments)
Scan = tuple[int, "bytes | str", "bytes | None", bool]
UNREADABLE = -1
PARSEABLE = (Prefilter.WEAK, Prefilter.STRONG)  # the verdicts whose scan holds the source


def put_off(scan: Scan) -> Scan:
    """The scan without its source, which the lint reads again when it takes the file."""
    return (scan[0], scan[1], None, scan[3]) if scan[0] in PARSEABLE else scan


def shared(scan: Scan, seen: dict[Scan, Scan]) -> Scan:
    """scan, or the equal verdict seen before when it holds no source: a whole-tree run keeps
    every file's verdict, and most are one of a few (clean, importing the same packages)."""
    return scan if scan[2] is not None else seen.setdefault(scan, scan)


def is_put_off(scan: Scan) -> bool:
    return scan[0] in PARSEABLE and scan[2] is None


PARALLEL_MIN_FILES = 1000  # below this, forking costs more than it saves


class Scanner:
    """Reads a file and settles what the prefilter says of it: the work `start_scan` shares out."""

    def __init__(self, prefilter: Prefilter, max_bytes: int, overlay: dict[str, bytes] | None = None) -> None:
        self.prefilter = prefilter
        self.max_bytes = max_bytes
        self.overlay = overlay or {}  # absolute path -> bytes that stand in for the file on disk

    def __call__(self, job: tuple[str, str]) -> Scan:
        path, display = job
        source = self.overlay.get(path)
        try:
            if source is None:
                source = read_go_file(path, display, self.max_bytes)
        except InputError as error:
            return (UNREADABLE, error.problem, None, False)
        return self.scan(source)

    def scan(self, source: bytes) -> Scan:
        if not self.prefilter.gate(source):
            return (Prefilter.CLEAN, quoted_imports(source), None, False)
        directives = source.find(PREFIX) != -1
        kind = self.prefilter.classify(source)
        if kind == Prefilter.CLEAN:
            return (kind, quoted_imports(source), source if directives else None, directives)
        return (kind, b"", source, directives)


def start_scan(
    discovered: Sequence[Discovered], flow: ImageFlow, max_bytes: int, overlay: dict[str, bytes] | None = None
) -> Split[Discovered, Scan]:
    """Start reading and prefiltering the files, in forked processes for a large tree; the
    caller goes on (importing the parser, say) and takes the verdicts with `.results()`."""
    scanner = Scanner(Prefilter(flow), max_bytes, overlay)
    return Split(lambda item: scanner((item.path, item.display)), discovered, min_items=PARALLEL_MIN_FILES, busy=True)


def go_files_in(directory: str) -> list[str]:
    try:
        found = sorted(entry.path for entry in os.scandir(directory) if entry.name.endswith(".go") and entry.is_file())
    except OSError:
        found = []
    note_listing(directory, found)
    return found


def module_go_files(root: str) -> list[str]:
    """The Go files of the module at root that the go tool builds: not in a hidden, `_`-named,
    vendor or testdata directory, nor in a nested module (logged: a file that appears changes
    the answer)."""
    found: list[str] = []
    for directory, directories, files in os.walk(root):
        note_walk(directory, directories, files)
        directories[:] = sorted(
            d for d in directories
            if d[0] not in "._" and d not in SKIPPED_DIRS and not os.path.isfile(os.path.join(directory, d, "go.mod"))
        )
        found.extend(os.path.join(directory, name) for name in sorted(files) if name.endswith(".go"))
    return found


GO_MOD_BYTES = 65536  # the module line is at the top
_MODULE = re.compile(rb"^module\s+(\S+)", re.MULTILINE)
# `replace example.com/suite => ../` (also inside a `replace (...)` block): a module path, an
# optional version, and a local directory (Go reads a target starting with ./ or ../ as one)
_LOCAL_REPLACE = re.compile(
    rb"^[ \t]*(?:replace[ \t]+)?([^\s()]+)(?:[ \t]+\S+)?[ \t]+=>[ \t]+(\.\.?/[^\s]*)[ \t]*(?://[^\r\n]*)?\r?$", re.MULTILINE
)


def workspace_uses(text: bytes) -> list[str]:
    """The directories of a go.work's `use` directives (`use ./a`, or one a line in `use (...)`)."""
    uses: list[str] = []
    block = False
    for raw in text.decode("utf-8", "replace").splitlines():
        line = raw.split("//", 1)[0].strip()
        if block:
            if line == ")":
                block = False
            elif line:
                uses.append(line.strip('"`'))
        elif line.startswith("use") and line[3:4] in (" ", "\t", "("):
            rest = line[3:].strip()
            if rest == "(":
                block = True
            elif rest:
                uses.append(rest.strip('"`'))
    return uses


class ModuleMap:
    """Maps import paths of the module being linted to directories, through go.mod files."""

    def __init__(self) -> None:
        self._roots: dict[str, tuple[str, str] | None] = {}
        self._headers: dict[str, bytes] = {}  # module root -> the head of its go.mod
        self._replaced: dict[str, list[tuple[str, str]]] = {}  # module root -> (module path, root) it replaces
        self._dependents: dict[str, list[str]] = {}  # module root -> roots of the modules built with it

    def module_of(self, directory: str) -> tuple[str, str] | None:
        """(module path, root directory) for the go.mod above directory."""
        if directory in self._roots:
            return self._roots[directory]
        result: tuple[str, str] | None = None
        gomod = os.path.join(directory, "go.mod")
        try:
            header = read_regular(gomod, GO_MOD_BYTES)
            note_file(gomod, header, GO_MOD_BYTES)
            match = _MODULE.search(header)
            if match:
                result = (match.group(1).decode("utf-8", "replace").strip('"'), directory)
                self._headers[directory] = header
        except NotRegularFile as exc:  # a FIFO would hang the run; a directory is no go.mod either
            raise ImagetagLintError(f"{gomod}: {exc.strerror}") from None
        except OSError:
            note_file(gomod, None, GO_MOD_BYTES)
            parent = os.path.dirname(directory)
            result = self.module_of(parent) if parent != directory else None
        self._roots[directory] = result
        return result

    def import_path(self, directory: str) -> str | None:
        """The import path of the package in directory, through the go.mod above it."""
        module = self.module_of(directory)
        if module is None:
            return None
        path, root = module
        relative = os.path.relpath(directory, root)
        return path if relative == "." else path + "/" + relative.replace(os.sep, "/")

    def directory_for_import(self, import_path: str, from_directory: str) -> str | None:
        module = self.module_of(from_directory)
        if module is None:
            return None
        path, root = module
        if import_path == path:
            return root
        if import_path.startswith(path + "/"):
            return os.path.join(root, *import_path[len(path) + 1 :].split("/"))
        for replaced, target in self._replaced_modules(root):
            if import_path == replaced:
                return target
            if import_path.startswith(replaced + "/"):
                return os.path.join(target, *import_path[len(replaced) + 1 :].split("/"))
        return None

    def unfollowed_module(self, import_path: str, from_directory: str) -> str | None:
        """The module holding the import path that the go.mod around from_directory replaces by
        a local directory this map does not follow (one beside or below it, such as
        `example.com/e2eutil => ./staging/src/example.com/e2eutil`): its code is on disk, and
        the analysis does not read it. None for a package it follows, or one of no such module."""
        module = self.module_of(from_directory)
        if module is None or self.directory_for_import(import_path, from_directory) is not None:
            return None
        for match in _LOCAL_REPLACE.finditer(self._headers.get(module[1], b"")):
            path = match.group(1).decode("utf-8", "replace").strip('"')
            if import_path == path or import_path.startswith(path + "/"):
                return path
        return None

    def dependents(self, root: str) -> list[str]:
        """The roots of the other modules that build with the module at root's own files: each
        module above it, up to the repository's root (the directory that holds `.git`), whose
        go.mod replaces a module by root's directory, and the modules a go.work there uses
        beside it. A change to root's exported functions reaches their code too."""
        if root not in self._dependents:
            found: set[str] = set()
            directory = root
            while not os.path.exists(os.path.join(directory, ".git")) and os.path.dirname(directory) != directory:
                directory = os.path.dirname(directory)
                module = self.module_of(directory)
                if module is not None and module[1] == directory and root in self._local_replacements(directory):
                    found.add(directory)
                found.update(self._workspace_modules(directory, root))
            self._dependents[root] = sorted(found - {root})
        return self._dependents[root]

    def _local_replacements(self, root: str) -> set[str]:
        """The directories that the go.mod at root replaces modules by."""
        header = self._headers.get(root, b"")
        return {
            os.path.normpath(os.path.join(root, match.group(2).decode("utf-8", "replace")))
            for match in _LOCAL_REPLACE.finditer(header)
        }

    def _workspace_modules(self, directory: str, root: str) -> list[str]:
        """The roots of the modules a go.work in directory uses, when it uses the one at root."""
        path = os.path.join(directory, "go.work")
        try:
            text = read_regular(path, GO_MOD_BYTES)
        except OSError:
            note_file(path, None, GO_MOD_BYTES)
            return []
        note_file(path, text, GO_MOD_BYTES)
        used = [os.path.normpath(os.path.join(directory, use)) for use in workspace_uses(text)]
        if root not in used:
            return []
        return [use for use in used if (module := self.module_of(use)) is not None and module[1] == use]

    def _replaced_modules(self, root: str) -> list[tuple[str, str]]:
        """(module path, root) of the modules the module at root replaces by a directory that
        holds it (`replace example.com/suite => ../`: a suite module nested in the repository's
        module), longest path first. A replacement by a directory below, such as a vendored
        stand-in in `third_party/`, stays an external package."""
        if root not in self._replaced:
            found: list[tuple[str, str]] = []
            for match in _LOCAL_REPLACE.finditer(self._headers.get(root, b"")):
                path = match.group(1).decode("utf-8", "replace").strip('"')
                target = os.path.normpath(os.path.join(root, match.group(2).decode("utf-8", "replace")))
                if target == root or not root.startswith(target.rstrip(os.sep) + os.sep):
                    continue
                module = self.module_of(target)
                if module is not None and module == (path, target):  # the directory is that module
                    found.append(module)
            self._replaced[root] = sorted(found, key=lambda m: len(m[0]), reverse=True)
        return self._replaced[root]
