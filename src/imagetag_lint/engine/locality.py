"""Locality: which images this code builds or loads, and so which references name a local image."""

from __future__ import annotations

import re
from collections.abc import Iterator

from imagetag_lint.engine import commands, producers, values
from imagetag_lint.engine.run import FlowRun, calls_in, facts, function_facts
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import arguments, parent


def build_names(run: FlowRun) -> frozenset[str]:
    """Image names that builder calls in the linted code name (`ImageName: "acme/x"`)."""
    generation, names = run.built_repositories
    if generation != run.project.generation:
        names = _collect_build_names(run)
        run.built_repositories = (run.project.generation, names)
    return names


def _collect_build_names(run: FlowRun) -> frozenset[str]:
    names: set[str] = set()
    build_fields = set(run.flow.build_name_fields)
    for file in list(run.project.files()):
        file_facts = facts(run, file)
        for key, value in file_facts.keyed:
            if text(key) not in build_fields or value.named_child_count != 1:
                continue
            function = file_facts.function_of(key)
            fixed = values.fixed_text(run, value.named_children[0], file, function)
            if fixed and (function is None or builds(run, function)):
                names.add(repository(fixed))
        names.update(repository(image) for image in _consumed_images(run, file, "build"))
    names.update(repository(build.image) for build in commands.raw_builds(run))
    names.discard("")
    return frozenset(names)


def _consumed_images(run: FlowRun, file: SourceFile, kind: str) -> Iterator[str]:
    """The fixed image arguments of the file's consumer calls of one kind (build, load)."""
    inferred = commands.command_facts(run).consumers.values()
    names = [c.name.encode() for c in (*run.flow.consumers, *inferred) if c.kind == kind]
    if not any(file.source.find(name) != -1 for name in names):
        return
    for function in facts(run, file).functions:
        for call in calls_in(run, function):
            consumer = producers.consumer(run, call)
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
        ((consumer := producers.consumer(run, call)) is not None and consumer.kind == "build")
        or producers.producer(run, call, function.file) is not None
        for call in calls_in(run, function)
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
    return any(repo == name or repo.endswith("/" + name) for name in build_names(run))


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


def repository(image: str) -> str:
    """`localhost/acme/app:v1@sha256:...` -> `acme/app`: the path without host prefix and tag."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image = image[:colon]
    image = image.removeprefix("localhost/")
    return image
