"""Commands run through the command objects of plumbum and sh, whose words are written as
attributes, subscripts and arguments instead of a list: `sh.docker.build("-t", tag, ".")` (also
`from sh import docker`, then `docker.build(...)` or `docker("build", ...)`), and plumbum's
`local["docker"]["build", "-t", tag, "."]()` (also through a name bound once to `local["docker"]`,
or imported from `plumbum.cmd`, called as `docker("build", ...)` or run with `.run()`). Their
builds and loads are read as a `subprocess.run([...])` list's are."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.python.imports import Binding
from imagetag_lint.python.project import Function, Project
from imagetag_lint.python.reaching import definitions_at
from imagetag_lint.python.syntax import Module, positional, string_value
from imagetag_lint.python.values import Word, list_words

_PLUMBUM_RUNS = frozenset({"run", "popen", "run_fg", "run_tf"})  # `docker["build", ...].run()`
MAX_LINKS = 4  # names bound to commands bound to commands: `docker_build = docker["build"]`


def object_words(call: cst.Call, function: Function, project: Project) -> list[Word] | None:
    """The words a call of an sh or plumbum command object runs; None for any other call, or
    when a starred argument hides the words' places."""
    if any(arg.star for arg in call.args) or any(a.keyword is not None for a in call.args if not _sh_keyword(a)):
        return None
    imports = project.imports[function.module]
    program = _sh_program(call.func, imports)
    if program is None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in _PLUMBUM_RUNS and not call.args:
            func = func.value
        program = _plumbum_command(func, function, project, 0)
    if program is None:
        return None
    texts, bound = program
    words: list[Word] = [(text, None, "") for text in texts]
    return words + (list_words([*bound, *positional(call)]) or [])


def _sh_keyword(arg: cst.Arg) -> bool:
    """sh's own keywords (`_out=`, `_cwd=`) are no words of the command."""
    return arg.keyword is not None and arg.keyword.value.startswith("_")


Command = tuple[list[str], list[cst.BaseExpression]]  # the literal words, then the bound argument words


def _sh_program(func: cst.BaseExpression, imports: dict[str, Binding]) -> Command | None:
    """`sh.docker.build` after `import sh`, or `docker.build` after `from sh import docker`."""
    parts: list[str] = []
    node = func
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    binding = imports.get(node.value)
    if binding == Binding("sh") and parts:
        return list(reversed(parts)), []
    if binding is not None and binding.module == "sh" and binding.level == 0 and binding.name:
        return [binding.name, *reversed(parts)], []
    return None


def _plumbum_command(node: cst.BaseExpression, function: Function, project: Project, depth: int) -> Command | None:
    """The program and bound words of a plumbum command: `local["docker"]`, a subscript of a
    command (`docker["build", "-t", tag]`), a name bound once to one, or a name imported from
    `plumbum.cmd`."""
    if depth > MAX_LINKS:
        return None
    module = function.module
    imports = project.imports[module]
    if isinstance(node, cst.Subscript):
        keys = [e.slice.value for e in node.slice if isinstance(e.slice, cst.Index)]
        if len(keys) != len(node.slice):
            return None
        if len(keys) == 1 and isinstance(keys[0], cst.Tuple):
            keys = [e.value for e in keys[0].elements if isinstance(e, cst.Element)]
        base = node.value
        if isinstance(base, cst.Name) and imports.get(base.value) == Binding("plumbum", 0, "local"):
            program = string_value(keys[0]) if len(keys) == 1 else None
            return ([program.rsplit("/", 1)[-1]], []) if program else None
        inner = _plumbum_command(base, function, project, depth + 1)
        return (inner[0], inner[1] + keys) if inner is not None else None
    if not isinstance(node, cst.Name):
        return None
    binding = imports.get(node.value)
    if binding is not None and binding.module == "plumbum.cmd" and binding.level == 0 and binding.name:
        return [binding.name], []
    value = _bound_once(node, function, module, project)
    return _plumbum_command(value, function, project, depth + 1) if value is not None else None


def _bound_once(name: cst.Name, function: Function, module: Module, project: Project) -> cst.BaseExpression | None:
    """The value a name is assigned once: in the function, else at the module's top level."""
    found = definitions_at(name, function)
    if found is not None:
        if len(found) != 1 or isinstance(found[0], int):
            return None
        target, statement = found[0]
        plain = isinstance(statement, cst.Assign) and statement.targets[0].target is target
        return statement.value if plain and isinstance(statement, cst.Assign) else None
    if name.value in function.params:
        return None
    assignments = project.scopes[module].assignments.get(name.value)
    value = assignments[0][1] if assignments and len(assignments) == 1 else None
    return value if isinstance(value, cst.BaseExpression) else None


def imports_command_objects(imports: dict[str, Binding]) -> bool:
    """Does a module import sh or plumbum? Only its calls are asked for command objects."""
    return any(b.level == 0 and b.module.split(".", 1)[0] in ("sh", "plumbum") for b in imports.values())
