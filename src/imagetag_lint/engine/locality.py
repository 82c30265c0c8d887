"""Locality: which images this code builds or loads, and so which references name a local image."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.engine import commands, producers, values
from imagetag_lint.engine.formats import format_go
from imagetag_lint.engine.run import (
    FlowRun,
    facts,
    function_facts,
    named_calls_in,
    per_generation,
)
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    arguments,
    called_function,
    callee,
    parent,
    returns,
)
from imagetag_lint.images import repository


def build_names(run: FlowRun) -> frozenset[str]:
    """Image names that builder calls in the linted code name (`ImageName: "acme/x"`)."""
    generation, names = run.built_repositories
    if generation != run.project.generation:
        names = _collect_build_names(run)
        run.built_repositories = (run.project.generation, names)
    return names


def build_references(run: FlowRun) -> frozenset[str]:
    """The references builder calls in the linted code name, as fixed text, tag included
    (memoized as `build_names` is, until a file is added)."""
    key = ("build-references", 0)
    cached = run.rule_cache.get(key)
    if isinstance(cached, tuple) and cached[0] == run.project.generation:
        return cached[1]  # type: ignore[no-any-return]
    found = _collect_build_names(run, whole=True)
    run.rule_cache[key] = (run.project.generation, found)
    return found


def _collect_build_names(run: FlowRun, whole: bool = False) -> frozenset[str]:
    names: set[str] = set()
    build_fields = set(run.flow.build_name_fields)
    build_keys = tuple(field.encode() for field in run.flow.build_name_fields)
    for file in list(run.project.files()):
        file_facts = facts(run, file)
        for key, value in file_facts.keyed_of(build_keys):
            if text(key) not in build_fields or value.named_child_count != 1:
                continue
            function = file_facts.function_of(key)
            fixed = values.fixed_text(run, value.named_children[0], file, function)
            if fixed and (function is None or builds(run, function)):
                names.add(fixed if whole else repository(fixed))
        names.update(image if whole else repository(image) for image in _consumed_images(run, file, "build"))
    names.update(build.image if whole else repository(build.image) for build in commands.raw_builds(run))
    names.discard("")
    return frozenset(names)


def _consumed_images(run: FlowRun, file: SourceFile, kind: str) -> Iterator[str]:
    """The fixed image arguments of the file's consumer calls of one kind (build, load)."""
    inferred = commands.command_facts(run).consumers.values()
    names = [c.name.encode() for c in (*run.flow.consumers, *inferred) if c.kind == kind]
    if not any(file.source.find(name) != -1 for name in names):
        return
    for function in facts(run, file).functions:
        for call, (_, name) in named_calls_in(run, function):
            consumer = producers.consumer_named(run, name)
            if consumer is None or consumer.kind != kind:
                continue
            args = arguments(call)
            if consumer.image_arg < len(args):
                fixed = values.fixed_text(run, args[consumer.image_arg], file, function)
                if fixed:
                    yield fixed


def builds(run: FlowRun, function: Function) -> bool:
    """Has the function a build event: a producer call or a build-with-tag call?"""
    memo = function_facts(run, function)
    generation = run.project.generation
    if not run.inferring and memo.builds[0] == generation:
        return memo.builds[1]
    found = any(
        ((consumer := producers.consumer_named(run, name)) is not None and consumer.kind == "build")
        or producers.producer(run, call, function.file) is not None
        for call, (_, name) in named_calls_in(run, function)
    )
    if not run.inferring:
        memo.builds = (generation, found)
    return found


def loaded_names(run: FlowRun) -> frozenset[str]:
    """Fixed images handed to a loader: they exist in the cluster under exactly that name."""
    if run.loaded_images is None:
        names: set[str] = set()
        for file in list(run.project.files()):
            names.update(_consumed_images(run, file, "load"))
        run.loaded_images = frozenset(names)
    return run.loaded_images


def is_local_image(run: FlowRun, image: str, pull_never: bool = False) -> bool:
    if image in loaded_names(run):
        return False  # loaded into the cluster under this very name (a preloaded registry image)
    if pull_never:
        return True
    if any(image.startswith(prefix) for prefix in run.flow.local_prefixes):
        return True
    if any(re.search(pattern, image) for pattern in run.flow.local_patterns):
        return True
    repo = repository(image)
    if any(repo == name or repo.endswith("/" + name) for name in build_names(run)):
        return True
    return repo in generated_images(run)  # a generator of the linted code makes this repository


def pull_never_beside(run: FlowRun, key: Node, file: SourceFile, function: Function | None) -> bool:
    """Does the composite literal of an `Image` key also say `ImagePullPolicy: PullNever`?"""
    element = parent(key)
    literal = parent(element) if element is not None else None
    literal = parent(literal) if literal is not None else None
    if literal is None or literal.type != "literal_value":
        return False
    fields = set(run.flow.pull_policy_fields)
    for element in literal.named_children:
        if element.type != "keyed_element":
            continue
        key_node = element.child_by_field_name("key")
        value = element.child_by_field_name("value")
        if key_node is None or value is None or text(key_node) not in fields:
            continue
        value_text = text(value)
        if value_text.endswith("PullNever") or values.fixed_text(run, value.named_children[0], file, function) == "Never":
            return True
    return False




def generated_images(run: FlowRun) -> dict[str, tuple[str, str]]:
    """What the generators of the linted code make, by repository: `GenerateImageName("cart")`
    whose body returns `fmt.Sprintf("localhost/shop-%s:%s", service, tag)` makes
    `localhost/shop-cart:<tag>`, so `shop-cart` is a local repository ({repository: (reference
    with `<tag>`, generator name)})."""
    generation, found = run.generated_made
    if generation != run.project.generation:
        found = {}
        for file in list(run.project.files()):
            for call in _generator_calls(run, file):
                made = _generated(run, call, file)
                if made is not None:
                    found.setdefault(repository(made), (made, callee(call)[1]))
        run.generated_made = (run.project.generation, found)
    return found


