"""A build dropped inside a `for` loop that hands it the loop's variable (`for svc in [...]:
build(svc)`), while a deployment after the loop deploys a copy of one image: the loop builds one
service a pass, and one variable would keep only the last build's name. The steps keep each name
under its service (a dict filled in the loop) and deploy that service's entry, by hand: which
entry each deployment means is for a person to confirm."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.images import repository
from imagetag_lint.python.discards import Discard
from imagetag_lint.python.flow import Sink
from imagetag_lint.python.syntax import string_value
from imagetag_lint.python.tables import table_rows


def loop_around(discard: Discard, uses: list[cst.CSTNode]) -> cst.For | None:
    """The innermost loop of the function that holds the drop, hands the dropped call its
    variable, and holds not every use of the name."""
    module = discard.function.module
    if discard.statement is None or discard.kind in ("fixture", "usefixtures"):
        return None
    for ancestor in module.ancestors(discard.statement):
        if ancestor is discard.function.node:
            return None
        if isinstance(ancestor, (cst.For, cst.While)):
            outside = any(not module.inside(use, ancestor) for use in uses)
            return ancestor if outside and isinstance(ancestor, cst.For) and _key(discard, ancestor) else None
    return None


def loop_steps(discard: Discard, loop: cst.For, sink: Sink, names: str, old: str) -> tuple[str, ...]:
    """Keep each name in the dict `names`, keyed by the loop's variable, and deploy the sink's entry."""
    key = _key(discard, loop)
    assert key is not None  # loop_around found it
    entry = _entry(discard, key, sink, names, old)
    call = discard.function.module.code(discard.node)
    capture = (f"capture: `{names} = {{}}` before the loop and `{names}[{key}] = {call}` in it: the loop builds "
               "one image a pass, and one variable would keep only the last one's name")
    shown = f"`{entry}`" if entry is not None else f"the entry of `{names}` for the service of `{old}`"
    verb = "deploy" if sink.deploys else "load"
    return (capture, f"pass: {verb} {shown} instead of `{old}`", "parameter: none needed",
            f"use: {shown} in place of `{old}`")


def _key(discard: Discard, loop: cst.For) -> str | None:
    """The loop variable the dropped call is given (`svc` in `for svc in ...: build(svc)`)."""
    call = discard.node
    if not isinstance(loop.target, cst.Name) or not isinstance(call, cst.Call):
        return None
    variable = loop.target.value
    return variable if any(isinstance(a.value, cst.Name) and a.value.value == variable for a in call.args) else None


def _entry(discard: Discard, key: str, sink: Sink, names: str, old: str) -> str | None:
    """`names["shop-a"]`: the row of the loop's list that names the deployed repository."""
    call = discard.node
    assert isinstance(call, cst.Call)
    read = next(a.value for a in call.args if isinstance(a.value, cst.Name) and a.value.value == key)
    rows = table_rows(read, discard.function) or []
    wanted = repository(old)
    for row in rows:
        text = string_value(row)
        if text and (wanted == text or wanted.endswith("/" + text) or repository(text) == wanted):
            return f"{names}[{discard.function.module.code(row)}]"
    return None
