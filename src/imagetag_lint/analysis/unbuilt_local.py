"""A local reference loaded into the cluster that nothing builds (IMG003 facts).

`LoadImageToKind("localhost/shop-search:e2e", ...)` (or `kind load docker-image` of it) hands Kind
a `localhost/` reference. A registry image loaded under its own name is preloaded on purpose, but
a `localhost/` one exists only if something builds it; when nothing does, the load fails, or
loads a stale image left from an earlier run, and the deployments of that name run it.

Whether anything builds it must not depend on how much of the tree a run lints: a pre-commit run
on one package and a run on the whole tree must agree. So the evidence is searched in the bytes
of every file of the Go module around the load (the directory of its `go.mod` and below), not in
the files the run happened to parse: the repository is built when a line that names it also
says `build`, `-t` or `--tag` (a Go build call, a Makefile, a script, a CI workflow), or when its
service word is a Go string literal on a line that may hand it to a builder (`ServiceName:
"search"`, `GenerateImageName("search")`, which a builder may format into the reference; a
deployment's `Name: "search"` is not). Documentation files are not evidence. Only when
no file of the module shows either is the load reported: precision first.
"""

from __future__ import annotations

import os
import re

from imagetag_lint.analysis.image_flow import ImageFlowIndex, repository
from imagetag_lint.enums import ConsumerKind
from imagetag_lint.golang.model import Function
from imagetag_lint.golang.parser import Node
from imagetag_lint.golang.syntax import STRING_TYPES, arguments, string_value
from imagetag_lint.reads import is_file, note_walk, read_at_most
from imagetag_lint.record import record

_SKIPPED_DIRECTORIES = {"vendor", "node_modules", "third_party", "testdata"}
_DOCUMENTS = (".md", ".rst", ".txt", ".adoc")
_LARGEST = 4 * 1024 * 1024  # a larger file is data, not a build script
_BUILD_WORDS = re.compile(rb"(?i)build|(?:^|\s|\")(?:-t|--tag)(?:\s|=|\")")
_BUILDER_WORDS = re.compile(rb"(?i)build|image|service|generate|dockerfile|context|tag")


@record(frozen=True)
class UnbuiltLoad:
    """A load of a fixed local reference that no file of the module builds."""

    call: Node
    expr: Node
    image: str
    module: str  # the module's directory


def unbuilt_loads(index: ImageFlowIndex, function: Function) -> list[UnbuiltLoad]:
    found = []
    for call in index.calls_in(function):
        for expr, image in _loaded_references(index, call, function):
            if not any(image.startswith(prefix) for prefix in index.flow.local_prefixes):
                continue
            module = _module_of(function.file.directory)
            if module is None or _built_in_module(index, module, image):
                continue
            found.append(UnbuiltLoad(call, expr, image, module))
    return found


def loaded_arguments(index: ImageFlowIndex, call: Node, function: Function) -> list[Node]:
    """The image arguments a loader call or a `kind load docker-image A [B...]` command loads."""
    consumer = index.consumer(call)
    if consumer is not None and consumer.kind == ConsumerKind.LOAD:
        return arguments(call)[consumer.image_arg : consumer.image_arg + 1]
    command = index.command_image(call, function)
    return list(command.images) if command is not None and command.kind is ConsumerKind.LOAD else []


def _loaded_references(index: ImageFlowIndex, call: Node, function: Function) -> list[tuple[Node, str]]:
    """The fixed references a loader call or a `kind load docker-image A [B...]` command loads."""
    found = []
    for expr in loaded_arguments(index, call, function):
        image = string_value(expr) if expr.type in STRING_TYPES else index.fixed_text(expr, function.file, function)
        if image:
            found.append((expr, image))
    return found


def _module_of(directory: str) -> str | None:
    """The directory of the nearest `go.mod` at or above directory."""
    current = os.path.abspath(directory)
    while True:
        if is_file(os.path.join(current, "go.mod")):  # logged, as every read here: a cached result names them
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _built_in_module(index: ImageFlowIndex, module: str, image: str) -> bool:
    """Does any file of the module show a build of the image's repository (once per run)?"""
    segment = repository(image).rsplit("/", 1)[-1]
    key = ("module-builds", hash((module, segment)))
    cached = index.cache.get(key)
    if cached is None:
        cached = index.cache[key] = _search(module, segment)
    return bool(cached)


def _service_words(segment: str) -> list[bytes]:
    """`shop-search` -> `"shop-search"`, `"search"`: the quoted words a builder may be given."""
    words = segment.split("-")
    return [f'"{"-".join(words[i:])}"'.encode() for i in range(len(words)) if len("-".join(words[i:])) >= 3]


def _search(module: str, segment: str) -> bool:
    name = segment.encode()
    quoted = _service_words(segment)
    for root, directories, files in os.walk(module):
        note_walk(root, directories, files)
        directories[:] = [d for d in directories if not d.startswith(".") and d not in _SKIPPED_DIRECTORIES]
        if root != module and "go.mod" in files:
            directories[:] = []  # another module: its builds are not this module's
            continue
        for filename in files:
            if filename.endswith(_DOCUMENTS):
                continue
            path = os.path.join(root, filename)
            try:
                data = read_at_most(path, _LARGEST)
            except OSError:
                return True  # unreadable: it may build the image, so say nothing
            if data is None:
                continue
            if name in data and _names_a_build(data, name):
                return True
            if filename.endswith(".go") and any(_given_to_a_build(data, word) for word in quoted if word in data):
                return True
    return False


def _names_a_build(data: bytes, name: bytes) -> bool:
    """Does a line that names the repository also say build, `-t` or `--tag`?"""
    return any(_BUILD_WORDS.search(line) for line in _lines_with(data, name))


def _given_to_a_build(data: bytes, word: bytes) -> bool:
    """Is the quoted service word on a line that may hand it to a builder (`ServiceName: "cart"`,
    `GenerateImageName("cart")`, a build call)? A deployment's `Name: "cart"` is not."""
    return any(_BUILDER_WORDS.search(line) for line in _lines_with(data, word))


def _lines_with(data: bytes, word: bytes) -> list[bytes]:
    lines = []
    start = 0
    while (at := data.find(word, start)) != -1:
        line_start = data.rfind(b"\n", 0, at) + 1
        line_end = data.find(b"\n", at)
        lines.append(data[line_start : line_end if line_end != -1 else len(data)])
        start = at + len(word)
    return lines
