"""Builds run once per row of a loop or a comprehension whose runs the analysis cannot tell
apart: the rows are not read (a parameter, a filtered comprehension, a list changed after its
literal) or the argument makes of a row what it cannot work out (`build(svc.upper())`). Such a
build may make the repository of a fixed reference beside it, or not: an IMG002 there says so,
instead of saying that no build names the repository."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.flow import Flow, Sink
from imagetag_lint.python.pairing import run_for
from imagetag_lint.python.project import Function
from imagetag_lint.python.tables import unknown_rows


def unknown_row_build(flow: Flow, function: Function, sink: Sink) -> str | None:
    """What a build run for the deployment once per row it cannot tell apart leaves unknown
    (`build` runs once per row of `services`, whose rows the analysis cannot read, ...), or None."""
    reach = sorted(run_for(flow, function, sink),
                   key=lambda f: (f is not function, f.module.file.filename, f.module.start(f.node)))
    for runner in reach:
        for where, call in _builds(flow, runner):
            walk = unknown_rows(runner, where, call)
            if walk is None:
                continue
            code = runner.module.code
            producer, walked = code(call.func), code(walk.walked)
            walker = runner.module.parent(walk.walked)
            if isinstance(walker, cst.CompFor) and walker.ifs:
                why = f"`{producer}` runs once per row of `{walked}` that an `if` keeps, which the analysis does not work out"
            elif walk.rows is None:
                why = f"`{producer}` runs once per row of `{walked}`, whose rows the analysis cannot read"
            else:
                why = (f"`{producer}` runs once per row of `{walked}` with `{code(walk.argument)}`, "
                       "which the analysis cannot work out from the row")
            return f"{why}, so whether one of those builds names its repository is unknown"
    return None


def _builds(flow: Flow, function: Function) -> Iterator[tuple[cst.Call, cst.Call]]:
    """The producer calls the function makes (and the runs of producers it hands to a thread or
    an executor), each with the call in the module that makes it."""
    module = function.module
    for call in function.calls:
        if flow.shape_of_call(call, module) is not None or factory_call(flow, call, function) is not None:
            yield call, call
    for handoff in flow.handoffs.get(function, ()):
        if len(handoff.runs) == 1 and flow.shape_of_call(handoff.runs[0], module) is not None:
            yield handoff.call, handoff.runs[0]
