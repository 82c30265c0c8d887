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
    path: Path  # absolute
    display: str  # relative to the working directory when below it
    explicit: bool  # named on the command line (always linted, never excluded)


def display_name(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


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
    found: dict[Path, Discovered] = {}
    errors: list[InputError] = []
    for raw in paths:
        path = (cwd / raw).absolute()
        if path.is_symlink() and not path.exists():
            errors.append(InputError(raw, "broken symbolic link"))
        elif path.is_dir():
            for file in _walk(path, cwd, exclude, errors):
                found.setdefault(file.path, file)
        elif path.is_file():
            found[path] = Discovered(path, display_name(path, cwd), explicit=True)
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
            display = display_name(Path(entry.path), cwd)
            if exclude and excluded(display, exclude):
                continue
            if is_dir:
                if name not in SKIPPED_DIRS and not name.startswith("_"):
                    subdirs.append(entry.path)
            elif name.endswith(".go"):
                yield Discovered(Path(entry.path), display, explicit=False)
        stack.extend(reversed(subdirs))


def read_go_file(path: Path, display: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or an InputError that says in a few words why it cannot be linted."""
    try:
        with open(path, "rb") as handle:
            source = handle.read(max_bytes + 1)
    except PermissionError:
        raise InputError(display, "cannot read: permission denied") from None
    except FileNotFoundError:
        raise InputError(display, "no such file or directory") from None
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    check_source(source, display, max_bytes)
    return source


def check_source(source: bytes, display: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    if len(source) > max_bytes:
        raise InputError(display, f"file is larger than {max_bytes // (1024 * 1024)} MiB; not linted")
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


def prefilter(flow: ImageFlow, extra_names: Iterable[str] = ()) -> re.Pattern[bytes]:
    """Bytes that any rule needs in a file before the file is worth parsing."""
    names = sorted({p.name for p in flow.producers} | {c.name for c in flow.consumers} | set(extra_names))
    fields = sorted(set(flow.image_fields))
    alternatives = [re.escape(n.encode()) for n in names]
    alternatives += [re.escape(f.encode()) + rb"\s*:" for f in fields]
    alternatives.append(rb"image:")
    return re.compile(b"|".join(alternatives))


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
