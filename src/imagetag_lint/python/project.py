"""The linted Python files as one project: functions, pytest fixtures (scoped by conftest.py
directory), name resolution, and the per-function summaries the rules read (producers, image
parameters, deploying functions), computed once to a fixed point."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING

import libcst as cst

from imagetag_lint.python.imports import Binding, bindings, module_file, star_sources
from imagetag_lint.python.syntax import (
    Module,
    callee_name,
    dotted,
    fixture_name,
    inherited_marks,
    module_marks,
    parameter_names,
    string_value,
    used_fixtures,
)
from imagetag_lint.python.syspath import SysPath

if TYPE_CHECKING:
    from imagetag_lint.python.reaching import Definitions

MAX_ROUNDS = 6  # wrappers of wrappers of ...: summaries settle in a few rounds


class Function:
    """A `def` in a linted file, with the nodes of its own body (nested defs excluded)."""

    def __init__(self, module: Module, node: cst.FunctionDef, pytestmark: list[cst.BaseExpression] | None = None) -> None:
        self.module = module
        self.node = node
        self.name = node.name.value
        self.params = parameter_names(node)
        self.fixture = fixture_name(node)
        # `usefixtures` marks: (fixture, where a drop of it is shown): the string that names it in
        # the function's own decorator, the function's name for a class's or module's mark
        own = used_fixtures([d.decorator for d in node.decorators])
        inherited = used_fixtures(inherited_marks(module, node, pytestmark or []))
        self.usefixtures: list[tuple[str, cst.CSTNode]] = [*own, *((name, node.name) for name, _ in inherited)]
        self.directory = posixpath.dirname(module.file.filename)
        self.calls: list[cst.Call] = []
        self.bindings: list[tuple[str, cst.CSTNode, cst.CSTNode]] = []  # (name, target, statement)
        self.names: list[cst.Name] = []
        self.results: list[cst.BaseExpression] = []  # return and yield values
        self.strings: list[cst.BaseExpression] = []  # outermost string literals
        self.dicts: list[cst.Dict] = []
        self.stores: list[cst.Assign] = []  # `x[...]["image"] = ...`
        # a read of a local -> the assignments that may reach it (reaching.definitions_at's memo)
        self.reaching: dict[cst.CSTNode, Definitions | None] = {}

    @property
    def is_test(self) -> bool:
        return self.name.startswith("test") and self.fixture is None

    @property
    def is_method(self) -> bool:
        return bool(self.params) and self.params[0] in ("self", "cls")

    def __repr__(self) -> str:
        return f"<Function {self.module.file.filename}:{self.name}>"


class Scope:
    """The nodes of one module outside any function (module constants, YAML templates)."""

    def __init__(self) -> None:
        self.assignments: dict[str, list[tuple[cst.CSTNode, cst.CSTNode]]] = {}  # name -> (target, value)
        self.strings: list[cst.BaseExpression] = []


class Project:
    def __init__(self, modules: list[Module], known: Collection[str] = (), previous: Project | None = None,
                 sys_path: SysPath | None = None) -> None:
        """`known` names every file of the run (parsed or not): whether a directory is a package
        (holds an `__init__.py`) decides where an import looks, and so do the directories that
        conftest.py files add to `sys_path`. The modules a `previous` project (the first pass's)
        indexed are taken from it, not walked again."""
        self.modules = modules
        self.known = set(known) | {m.file.filename for m in modules}
        self.sys_path: SysPath | None = sys_path if sys_path is not None or previous is None else previous.sys_path
        self.functions: list[Function] = []
        self.scopes: dict[Module, Scope] = {}
        self.owner: dict[cst.CSTNode, Function] = {}  # FunctionDef -> Function
        self._bound: dict[cst.CSTNode, frozenset[str]] = {}  # FunctionDef -> the names it binds
        self._defs_in: dict[cst.CSTNode, list[str]] | None = None  # FunctionDef -> the names of the defs in it
        self.by_file = {m.file.filename: m for m in modules}
        old: dict[Module, dict[str, Binding]] = previous.imports if previous is not None else {}
        self.imports: dict[Module, dict[str, Binding]] = {m: old[m] if m in old else bindings(m) for m in modules}
        self.star_sources = {m: star_sources(m) for m in modules}
        self.stars = {m for m, sources in self.star_sources.items() if sources}
        self.top_level: dict[Module, dict[str, Function]] = {m: {} for m in modules}
        for module in modules:
            if previous is not None and module in previous.scopes:
                self._adopt(previous, module)
            else:
                self._index(module)
        self._calls_by_name: dict[str, list[tuple[Function, cst.Call]]] | None = None
        self._resolved: dict[cst.Call, Function | None] = {}
        self._names: set[str] | None = None
        self._files_named: dict[str, str | None] = {}  # module name -> the one file named so (`_only_file_named`)
        self._by_base: dict[str, list[str]] | None = None  # a file's last part -> the run's files of that name
        self._plugins: set[str] | None = None
        self._fixture_of: dict[tuple[int, str], Function | None] = {}
        self._conftests: dict[str, list[Module]] = {}
        self._aliases: dict[str, set[str]] | None = None
        self._by_module: dict[Module, list[Function]] | None = None
        self.by_name: dict[str, list[Function]] = {}
        self.fixtures: dict[str, list[Function]] = {}
        for function in self.functions:
            if function.fixture is not None:
                self.fixtures.setdefault(function.fixture, []).append(function)
            else:
                self.by_name.setdefault(function.name, []).append(function)
            if isinstance(function.module.parent(function.node), cst.Module):
                self.top_level[function.module].setdefault(function.name, function)

    def _index(self, module: Module) -> None:
        scope = Scope()
        self.scopes[module] = scope
        pytestmark = module_marks(module)
        for node in module.nodes:
            if isinstance(node, cst.FunctionDef):
                function = Function(module, node, pytestmark)
                self.owner[node] = function
                self.functions.append(function)
        for node in module.nodes:
            owner_node = module.function_of(node)
            owner = self.owner.get(owner_node) if owner_node is not None else None
            if owner is None:
                self._index_module_level(module, scope, node)
            else:
                self._index_body(module, owner, node)

    def _adopt(self, previous: Project, module: Module) -> None:
        self.scopes[module] = previous.scopes[module]
        for function in previous.functions_of(module):
            self.owner[function.node] = function
            self.functions.append(function)

    def functions_of(self, module: Module) -> list[Function]:
        if self._by_module is None:
            self._by_module = {}
            for function in self.functions:
                self._by_module.setdefault(function.module, []).append(function)
        return self._by_module.get(module, [])

    def _index_module_level(self, module: Module, scope: Scope, node: cst.CSTNode) -> None:
        if type(node) not in _MODULE_LEVEL:
            return
        if isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                scope.assignments.setdefault(target.value, []).append((target, node.value))
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and node.value is not None:
            scope.assignments.setdefault(node.target.value, []).append((node.target, node.value))
        elif _outermost_string(module, node):
            scope.strings.append(node)  # type: ignore[arg-type]

    def _index_body(self, module: Module, function: Function, node: cst.CSTNode) -> None:
        if type(node) not in _IN_BODY:  # most nodes (whitespace, commas, operators): libcst's
            return  # classes are ABCs, so each isinstance below costs a slow check
        if isinstance(node, cst.Call):
            function.calls.append(node)
        elif isinstance(node, cst.Name):
            function.names.append(node)
        elif isinstance(node, (cst.Return, cst.Yield)) and node.value is not None:
            value = node.value
            if isinstance(value, cst.BaseExpression):
                function.results.append(value)
        elif isinstance(node, cst.Dict):
            function.dicts.append(node)
        elif _outermost_string(module, node):
            function.strings.append(node)  # type: ignore[arg-type]
        if isinstance(node, _BINDERS):
            for name, target in _bound_names(node):
                function.bindings.append((name, target, node))
            if isinstance(node, cst.Assign) and isinstance(node.targets[0].target, cst.Subscript):
                function.stores.append(node)
        elif isinstance(node, cst.ExceptHandler) and node.name is not None and isinstance(node.name.name, cst.Name):
            function.bindings.append((node.name.name.value, node.name.name, node))

    # -- resolution -----------------------------------------------------------------------

    def module_file(self, importer: str, name: str, level: int) -> str | None:
        """The file of the run an import in `importer` names (see `imports.module_file`)."""
        return module_file(importer, name, level, self.known, self.sys_path)

    def resolve(self, call: cst.Call, module: Module) -> Function | None:
        """The linted function a call runs (memoized: the summaries ask for every call each round)."""
        if call not in self._resolved:
            self._resolved[call] = self._resolve(call, module)
        return self._resolved[call]

    def _resolve(self, call: cst.Call, module: Module) -> Function | None:
        """By the module's own definitions and imports first: `deploy(...)` defined here or bound
        by `from helpers import deploy`, `helpers.deploy(...)` after `import helpers`; a name
        imported from a module outside the run is none of ours. Methods (`self.deploy`), names a
        star import may bring and imports of files the run did not read fall back to the name:
        the one definition by that name, else the one in the same module, else the one in the
        same directory."""
        name = callee_name(call)
        func = call.func
        if not name:
            return None
        if not (isinstance(func, cst.Name) or _plain_attribute(func)):
            return self._dotted_module_call(func, module, name)
        if isinstance(func, cst.Name):
            bound, inner = self._bound_around(call, module, name)
            if bound:  # a function around the call binds the name: it hides the module's and imports
                return inner
        local = self.top_level[module].get(name) if isinstance(func, cst.Name) else None
        if local is not None:
            return local
        head = func.value if isinstance(func, cst.Name) else func.value.value  # type: ignore[attr-defined]
        binding = self.imports[module].get(head)
        if binding is not None:
            decided, found = self._imported(module, binding, name if isinstance(func, cst.Attribute) else "")
            if decided:
                return found
        elif isinstance(func, cst.Name):
            nested = [c for c in self.by_name.get(name, []) if c.module is module]  # a def inside a def
            if len(nested) == 1 or module not in self.stars:
                return nested[0] if len(nested) == 1 else None  # else a builtin, or a name never bound
        return self._by_name(name, module)

    def _bound_around(self, call: cst.Call, module: Module, name: str) -> tuple[bool, Function | None]:
        """(bound, the nested def): does a function around the call bind the name itself (a `def`
        in it, a parameter, an assignment), as Python's scoping reads a name before the module's?
        With the function a nested `def` of that name is, when that is what binds it."""
        node = module.function_of(call.func)  # (a run made up from a hand-off keeps the tree's name)
        while node is not None:
            function = self.owner.get(node)
            if function is not None and name in self._bound_names(function):
                nested = [c for c in self.by_name.get(name, []) if c.module is module and module.function_of(c.node) is node]
                return True, nested[0] if len(nested) == 1 else None
            node = module.function_of(node)
        return False, None

    def _bound_names(self, function: Function) -> frozenset[str]:
        """The names a function binds: its parameters, assignments and the `def`s in it."""
        if self._defs_in is None:
            self._defs_in = {}
            for inner in self.functions:
                outer = inner.module.function_of(inner.node)
                if outer is not None:
                    self._defs_in.setdefault(outer, []).append(inner.name)
        found = self._bound.get(function.node)
        if found is None:
            names = (*function.params, *(b[0] for b in function.bindings), *self._defs_in.get(function.node, ()))
            found = self._bound[function.node] = frozenset(names)
        return found

    def _dotted_module_call(self, func: cst.BaseExpression, module: Module, name: str) -> Function | None:
        """`a.b.f()` after `import a.b` (or `m.f()` on a package's submodule, `helpers.sub.f()`
        after `from pkg import helpers`): the function `f` of the module the chain names. Only
        through an import of the chain's head: `client.images.build(...)` is no linted `build`."""
        parts = dotted(func).split(".")
        binding = self.imports[module].get(parts[0]) if len(parts) > 2 else None
        if binding is None:
            return None
        base = ".".join(p for p in (binding.module, binding.name) if p)
        inner = ".".join(p for p in (base, *parts[1:-1]) if p)
        return self._imported(module, Binding(inner, binding.level), name)[1]

    def _imported(self, module: Module, binding: Binding, attribute: str, depth: int = 0) -> tuple[bool, Function | None]:
        """(decided, the function) an import binding and the attribute called on it name. Not
        decided when the module is not found where Python would look but may be a file of the
        run (a relative import, or a name that files of the run live under)."""
        name = binding.name or attribute
        path = self.import_file(module.file.filename, binding.module, binding.level)
        if binding.name and attribute:  # `from pkg import helpers` then `helpers.deploy()`: a submodule
            submodule = ".".join(p for p in (binding.module, binding.name) if p)
            path = self.import_file(module.file.filename, submodule, binding.level)
            name = attribute
        if path is None:
            return (binding.level == 0 and not self._local_package(binding.module or binding.name)), None
        target = self.by_file.get(path)
        if target is None or depth > MAX_ROUNDS:
            return True, None  # a file of the run that names no image: none of its functions matter
        found = self.top_level[target].get(name)
        if found is not None:
            return True, found
        again = self.imports[target].get(name)  # re-exported: `from .impl import deploy` in __init__.py
        if again is None or again.name == "":
            return True, None
        return self._imported(target, again, "", depth + 1)

    def imported_constant(self, module: Module, name: str, attribute: str = "") -> tuple[Module, cst.BaseExpression] | None:
        """The module-level value an imported name stands for: `IMAGE` after `from constants
        import IMAGE`, or `constants.IMAGE` (`attribute`) after `import constants`; only from a
        file of the run that assigns it once (then no code of the run is seen to change it)."""
        binding = self.imports[module].get(name)
        if binding is None or bool(binding.name) == bool(attribute):
            if binding is None or not (binding.name and attribute):
                return None
            binding = Binding(".".join(p for p in (binding.module, binding.name) if p), binding.level)
        wanted = binding.name or attribute
        path = self.import_file(module.file.filename, binding.module, binding.level)
        target = self.by_file.get(path) if path is not None else None
        if target is None or target is module:
            return None
        assignments = self.scopes[target].assignments.get(wanted, [])
        if len(assignments) != 1 or not isinstance(assignments[0][1], cst.BaseExpression):
            return None
        return target, assignments[0][1]

    def import_file(self, importer: str, name: str, level: int) -> str | None:
        """The file of the run an import names: where Python would look, else the one file whose
        path ends as the module's name (a `src/` layout, which pytest's `pythonpath` or an
        installed package puts on `sys.path`)."""
        path = self.module_file(importer, name, level)
        if path is None and level == 0 and self._local_package(name):
            path = self._only_file_named(name)
        return path

    def _only_file_named(self, name: str) -> str | None:
        """The one file of the run whose path ends as the module's dotted name does
        (`src/shop_e2e/settings.py` for `shop_e2e.settings`), or None."""
        if name not in self._files_named:  # asked of every unresolved import: once per name
            if self._by_base is None:  # the run's files by their last part, looked through once
                self._by_base = {}
                for f in self.known:
                    self._by_base.setdefault(posixpath.basename(f), []).append(f)
            path = name.replace(".", "/")
            tails = (path + ".py", path + "/__init__.py")
            found = {f for t in tails for f in self._by_base.get(posixpath.basename(t), ()) if f == t or f.endswith("/" + t)}
            self._files_named[name] = found.pop() if len(found) == 1 else None
        return self._files_named[name]

    def _local_package(self, name: str) -> bool:
        """Do files of the run live under this module's top-level name (the import may use a
        `sys.path` entry of its own)?"""
        if self._names is None:  # every directory and module name of the run's files, once
            self._names = {part.removesuffix(".py") for f in self.known for part in f.split("/")}
        return name.split(".", 1)[0] in self._names

    def _by_name(self, name: str, module: Module) -> Function | None:
        candidates = self.by_name.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        directory = posixpath.dirname(module.file.filename)
        for nearer in (
            [c for c in candidates if c.module is module],
            [c for c in candidates if c.directory == directory],
        ):
            if nearer:
                return nearer[0] if len(nearer) == 1 else None
        return None

    def fixture_for(self, name: str, requester: Function) -> Function | None:
        """The fixture a test (or fixture) gets for a parameter, as pytest looks it up: its own
        module's (defined there, or imported into it), else the nearest conftest.py's in its
        directory or above (defined there, imported into it, or brought by a star import), else
        one of a module that a `pytest_plugins` of the run names (memoized: every check asks it of
        every parameter of every test)."""
        key = (id(requester), name)
        if key not in self._fixture_of:
            self._fixture_of[key] = self._find_fixture(name, requester)
        return self._fixture_of[key]

    def _find_fixture(self, name: str, requester: Function) -> Function | None:
        candidates = [c for c in self.fixtures.get(name, []) if c is not requester]
        if not candidates:
            return None
        for module in [requester.module, *self._conftests_over(requester.directory)]:
            found = next((c for c in candidates if c.module is module), None) or self._exposed(module, candidates)
            if found is not None:
                return found
        plugins = self._plugin_files()
        return next((c for c in candidates if c.module.file.filename in plugins), None)

    def _conftests_over(self, directory: str) -> list[Module]:
        """The conftest.py modules of the directory and those above it, nearest first."""
        if directory not in self._conftests:
            found = [m for path, m in self.by_file.items()
                     if posixpath.basename(path) == "conftest.py" and _within(directory, posixpath.dirname(path))]
            self._conftests[directory] = sorted(found, key=lambda m: -len(m.file.filename))
        return self._conftests[directory]

    def _exposed(self, module: Module, candidates: list[Function]) -> Function | None:
        """The candidate fixture the module's namespace holds through an import: `from
        .fixtures import api_image` or `from .fixtures import *` (pytest collects fixtures from a
        conftest's or test module's namespace, wherever they were defined)."""
        for binding in self.imports[module].values():
            if binding.name:
                found = self._imported(module, binding, "")[1]
                if found is not None and any(found is c for c in candidates):
                    return found
        for star in self.star_sources[module]:
            path = self.module_file(module.file.filename, star.module, star.level)
            found = next((c for c in candidates if c.module.file.filename == path), None)
            if found is not None:
                return found
        return None

    def _plugin_files(self) -> set[str]:
        """The linted files that `pytest_plugins = "a.b"` (or a list of such) names, anywhere in
        the run: pytest registers a plugin module's fixtures for the whole session."""
        if self._plugins is None:
            self._plugins = set()
            for module in self.modules:
                for _, value in self.scopes[module].assignments.get("pytest_plugins", []):
                    items = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
                    for item in items:
                        text = string_value(item) if isinstance(item, cst.BaseExpression) else None
                        path = self.module_file(module.file.filename, text, 0) if text else None
                        if path is not None:
                            self._plugins.add(path)
        return self._plugins

    def callers(self, target: Function) -> Iterator[tuple[Function, cst.Call]]:
        if self._calls_by_name is None:
            self._calls_by_name = {}
            for function in self.functions:
                for call in function.calls:
                    self._calls_by_name.setdefault(callee_name(call), []).append((function, call))
        if self._aliases is None:  # `from helpers import deploy as run_deploy`: calls of run_deploy
            self._aliases = {}
            for bound in self.imports.values():
                for alias, binding in bound.items():
                    if binding.name and alias != binding.name:
                        self._aliases.setdefault(binding.name, set()).add(alias)
        for name in sorted({target.name} | self._aliases.get(target.name, set())):
            for function, call in self._calls_by_name.get(name, []):
                if self.resolve(call, function.module) is target:
                    yield function, call

    def argument_for(self, call: cst.Call, target: Function, param: str) -> cst.BaseExpression | None:
        """The argument a call passes for a parameter of the function it runs."""
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == param:
                return arg.value
        if param not in target.params:
            return None
        index = target.params.index(param) - (1 if target.is_method and isinstance(call.func, cst.Attribute) else 0)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if any(a.star for a in call.args):
            return None
        return positional[index] if 0 <= index < len(positional) else None


def _within(directory: str, ancestor: str) -> bool:
    return ancestor in ("", ".") or directory == ancestor or directory.startswith(ancestor + "/")


def _plain_attribute(func: cst.BaseExpression) -> bool:
    """`module.f` or `self.f`: one attribute on a name (not `client.images.build`)."""
    return isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)


