"""Ginkgo tables: the `Entry` arguments a `DescribeTable` body receives as its parameters.

`DescribeTable("workers", func(name, image string) { deploy(name, image) }, Entry("default",
"worker", "localhost/worker:e2e"))` runs the body once per entry with the entry's arguments after
its description, so an argument that fills a parameter the body deploys is deployed.
"""

from __future__ import annotations

from collections.abc import Iterator

from imagetag_lint.engine import sinks
from imagetag_lint.engine.model import Sink, SinkKind
from imagetag_lint.engine.run import FlowRun, facts
from imagetag_lint.golang.model import Function, Param, SourceFile
from imagetag_lint.golang.parser import Node
from imagetag_lint.golang.syntax import arguments, callee, parent

TABLES = frozenset({"DescribeTable", "FDescribeTable", "PDescribeTable", "XDescribeTable", "DescribeTableSubtree"})
ENTRIES = frozenset({"Entry", "FEntry", "PEntry", "XEntry"})
# decorators Ginkgo takes out of an entry's arguments before it calls the body
_DECORATORS = frozenset({
    "Label", "Offset", "FlakeAttempts", "MustPassRepeatedly", "NodeTimeout", "SpecTimeout", "GracePeriod",
    "Serial", "Ordered", "Focus", "Pending", "OncePerOrdered", "SuppressProgressReporting",
})


def entry_sinks(run: FlowRun, file: SourceFile) -> Iterator[tuple[Sink, Param]]:
    """The `Entry` arguments of the file's tables that fill a parameter the table body deploys,
    with that parameter (each sink's function and target are the body)."""
    if file.source.find(b"Entry(") == -1:
        return
    for body in facts(run, file).functions:
        table = _table_of(body)
        if table is None:
            continue
        params = sinks.closure_deploy_params(run, body)
        for entry in arguments(table):
            if entry.type != "call_expression" or callee(entry)[1] not in ENTRIES:
                continue
            values = [arg for arg in arguments(entry)[1:] if not _decorator(arg)]
            for index in sorted(params):
                if index < len(values) and index < len(body.params):
                    sink = Sink(SinkKind.DEPLOY_ARG, values[index], file, body, call=entry, target=body)
                    yield sink, body.params[index]


def _table_of(body: Function) -> Node | None:
    """The `DescribeTable(...)` call whose body the closure is."""
    if body.node.type != "func_literal":
        return None
    holder = parent(body.node)
    call = parent(holder) if holder is not None and holder.type == "argument_list" else None
    return call if call is not None and call.type == "call_expression" and callee(call)[1] in TABLES else None


def _decorator(arg: Node) -> bool:
    name = callee(arg)[1] if arg.type == "call_expression" else arg.text.decode() if arg.type == "identifier" and arg.text else ""
    return name in _DECORATORS
