"""Discovering, reading and prefiltering Go files: the only part that looks at the disk."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from imagetag_lint.errors import InputError
from imagetag_lint.rules import ImageFlow

SKIPPED_DIRS = {"vendor", "testdata", "node_modules"}
MAX_FILE_BYTES = 64 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Discovered:
    path: str  # absolute
    display: str  # relative to the working directory when below it


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
    paths: Iterable[str], cwd: Path, exclude: tuple[str, ...] = ()
) -> tuple[list[Discovered], list[InputError]]:
    found: dict[str, Discovered] = {}
    errors: list[InputError] = []
    for raw in paths:
        path = Path(os.path.normpath(cwd / raw))
        if path.is_symlink() and not path.exists():
            errors.append(InputError(raw, "broken symbolic link"))
        elif path.is_dir():
            for file in _walk(path, cwd, exclude, errors):
                found.setdefault(os.path.realpath(file.path), file)
        elif path.is_file():
            found.setdefault(os.path.realpath(path), Discovered(str(path), display_name(path, cwd)))
        elif path.exists() or path.is_symlink():
            errors.append(InputError(raw, "not a regular file or directory"))
        else:
            errors.append(InputError(raw, "no such file or directory"))
    return sorted(found.values(), key=lambda d: d.display), errors


def _walk(root: Path, cwd: Path, exclude: tuple[str, ...], errors: list[InputError]) -> Iterator[Discovered]:
    stack = [str(root)]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            problem = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
            errors.append(InputError(display_name(Path(directory), cwd) + "/", f"cannot read directory: {problem}"))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_symlink():
                    continue  # like the go tool: symbolic links are not followed (no loops, no twins)
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            path = entry.path
            display = display_name(path, cwd)
            if exclude and excluded(display, exclude):
                continue
            if is_dir:
                if name not in SKIPPED_DIRS and not name.startswith("_"):
                    subdirs.append(path)
            elif name.endswith(".go"):
                yield Discovered(path, display)
        stack.extend(reversed(subdirs))


def read_go_file(path: Path | str, display: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or an InputError that says in a few words why it cannot be linted."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
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
        if b"\0" in source:
            raise InputError(display, "binary file (contains NUL bytes); not linted")
        return
    if b"\0" in source:
        raise InputError(display, "binary file (contains NUL bytes); not linted")
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            display, f"not valid UTF-8 (byte 0x{source[exc.start]:02x} at offset {exc.start}); not linted"
        ) from None


class Prefilter:
    """Which files are worth parsing? Cheap substring gates first, then two regexes.

    Every configured name shares a few substrings (`Image`, `image`); a file with none of the
    gates is settled by a handful of C-speed `in` scans. The rest are *strong* (a builder, a
    loader, a manifest line, a local image prefix, a pull policy: parse now) or *weak* (only an
    `Image:` field: parse when a name makes it matter, see `Linter.settle_deferred`).
    """

    CLEAN, WEAK, STRONG = 0, 1, 2

    def __init__(self, flow: ImageFlow, extra_names: Iterable[str] = ()) -> None:
        names = sorted({p.name for p in flow.producers} | {c.name for c in flow.consumers} | set(extra_names))
        strong = [n.encode() for n in names] + [b"image:", b"PullNever", b'"Never"']
        strong += [prefix.encode() for prefix in flow.local_prefixes]
        fields = [f.encode() for f in sorted(set(flow.image_fields))]
        literals = strong + fields
        gates = [gate for gate in _GATES if any(gate in literal for literal in literals)]
        gates += [literal for literal in literals if not any(gate in literal for gate in _GATES)]
        self.gates = tuple(dict.fromkeys(gates))
        alternatives = [re.escape(literal) for literal in strong]
        alternatives += [pattern.encode() for pattern in flow.local_patterns]
        self.strong = re.compile(b"|".join(alternatives))
        self.weak = re.compile(b"|".join(re.escape(f) + rb"\s*:" for f in fields)) if fields else None
        self.has_patterns = bool(flow.local_patterns)

    def classify(self, source: bytes) -> int:
        if not self.has_patterns and not any(gate in source for gate in self.gates):
            return self.CLEAN
        if self.strong.search(source) is not None:
            return self.STRONG
        if self.weak is not None and self.weak.search(source) is not None:
            return self.WEAK
        return self.CLEAN

    def wants(self, source: bytes) -> bool:
        return self.classify(source) != self.CLEAN


_GATES = (b"mage",)  # in Image and image: one scan for both


_IMPORTS = re.compile(rb'^import\s*(?:\(([^)]*)\)|("[^"\n]*"|\w+\s+"[^"\n]*"))', re.MULTILINE)
_QUOTED = re.compile(rb'"([^"\n]+)"')


def imported_paths(source: bytes) -> frozenset[str]:
    """The import paths of a Go file, read from its header without parsing."""
    end = source.find(b"\nfunc ")
    header = source if end == -1 else source[:end]
    found: set[str] = set()
    for match in _IMPORTS.finditer(header):
        block = match.group(1) or match.group(2) or b""
        found.update(q.decode("utf-8", "replace") for q in _QUOTED.findall(block))
    return frozenset(found)


def go_files_in(directory: str) -> list[str]:
    try:
        return sorted(
            entry.path for entry in os.scandir(directory) if entry.name.endswith(".go") and entry.is_file()
        )
    except OSError:
        return []


_MODULE = re.compile(rb"^module\s+(\S+)", re.MULTILINE)


class ModuleMap:
    """Maps import paths of the module being linted to directories, through go.mod files."""

    def __init__(self) -> None:
        self._roots: dict[str, tuple[str, str] | None] = {}

    def module_of(self, directory: str) -> tuple[str, str] | None:
        """(module path, root directory) for the go.mod above directory."""
        if directory in self._roots:
            return self._roots[directory]
        result: tuple[str, str] | None = None
        gomod = os.path.join(directory, "go.mod")
        try:
            with open(gomod, "rb") as handle:
                match = _MODULE.search(handle.read(65536))
            if match:
                result = (match.group(1).decode("utf-8", "replace").strip('"'), directory)
        except OSError:
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
        return None
