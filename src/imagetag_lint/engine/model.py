"""The records the engine answers with: origins of values, producers and sinks."""

from __future__ import annotations

from enum import Enum

from imagetag_lint.golang.model import Function, SourceFile
from imagetag_lint.golang.parser import Node
from imagetag_lint.record import field, record


class Kind(str, Enum):
    """An enum whose members are today's strings: `kind == "built"` and f-strings keep working."""

    def __str__(self) -> str:
        return str(self.value)


class OriginKind(Kind):
    LITERAL = "literal"
    BUILT = "built"
    GENERATED = "generated"
    PARAM = "param"
    COMPUTED = "computed"  # a reference put together from its parts (`"localhost/" + name + ":e2e"`)
    UNKNOWN = "unknown"


class SinkKind(Kind):
    FIELD = "field"
    DEPLOY_ARG = "deploy-arg"
    LOAD_ARG = "load-arg"
    FORMAT_ARG = "format-arg"
    COMMAND_ARG = "command-arg"  # the image of a `kubectl set image` or `kubectl run --image`


@record(frozen=True)
class Origin:
    """Where a value comes from; `key` identifies the value (equal keys, same value)."""

    kind: OriginKind
    key: object
    description: str
    text: str = ""  # the literal's text for kind == LITERAL
    node: Node | None = field(default=None, compare=False)


UNKNOWN = Origin(OriginKind.UNKNOWN, None, "an expression")


@record(frozen=True)
class ProducerRef:
    """A call that returns an image name: a configured builder, or a wrapper around one."""

    name: str
    image_result: int
    results: int
    wrapper: Function | None = None  # set for inferred wrappers


@record(eq=False)
class Sink:
    """A place that deploys, loads or passes on an image reference."""

    kind: SinkKind
    expr: Node
    file: SourceFile
    function: Function | None
    call: Node | None = None  # for *-arg sinks
    target: Function | None = None  # deploy function for deploy-arg
    key: Node | None = None  # the `Image` key for field sinks


@record(frozen=True)
class YamlImage:
    """An `image:` line of a manifest held in a Go string."""

    file: SourceFile
    string: Node
    start: int  # byte range of the image value in the file
    end: int
    value: str
    pull_never: bool
