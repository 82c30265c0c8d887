"""Command runners: functions of the linted code that hand their arguments to subprocess as the
command (`def _run(*args): subprocess.run(list(args), check=True)`, `def sh(cmd):
subprocess.check_call(cmd)`). A call of one runs those words, so `_run("docker", "build", "-t",
tag, ".")` is a build, as `subprocess.run([...])` is (and as a command runner is in Go)."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.python.project import Function
from imagetag_lint.python.syntax import callee_name, keyword, positional
from imagetag_lint.python.values import SPREAD_CALLS, Word, list_words
from imagetag_lint.record import record

# subprocess's calls that take the command as their first argument (not the shell-line ones)
_RUNNING = frozenset({"run", "check_call", "check_output", "call", "Popen"})


@record(frozen=True)
class Runner:
    """Where a runner's words are among a call's positional arguments: from `position` on for a
    `*args` runner, or the list at `position` (also passed by its keyword `name`)."""

    position: int
    spread: bool
    name: str


def runner_of(function: Function) -> Runner | None:
    """The runner a function is, if it hands a parameter to subprocess as the whole command:
    `*args` as `args`, `list(args)`, `[*args]` or `(*args,)`, or a plain parameter as it is."""
    params = function.node.params
    star = params.star_arg
    spread = star.name.value if isinstance(star, cst.Param) else None
    plain = [p.name.value for p in (*params.posonly_params, *params.params)]
    bound = 1 if function.is_method else 0  # `self.run(...)` passes no `self`
    for call in function.calls:
        if spread is not None and _spreads(call, spread):  # `asyncio.create_subprocess_exec(*args)`
            return Runner(len(plain) - bound, True, spread)
        if callee_name(call) not in _RUNNING:
            continue
        args = positional(call)
        handed = _handed_name(args[0] if args else keyword(call, "args"))
        if handed is not None and handed == spread:
            return Runner(len(plain) - bound, True, handed)
        if handed is not None and handed in plain[bound:]:
            return Runner(plain.index(handed) - bound, False, handed)
    return None


def _spreads(call: cst.Call, name: str) -> bool:
    """Is the call asyncio's `create_subprocess_exec(*args)`, the words its only arguments?"""
    words = [a for a in call.args if a.keyword is None]
    return (callee_name(call) in SPREAD_CALLS and len(words) == 1 and words[0].star == "*"
            and isinstance(words[0].value, cst.Name) and words[0].value.value == name)


def _handed_name(command: cst.BaseExpression | None) -> str | None:
    """The parameter a command argument is, alone: `args`, `list(args)`, `[*args]`, `(*args,)`."""
    if isinstance(command, cst.Name):
        return command.value
    if isinstance(command, cst.Call) and isinstance(command.func, cst.Name) and command.func.value in ("list", "tuple"):
        inner = command.args
        if len(inner) == 1 and not inner[0].star and inner[0].keyword is None and isinstance(inner[0].value, cst.Name):
            return inner[0].value.value
    if isinstance(command, (cst.List, cst.Tuple)) and len(command.elements) == 1:
        only = command.elements[0]
        if isinstance(only, cst.StarredElement) and isinstance(only.value, cst.Name):
            return only.value.value
    return None


def runner_words(call: cst.Call, runner: Runner) -> list[Word] | None:
    """The words a call of the runner runs, when they are written out at the call (a starred
    argument, `_run(*base, "build")`, hides them)."""
    if any(arg.star for arg in call.args):
        return None
    args = positional(call)
    if runner.spread:
        return list_words(args[runner.position :]) if len(args) > runner.position else None
    command = args[runner.position] if len(args) > runner.position else keyword(call, runner.name)
    if isinstance(command, (cst.List, cst.Tuple)):
        return list_words([e.value for e in command.elements if isinstance(e, cst.Element)])
    return None