def _generator_calls(run: FlowRun, file: SourceFile) -> list[Node]:
    """The file's calls of a generator, found once: each new generation asks again what they make,
    not which calls they are."""
    file_facts = facts(run, file)
    if file_facts.generator_calls is None:
        literals = run.flow.generator_literals()
        root = file.tree.root_node
        if literals is None or root.has_error or not file.source.isascii():
            found = [call for call, (_, name) in zip(file_facts.calls, file_facts.callees) if producers.is_generator_named(run, name)]
        else:  # only the words that hold what the patterns spell out are looked up, not every call
            found = [
                call
                for start in _words_holding(file.source, literals)
                if producers.is_generator_named(run, _word_at(file.source, start))
                and (call := _call_named_at(root, start)) is not None
            ]
            found.sort(key=lambda call: (call.start_byte, -call.end_byte))  # the calls' order
        file_facts.generator_calls = found
    return file_facts.generator_calls


_WORD_END = re.compile(rb"[A-Za-z0-9_]*")
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _words_holding(source: bytes, literals: tuple[bytes, ...]) -> list[int]:
    """The starts of the words (runs of letters, digits and `_`) that hold one of the literals."""
    starts = set()
    for literal in literals:
        hit = source.find(literal)
        while hit != -1:
            start = hit
            while start and source[start - 1] in _WORD_BYTES:
                start -= 1
            starts.add(start)
            hit = source.find(literal, hit + len(literal))
    return sorted(starts)


def _word_at(source: bytes, start: int) -> str:
    match = _WORD_END.match(source, start)
    return source[start : match.end() if match is not None else start].decode()


def _call_named_at(root: Node, offset: int) -> Node | None:
    """The call whose name (`F` of `F(x)`, `pkg.F(x)`, `F[T](x)`) is the word at offset, or None."""
    word = root.descendant_for_byte_range(offset, offset + 1)
    if word is None or word.type not in ("identifier", "field_identifier") or word.start_byte != offset:
        return None
    node: Node | None = word
    for _ in range(3):  # up through a selector (`pkg.F`) and an index expression (`F[T]`)
        node = node.parent if node is not None else None
        if node is not None and node.type == "call_expression":
            called = called_function(node)
            named = called if called is None or called.type != "selector_expression" else called.child_by_field_name("field")
            return node if named is not None and named.id == word.id else None
    return None


def _generated(run: FlowRun, call: Node, file: SourceFile, given: list[str | None] | None = None) -> str | None:
    """The reference a generator call makes, its unknown parts (a random tag) as `<tag>`; `given`
    holds what the caller knows of its arguments (their fixed text by default)."""
    if given is None:
        given = [values.fixed_text(run, arg, file, None) for arg in arguments(call)]
    generation = run.project.generation
    targets = run.project.resolve_call(call, file)
    key = (generation, tuple(id(t) for t in targets), tuple(given))
    if key in run.generated_by_call:  # the same generator with the same arguments: the same reference
        return run.generated_by_call[key]
    made = _made(run, targets, given)
    if run.project.generation == generation:  # a file loaded meanwhile may change the answer
        run.generated_by_call[key] = made
    return made


def _made(run: FlowRun, targets: tuple[Function, ...], given: list[str | None]) -> str | None:
    for target in targets:
        for template, parts in _recipes(run, target):
            made = format_go(template, [_part(part, given) for part in parts])
            if made is not None and "\0" not in repository(made) and "/" in made.split(":", 1)[0]:
                return made.replace("\0", "<tag>")
    return None


generated_reference = _generated  # for the analyses: a generator call with arguments a caller knows

# A generator's `return fmt.Sprintf(...)` statements: the template, and for each argument its
# fixed text or the index of the parameter it is
Recipe = tuple[str, list[tuple[str | None, int | None]]]


def _recipes(run: FlowRun, target: Function) -> list[Recipe]:
    """What the target's returns make of its parameters, read once per project generation: every
    call of a generator with other arguments asks again."""
    return per_generation(run, ("generator-recipes", id(target)), lambda: _read_recipes(run, target))


def _read_recipes(run: FlowRun, target: Function) -> list[Recipe]:
    found: list[Recipe] = []
    for statement in returns(target.body) if target.body is not None else ():
        returned = statement.named_children[0] if statement.named_child_count else None
        if returned is not None and returned.type == "expression_list" and returned.named_child_count == 1:
            returned = returned.named_children[0]
        if returned is None or returned.type != "call_expression" or callee(returned) != ("fmt", "Sprintf"):
            continue
        args = arguments(returned)
        template = values.fixed_text(run, args[0], target.file, target) if args else None
        if template is None:
            continue
        parts = []
        for arg in args[1:]:
            fixed = values.fixed_text(run, arg, target.file, target)
            param = target.param(text(arg)) if fixed is None and arg.type == "identifier" else None
            parts.append((fixed, param.index if param is not None else None))
        found.append((template, parts))
    return found


def _part(part: tuple[str | None, int | None], given: list[str | None]) -> str:
    """A Sprintf argument's text: fixed, a parameter the call fills with fixed text, or unknown."""
    fixed, index = part
    if fixed is not None:
        return fixed
    if index is not None and index < len(given) and given[index] is not None:
        return given[index] or ""
    return "\0"