_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_BINDERS = (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.For, cst.WithItem, cst.NamedExpr)
# the node types the indexes look at (libcst's node classes are final: their type is exact)
_MODULE_LEVEL = frozenset({cst.Assign, cst.AnnAssign, *_STRINGS})
_IN_BODY = frozenset({cst.Call, cst.Name, cst.Return, cst.Yield, cst.Dict, cst.ExceptHandler, *_STRINGS, *_BINDERS})


def _outermost_string(module: Module, node: cst.CSTNode) -> bool:
    if not isinstance(node, _STRINGS):
        return False
    return not isinstance(module.parent(node), cst.ConcatenatedString)


def _bound_names(node: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode]]:
    targets: list[cst.CSTNode] = []
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, cst.WithItem) and node.asname is not None:
        targets = [node.asname.name]
    stack = list(targets)
    while stack:
        target = stack.pop()
        if isinstance(target, cst.Name):
            yield target.value, target
        elif isinstance(target, (cst.Tuple, cst.List)):
            stack.extend(e.value for e in target.elements)
        elif isinstance(target, cst.StarredElement):
            stack.append(target.value)


# a module-level string constant (`IMAGE = "dask-kubernetes:dev"`, `IMAGE: str = f"..."`)
_STRING_CONSTANT = re.compile(rb"(?m)^[A-Za-z_]\w*[ \t]*(?::[^=\n]*)?=[ \t]*[rbfRBF]{0,2}[\"']")


def constant_modules(project: Project, sources: Mapping[str, bytes]) -> list[str]:
    """The files of the run that parsed modules import and that hold a module-level string
    constant: an image they deploy may be `from constants import IMAGE` (found in the bytes;
    only these few files are parsed for it)."""
    found: set[str] = set()
    for module, names in project.imports.items():
        for binding in names.values():
            paths = [project.import_file(module.file.filename, binding.module, binding.level)]
            if binding.name:  # `from pkg import constants`: a submodule
                submodule = ".".join(p for p in (binding.module, binding.name) if p)
                paths.append(project.import_file(module.file.filename, submodule, binding.level))
            found.update(p for p in paths if p is not None and p not in project.by_file and p in sources)
    return sorted(p for p in found if _STRING_CONSTANT.search(sources[p]))


def word_pattern(names: list[str]) -> re.Pattern[bytes] | None:
    if not names:
        return None
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names)) + rb")\b")
