"""The image-flow model the rules ask: `ImageFlowIndex`, one run's engine behind one face.

A producer call returns the real image name; consumers (build-with-tag, loaders) take one; sinks
deploy one (an `Image:` field, the image parameter of a deploy function, a YAML `image:` line).
The answers come from the engine's parts (`imagetag_lint.engine`: producers, values, sinks,
locality), functions over the per-run cache this class is; each method here is one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from imagetag_lint.engine import (
    commands,
    locality,
    manifests,
    producers,
    returned_builds,
    sinks,
    value_types,
    values,
    variables,
)
from imagetag_lint.engine.model import (
    Origin,
    OriginKind,
    ProducerRef,
    Sink,
    SinkKind,
    YamlImage,
)
from imagetag_lint.engine.run import (
    FileFacts,
    FlowRun,
    call_count,
    calls_in,
    facts,
    mentions,
    per_generation,
)
from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node
from imagetag_lint.golang.project import Project
from imagetag_lint.images import repository
from imagetag_lint.rules import ImageFlow

__all__ = [
    "FileFacts", "ImageFlowIndex", "Origin", "OriginKind", "ProducerRef", "Sink", "SinkKind", "YamlImage", "repository",
]

T = TypeVar("T")


class ImageFlowIndex(FlowRun):
    """The engine's questions as methods of the run they share (`index.origin(expr, file, function)`)."""

    # each part's questions, bound to this run: `index.origin(...)` is `values.origin(index, ...)`
    facts, calls_in, call_count = facts, calls_in, call_count
    producer, consumer, is_generator, wrapper, handed_builder = (
        producers.producer, producers.consumer, producers.is_generator, producers.wrapper, producers.handed_builder
    )
    origin, fixed_text, reaching_definition = values.origin, values.fixed_text, staticmethod(values.reaching_definition)
    setter_of = variables.setter_of
    image_field_sinks, image_field_sinks_in, call_sinks, format_image_args, deploy_params = (
        sinks.image_field_sinks, sinks.image_field_sinks_in, sinks.call_sinks, sinks.format_image_args, sinks.deploy_params
    )
    yaml_images = staticmethod(manifests.yaml_images)
    builds, pull_never_beside = locality.builds, locality.pull_never_beside
    parameter_helper, helper_build_name = returned_builds.parameter_helper, returned_builds.helper_build_name

    def __init__(self, project: Project, flow: ImageFlow) -> None:
        super().__init__(project, flow)
        # a method of a type of another package resolves through the type its value has
        project.type_of = lambda expr, file: value_types.expression_type(self, expr, file)

    def command_image(self, call: Node, function: Function) -> commands.Command | None:
        """What a call builds, tags, saves or loads: an `exec.Command`, or a command runner of the
        code given the same words (`run(t, "podman", "build", "-t", tag, ".")`): one command."""
        command = commands.run_command_image(self, call, function)
        if command is None and returned_builds.runner_names(self):
            command = returned_builds.runner_command(self, call, function)
        return command

    def may_run_commands(self, function: Function) -> bool:
        """Does the function name `exec.Command` or a command runner (a cheap test of its bytes)?"""
        return mentions(function, [b"exec.Command", *(name.encode() for name in sorted(returned_builds.runner_names(self)))])

    def is_local_image(self, image: str, pull_never: bool = False) -> bool:
        """`locality.is_local_image`, found once per image and project generation: a tree deploys
        the same few images at many places (inside an inference the builds known are partial)."""
        if self.inferring:
            return locality.is_local_image(self, image, pull_never)
        key = (f"is-local-image\0{image}", int(pull_never))
        return per_generation(self, key, lambda: locality.is_local_image(self, image, pull_never))

    def per_file(self, name: str, file: SourceFile, compute: Callable[[], Iterable[T]]) -> list[T]:
        """A per-file result of a rule helper, computed once per run (several rules ask)."""
        key = (name, id(file))
        cached = self.rule_cache.get(key)
        if cached is None:
            cached = self.rule_cache[key] = list(compute())
        return cached  # type: ignore[return-value]

    @property
    def cache(self) -> dict[tuple[str, int], object]:
        """The rule helpers' own per-run results by (name, id): kept for the helpers that index it."""
        return self.rule_cache

    @property
    def build_names(self) -> frozenset[str]:
        return locality.build_names(self)

    @property
    def generated_images(self) -> dict[str, tuple[str, str]]:
        return locality.generated_images(self)
