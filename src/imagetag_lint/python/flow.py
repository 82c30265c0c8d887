"""Image flow in Python: what expressions evaluate to, which functions produce an image name,
which deploy one (sinks), and which parameters reach a sink."""

from __future__ import annotations

import re
from collections.abc import Callable

import libcst as cst

from imagetag_lint.enums import Severity
from imagetag_lint.images import repository
from imagetag_lint.python.carriers import field_argument, field_parameter
from imagetag_lint.python.command_objects import imports_command_objects, object_words
from imagetag_lint.python.factories import factory_call
from imagetag_lint.python.kubectl import image_arguments, sets_an_image
from imagetag_lint.python.memoized import memoized
from imagetag_lint.python.project import MAX_ROUNDS, Function, Project, Scope
from imagetag_lint.python.reaching import (
    ENTRY,
    Binding,
    Definition,
    definitions_at,
    ways,
)
from imagetag_lint.python.runners import runner_of, runner_words
from imagetag_lint.python.syntax import (
    Module,
    callee_name,
    dotted,
    keyword,
    positional,
    string_value,
)
from imagetag_lint.python.tables import table_rows
from imagetag_lint.python.values import (
    BUILT,
    COMPUTED,
    ENV,
    ENV_COMPOSED,
    ENV_VALUE,
    FIXED,
    FRESH,
    OPAQUE,
    OPAQUE_VALUE,
    PARAM,
    SDK_IMAGE,
    Value,
    Word,
    build_tags,
    combine,
    command_image,
    command_words,
    handed_in,
    is_deploy_call,
    is_environment,
    is_sdk_build,
    join,
    reads_only,
    several_names,
)
from imagetag_lint.record import field, record
from imagetag_lint.rules import ImageFlow, Producer

MAX_DEPTH = 12
CONTAINER_CALLS = {"V1Container", "Container"}  # kubernetes client, lightkube
GENERATED_OBJECTS = {"gen"}  # kr8s: Pod.gen(name=..., image=...)
CONTAINER_KEYS = {"containers", "initContainers", "ephemeralContainers"}


@record(frozen=True)
class Shape:
    """What a producer returns: the image name alone, or a tuple with it at one index."""

    name: str
    image_result: int = 0
    results: int = 1


NO_BUILD = "and no build in the linted code names its repository"  # the end of `why_local`'s last words
LISTED_BUILDS = 4  # a repository built in more places than this is named by the first three and a count


@record(frozen=True)
class BuildSite:
    """A build in the linted code: the repository it tags, its fixed tag (or ""), where it is."""

    repository: str
    tag: str
    where: str  # file:line
    owner: str = ""  # file:function of the build
    several: bool = False  # one of the tags of a build that gives its image several names
    constant: cst.BaseExpression | None = field(default=None, compare=False)  # the module constant its tag reads


class Sink:
    """A place an image reference goes: a container's `image`, a manifest line, a loader, or an
    argument for a function's image parameter."""

    def __init__(self, kind: str, function: Function | None, module: Module, node: cst.CSTNode, value: Value,
                 start: int, end: int, target: Function | None = None, call: cst.Call | None = None,
                 pull_never: bool = False) -> None:
        # "container", "dict", "store", "yaml", "deploy-arg", "load", "command" (a kubectl word that
        # is the image), "command-word" (the image inside a kubectl word: `worker=IMAGE`)
        self.kind = kind
        self.function = function
        self.module = module
        self.node = node  # the expression (or the string holding the YAML line)
        self.value = value
        self.start, self.end = start, end  # the bytes that name the image
        self.target = target  # the function called, for "deploy-arg"
        self.call = call  # the call the reference is an argument of, if any
        self.pull_never = pull_never  # its own container says `imagePullPolicy: Never`: loaded, not pulled

    @property
    def deploys(self) -> bool:
        return self.kind != "load"


class Flow:
    """Summaries of every function of a project, settled to a fixed point."""

    def __init__(self, project: Project, settings: ImageFlow, producers: tuple[Producer, ...]) -> None:
        self.project = project
        self.settings = settings
        self.configured = {p.name: Shape(p.name, p.image_result, p.results) for p in producers}
        self.producers: dict[Function, Shape] = {}
        self.image_params: dict[Function, set[str]] = {}
        self.deploying: set[Function] = set()
        self.generators = re.compile("|".join(f"(?:{p})" for p in settings.generator_patterns) or "(?!)")
        self._tags: dict[Function, list[tuple[str, cst.BaseExpression]]] = {}
        self._joined: dict[cst.CSTNode, Value] = {}  # a read's value, joined over its ways (this round's)
        self._fresh_helpers: dict[Function, bool] = {}  # helpers whose every return is a fresh name
        # `kubectl set image` / `kubectl run`: (call, image expression, literal text or None), once
        self._kubectl: dict[Function, list[tuple[cst.Call, cst.BaseExpression, str | None]]] = {}
        self._several: set[cst.BaseExpression] = set()  # the tags of builds that give their image several names
        self.runners = {f: r for f in project.functions if (r := runner_of(f)) is not None}  # `_run(*args)` helpers
        self._object_modules = {m for m in project.modules if imports_command_objects(project.imports[m])}
        # producers run by a thread or an executor: `Thread(target=build, args=(...))`, `pool.submit(build, ...)`
        from imagetag_lint.python.handoffs import (  # it reads the drops, which read this module
            Handoff,
            handoffs,
        )

        self.handoffs: dict[Function, list[Handoff]] = {f: found for f in project.functions if (found := handoffs(f))}
        for function in project.functions:
            self._tags[function] = list(self._consumer_arguments(function))
            commands = [c for c in function.calls if sets_an_image(c)]
            if commands:
                self._kubectl[function] = [(c, node, text) for c in commands for node, text in image_arguments(c)]
        self._settle()
        self._joined.clear()
        self._fresh_helpers.clear()
        self.sinks: dict[Function | None, list[Sink]] = {}
        for function in project.functions:
            self.sinks[function] = list(self._sinks_of(function))
        self.repositories_cache: dict[Function, frozenset[str]] = {}  # pairing.repositories_built's, per producer
        self.builds = self._build_sites()
        self.built_repositories = {b.repository for b in self.builds}
        self.loaded = {
            v.text for f in project.functions for kind, e in self._tags[f] if kind == "load"
            for v in [self.value(e, f.module, f, plain=True)] if v.kind == FIXED
        }

    # -- summaries ------------------------------------------------------------------------

    def _settle(self) -> None:
        for _ in range(MAX_ROUNDS):
            self._joined.clear()  # values read what the round before settled
            self._fresh_helpers.clear()
            before = (dict(self.producers), {f: set(p) for f, p in self.image_params.items()}, set(self.deploying))
            for function in self.project.functions:
                shape = self._returns_image(function)
                if shape is not None:
                    self.producers[function] = shape
                if function in self._kubectl or any(
                        is_deploy_call(c) or self.project.resolve(c, function.module) in self.deploying
                        for c in function.calls):
                    self.deploying.add(function)
                params = {s.value.text for s in self._sinks_of(function) if s.deploys and s.value.kind == PARAM}
                if params:
                    self.image_params[function] = params
            after = (self.producers, self.image_params, self.deploying)
            if before == after:
                return

    def _returns_image(self, function: Function) -> Shape | None:
        name = function.fixture or function.name
        for result in function.results:
            if isinstance(result, cst.Tuple):
                elements = [e.value for e in result.elements]
                for index, element in enumerate(elements):
                    if self._built_on_some_way(element, function):
                        return Shape(name, index, len(elements))
            elif self._built_on_some_way(result, function):
                return Shape(name)
        return None

    def _built_on_some_way(self, node: cst.BaseExpression, function: Function, depth: int = 0) -> bool:
        """May the expression hold a build's name? A variable set on one way from the
        environment or a parameter and on another by a build (`image = os.environ.get(...)`,
        then `if not image: image = build()`) returns the build's name when it runs."""
        if self.value(node, function.module, function).kind == BUILT:
            return True
        if depth > 4:
            return False
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            return self._built_on_some_way(node.left, function, depth + 1) or self._built_on_some_way(node.right, function, depth + 1)
        if isinstance(node, cst.IfExp):
            return self._built_on_some_way(node.body, function, depth + 1) or self._built_on_some_way(node.orelse, function, depth + 1)
        if isinstance(node, cst.Subscript):  # a memo: `cache[service] = build(service)`, `return cache[service]`
            return any(self._built_on_some_way(store.value, function, depth + 1)
                       for store in self.stores_under(node, function))
        if isinstance(node, cst.Name):
            found = definitions_at(node, function)
            if found is not None and len(found) > 1:
                return any(self._definition_value(d, node.value, function, depth).kind == BUILT
                           or (not isinstance(d, int) and isinstance(d[1], cst.Assign) and d[1].targets[0].target is d[0]
                               and self._built_on_some_way(d[1].value, function, depth + 1))
                           for d in found)
        return False

    def stores_under(self, read: cst.Subscript, function: Function) -> list[cst.Assign]:
        """The function's stores into the very entry the read takes (`cache[service] = ...`
        for `cache[service]`: the same variable, the same key's text)."""
        module = function.module
        if not isinstance(read.value, cst.Name):
            return []
        key = [module.code(e) for e in read.slice]
        found = []
        for store in function.stores:
            target = store.targets[0].target
            if (len(store.targets) == 1 and isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
                    and target.value.value == read.value.value and [module.code(e) for e in target.slice] == key):
                found.append(store)
        return found

    def shape_of_call(self, call: cst.Call, module: Module) -> Shape | None:
        target = self.project.resolve(call, module)
        if target is not None:
            return self.producers.get(target)
        name = callee_name(call)
        return self.configured.get(name) if name in self.configured else None

    def applied(self, function: Function | None) -> bool:
        """Is what this function builds sent to a cluster (by it, or by a caller it returns to)?"""
        if function is None:
            return False
        if function in self.deploying:
            return True
        return bool(function.results) and any(c in self.deploying for c, _ in self.project.callers(function))

    # -- values ---------------------------------------------------------------------------

    def value(self, node: cst.BaseExpression, module: Module, function: Function | None,
              plain: bool = False, depth: int = 0) -> Value:
        """What an expression evaluates to; `plain` skips matching it against the function's
        own build and load arguments (used to ask what a tag itself is made of)."""
        if depth > MAX_DEPTH:
            return OPAQUE_VALUE
        if function is not None and not plain and self._consumed_before(node, module, function):
            underlying = self.value(node, module, function, plain=True, depth=depth + 1)
            if handed_in(underlying) and not self._built_on_a_way(node, function, depth):
                return underlying  # the caller's or the environment's name, which the build reuses
            return Value(BUILT, "the build")
        text = string_value(node)
        if text is not None:
            return Value(FIXED, text, "a string literal")
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString, cst.BinaryOperation)):
            return self._formatted(node, module, function, depth)
        if isinstance(node, cst.Call):
            return self._call_value(node, module, function, depth)
        if isinstance(node, cst.Name):
            return self._name_value(node, module, function, depth)
        if isinstance(node, cst.Subscript):
            if is_environment(node):
                return ENV_VALUE
            base = node.value
            if (
                isinstance(base, cst.Attribute)
                and base.attr.value == "tags"
                and self.value(base.value, module, function, depth=depth + 1).kind == SDK_IMAGE
            ):
                return Value(BUILT, "images.build")
            return self._module_entry(node, module, function, depth)
        if isinstance(node, cst.Await):
            return self.value(node.expression, module, function, plain, depth + 1)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # `image or "localhost/app:dev"`: a default when the first is empty, as an `if` would
            first = self.value(node.left, module, function, plain, depth + 1)
            if first.kind == FIXED and first.text:
                return first
            return join([first, self.value(node.right, module, function, plain, depth + 1)])
        if isinstance(node, cst.IfExp):  # `built if rebuild else "localhost/app:e2e"`: either
            return join([self.value(node.body, module, function, plain, depth + 1),
                         self.value(node.orelse, module, function, plain, depth + 1)])
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):  # `constants.IMAGE`
            carried = field_parameter(node, function) if function is not None else None
            if carried is not None:  # `svc.image`: the field of a record the caller hands over
                return Value(PARAM, carried)
            return self._imported_value(module, node.value.value, node.attr.value, depth)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Attribute) and dotted(node.value):
            return self._imported_value(module, dotted(node.value), node.attr.value, depth)  # `e2e.settings.IMAGE`
        return OPAQUE_VALUE

    def _module_entry(self, node: cst.Subscript, module: Module, function: Function | None, depth: int) -> Value:
        """`SERVICES["shop-api"]`: the entry of a module-level dict display, assigned once and
        never stored into by the module's functions, under a literal key."""
        key = node.slice[0].slice if len(node.slice) == 1 else None
        text = string_value(key.value) if isinstance(key, cst.Index) else None
        base = node.value
        if text is None or not isinstance(base, cst.Name):
            return OPAQUE_VALUE
        if function is not None and (definitions_at(base, function) is not None or base.value in function.params):
            return OPAQUE_VALUE
        assignments = self.project.scopes[module].assignments.get(base.value)
        table = assignments[0][1] if assignments and len(assignments) == 1 else None
        if not isinstance(table, cst.Dict) or _stored_into(self.project, module, base.value):
            return OPAQUE_VALUE
        entry = _entry(table, text)
        if entry is None:
            return OPAQUE_VALUE
        found = self.value(entry, module, None, depth=depth + 1)
        if found.kind == FIXED:
            return Value(FIXED, found.text, f"the entry `{text}` of the module's dict `{base.value}`")
        return found

    def _consumed_before(self, node: cst.BaseExpression, module: Module, function: Function) -> bool:
        """Is the expression, as written, a build's or a load's argument earlier in the function?
        When the function loads images, it must be one of them: a tag built but visibly not loaded
        (`-t {fresh} -t app:latest`, then `kind load docker-image {fresh}`) is not in the cluster."""
        code = module.code(node)
        start = module.start(node)
        earlier = [(kind, tag) for kind, tag in self._tags[function] if kind in ("build", "load") and module.start(tag) < start]
        matched = {kind for kind, tag in earlier if module.code(tag) == code and tag is not node}
        loads = any(kind == "load" for kind, _ in earlier)
        return "load" in matched or (bool(matched) and not loads)

    def _built_on_a_way(self, node: cst.BaseExpression, function: Function, depth: int) -> bool:
        """Is the variable, built under the name it holds, set on some way by this function itself
        (`tag = os.environ.get(...)`, then `if not tag: tag = f"localhost/api:{uuid4()}"` and a
        build of `tag`)? Then the build may be its own, not only the environment's image."""
        if not isinstance(node, cst.Name):
            return False
        found = definitions_at(node, function)
        return found is not None and len(found) > 1 and any(
            not handed_in(self._definition_value(d, node.value, function, depth + 1)) for d in found)

    def _formatted(self, node: cst.BaseExpression, module: Module, function: Function | None, depth: int) -> Value:
        parts: list[Value] = []
        how = "an f-string of literals"
        if isinstance(node, cst.FormattedString):
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(Value(FIXED, part.value))
                elif isinstance(part, cst.FormattedStringExpression):
                    if part.format_spec or part.conversion:
                        return OPAQUE_VALUE
                    parts.append(self.value(part.expression, module, function, depth=depth + 1))
        elif isinstance(node, cst.ConcatenatedString):
            parts = [self.value(node.left, module, function, depth=depth + 1),
                     self.value(node.right, module, function, depth=depth + 1)]
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            how = "a concatenation of literals"
            parts = [self.value(node.left, module, function, depth=depth + 1),
                     self.value(node.right, module, function, depth=depth + 1)]
        else:
            return OPAQUE_VALUE
        return combine(parts, how)

    def _call_value(self, call: cst.Call, module: Module, function: Function | None, depth: int) -> Value:
        if is_environment(call):
            return ENV_VALUE
        if is_sdk_build(call):
            return Value("tuple", "images.build")
        name = callee_name(call)
        if name == "format" and isinstance(call.func, cst.Attribute):
            template = self.value(call.func.value, module, function, depth=depth + 1)
            if template.kind != FIXED:
                return OPAQUE_VALUE
            parts = [template, *(self.value(a.value, module, function, depth=depth + 1) for a in call.args)]
            if all(p.kind == FIXED for p in parts):
                try:
                    return Value(FIXED, template.text.format(
                        *(p.text for p, a in zip(parts[1:], call.args) if a.keyword is None),
                        **{a.keyword.value: p.text for p, a in zip(parts[1:], call.args) if a.keyword is not None},
                    ), "a formatted string of literals")
                except (IndexError, KeyError, ValueError):
                    return OPAQUE_VALUE
            head = template.text.split("{", 1)[0]
            if any(p.kind == ENV for p in parts[1:]):
                # `"{}/app:e2e-{}".format(REGISTRY, RUN_ID)`: the template's own text beside the
                # environment's makes the name here
                head = re.sub(r"\{[^{}]*\}", "", template.text)
            return combine([Value(FIXED, head), *parts[1:]], "")
        if name == "str" and len(call.args) == 1:
            return self.value(call.args[0].value, module, function, depth=depth + 1)
        shape = self.shape_of_call(call, module)
        if shape is None and function is not None and isinstance(call.func, cst.Name) and call.func.value in function.params:
            inner = factory_call(self, call, function)  # a requested factory fixture's producer
            shape = self.producers[inner] if inner is not None else None
        if shape is not None:
            return Value(BUILT, shape.name) if shape.results == 1 else Value("tuple", shape.name)
        if name and self.generators.search(name):
            return Value(FRESH, name)
        target = self.project.resolve(call, module)
        if target is not None and self.makes_fresh_names(target):
            return Value(FRESH, name)
        return OPAQUE_VALUE

    def makes_fresh_names(self, function: Function) -> bool:
        """Is a helper of the linted code a name generator by its body: does every `return`
        compute a name from a call that gives a new value each time (`tag_for(service)` returning
        `f"localhost/{service}:e2e-{int(time.time())}"`, or `uuid.uuid4().hex[:8]`)? Then no later
        call gives the name an earlier one built. (One that returns `f"localhost/{service}:e2e"`
        gives the same name.)"""
        known = self._fresh_helpers.get(function)
        if known is not None:
            return known
        # pairing reads this module's Flow
        from imagetag_lint.python.pairing import fresh_expression

        self._fresh_helpers[function] = False  # a helper that returns a call of itself is none while asked
        # `@functools.cache`: every call after the first returns the first call's name
        fresh = function not in self.producers and bool(function.results) and not memoized(
            function.node, self.project.imports[function.module]) and all(
            fresh_expression(self, result, function) for result in function.results)
        self._fresh_helpers[function] = fresh
        return fresh

    def _name_value(self, node: cst.Name, module: Module, function: Function | None, depth: int) -> Value:
        name = node.value
        if function is not None:
            definitions = definitions_at(node, function)
            if definitions is not None and len(definitions) == 1:
                return self._definition_value(definitions[0], name, function, depth)
            if definitions is not None:
                # memoized: each way may read the variable again (`image = build() if x else image`
                # in nested loops), which would cost once per way per level
                known = self._joined.get(node)
                if known is not None:
                    return known
                self._joined[node] = OPAQUE_VALUE  # a way back to this read (a loop) knows nothing
                value = join([self._definition_value(d, name, function, depth) for d in definitions])
                self._joined[node] = value
                return value
            if name in function.params:
                return self._param_value(name, function)
        assignments = self.project.scopes[module].assignments.get(name)
        if assignments:
            found = self.value(assignments[-1][1], module, None, depth=depth + 1)  # type: ignore[arg-type]
            if found.kind == FIXED:
                return Value(FIXED, found.text, f"the module constant `{name}`")
            return found
        return self._imported_value(module, name, "", depth)

    def _imported_value(self, module: Module, name: str, attribute: str, depth: int) -> Value:
        """A constant of another linted module, imported by name or read as `module.NAME`."""
        imported = self.project.imported_constant(module, name, attribute)
        if imported is None:
            return OPAQUE_VALUE
        target, expression = imported
        found = self.value(expression, target, None, depth=depth + 1)
        if found.kind == FIXED:
            shown = f"{name}.{attribute}" if attribute else name
            return Value(FIXED, found.text, f"the constant `{shown}` of {target.file.filename}")
        return found

    def _definition_value(self, definition: Definition, name: str, function: Function, depth: int) -> Value:
        if definition == ENTRY:
            return self._param_value(name, function)
        if isinstance(definition, int):  # OTHER: a binding the flow does not read
            return OPAQUE_VALUE
        return self._bound_value(definition, function.module, function, depth)

    def _param_value(self, name: str, function: Function) -> Value:
        if function.fixture or function.is_test:
            # pytest fills these in: a fixture of the linted code, or one from a plugin
            fixture = self.project.fixture_for(name, function)
            return Value(BUILT, name) if fixture in self.producers else OPAQUE_VALUE
        return Value(PARAM, name)


    def _bound_value(self, binding: Binding, module: Module, function: Function,
                     depth: int) -> Value:
        target, statement = binding
        if (isinstance(statement, cst.AugAssign) and isinstance(statement.operator, cst.AddAssign)
                and isinstance(target, cst.Name)):  # `image += ":e2e"`: what the name held, then this
            if any(not isinstance(d, int) and d[1] is statement
                   for d in definitions_at(target, function) or ()):
                return OPAQUE_VALUE  # in a loop: it grows each time round
            held = self.value(target, module, function, depth=depth + 1)
            return combine([held, self.value(statement.value, module, function, depth=depth + 1)],
                           "a concatenation of literals")
        if not isinstance(statement, (cst.Assign, cst.AnnAssign)) or statement.value is None:
            return OPAQUE_VALUE
        outer = statement.targets[0].target if isinstance(statement, cst.Assign) else statement.target
        if outer is target:
            return self.value(statement.value, module, function, depth=depth + 1)
        if isinstance(outer, (cst.Tuple, cst.List)):
            elements = [e.value for e in outer.elements]
            if target not in elements or any(isinstance(e, cst.StarredElement) for e in elements):
                return OPAQUE_VALUE
            index = elements.index(target)  # type: ignore[arg-type]
            return self.slot_value(statement.value, index, len(elements), module, function, depth)
        return OPAQUE_VALUE

    def slot_value(self, value: cst.BaseExpression, index: int, count: int, module: Module,
                   function: Function | None, depth: int = 0) -> Value:
        """The value of one slot of a tuple unpacking."""
        if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == count:
            return self.value(value.elements[index].value, module, function, depth=depth + 1)
        if isinstance(value, cst.Call):
            if is_sdk_build(value):
                return Value(SDK_IMAGE) if index == 0 else OPAQUE_VALUE
            shape = self.shape_of_call(value, module)
            if shape is not None and shape.results == count:
                return Value(BUILT, shape.name) if index == shape.image_result else OPAQUE_VALUE
        return OPAQUE_VALUE

    # -- consumers and sinks --------------------------------------------------------------

    def _consumer_arguments(self, function: Function) -> list[tuple[str, cst.BaseExpression]]:
        """("build" | "load", the image-name expression) for every build and load in a function."""
        found: list[tuple[str, cst.BaseExpression]] = []
        for call in function.calls:
            words = self.words_of(call, function)
            if words is not None:
                command = command_image(words)  # every tag of a build names the image built
                if command is not None and command[0] in ("build", "load"):
                    found.extend((command[0], image) for image in command[1] if image is not None)
                if command is not None and command[0] == "build" and several_names(words):
                    self._several.update(image for image in command[1] if image is not None)
            elif is_sdk_build(call):
                tag = keyword(call, "tag")
                if tag is not None:
                    found.append(("build", tag))
            elif callee_name(call) == "load_docker_image" and isinstance(call.func, cst.Attribute):
                args = positional(call)
                image = args[0] if args else keyword(call, "name")
                if image is not None:
                    found.append(("load", image))
        return found

    def argument_for(self, call: cst.Call, target: Function, param: str, caller: Function) -> cst.BaseExpression | None:
        """The argument a call passes for an image parameter of the function it runs; for a
        record's field (`svc.image`), the argument the record's constructor passes for it."""
        name, _, field = param.partition(".")
        argument = self.project.argument_for(call, target, name)
        if not field or argument is None:
            return argument
        return field_argument(self.project, argument, caller, field)

    def words_of(self, call: cst.Call, function: Function) -> list[Word] | None:
        """The words a call runs: through subprocess (`command_words`) or a command runner of the
        linted code (`_run("docker", "build", "-t", tag, ".")`)."""
        words = command_words(call)
        if words is None and function.module in self._object_modules:  # `sh.docker.build(...)`, plumbum
            words = object_words(call, function, self.project)
        if words is not None or not self.runners:
            return words
        target = self.project.resolve(call, function.module)
        runner = self.runners.get(target) if target is not None and target is not function else None
        return runner_words(call, runner) if runner is not None else None

    def _sinks_of(self, function: Function) -> list[Sink]:
        from imagetag_lint.python.manifests import (
            yaml_sinks,  # it builds this module's Sinks
        )

        module = function.module
        sinks: list[Sink] = []

        def add(kind: str, node: cst.BaseExpression, call: cst.Call | None = None, target: Function | None = None,
                policy: cst.BaseExpression | None = None) -> None:
            pull_never = policy is not None and self._says_never(policy, module, function)
            # a variable a loop or a `parametrize` mark fills from a table deploys each row
            for row in table_rows(node, function) or [node]:
                value = self.value(row, module, function)
                sinks.append(Sink(kind, function, module, row, value, module.start(row), module.end(row), target, call,
                                  pull_never))

        for call in function.calls:
            name = callee_name(call)
            image = keyword(call, "image")
            if image is not None and (name in CONTAINER_CALLS or (name in GENERATED_OBJECTS and isinstance(call.func, cst.Attribute))):
                add("container", image, call, policy=keyword(call, "image_pull_policy"))
            target = self.project.resolve(call, module)
            if target is not None and target is not function:
                for param in sorted(self.image_params.get(target, ())):
                    argument = self.argument_for(call, target, param, function)
                    if argument is not None:
                        add("deploy-arg", argument, call, target)
        for call, node, text in self._kubectl.get(function, ()):  # `kubectl set image` or `kubectl run`
            if text is None:
                add("command", node, call)
            else:
                sinks.append(_command_word(function, node, text, call))
        for kind, node in self._tags[function]:
            if kind == "load":
                add("load", node)
        if not self.applied(function):
            return sinks
        for mapping in function.dicts:
            for element in mapping.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and string_value(element.key) == "image"
                    and self._in_containers(mapping, module)
                ):
                    add("dict", element.value, policy=_entry(mapping, "imagePullPolicy"))
        for store in function.stores:
            target_node = store.targets[0].target
            if isinstance(target_node, cst.Subscript) and self._container_store(target_node):
                add("store", store.value)
        for string in function.strings:
            if not _handed_to_a_reader(string, module):
                sinks.extend(yaml_sinks(self, string, module, function))
        for constant, string, holder in self._constants_used(function):
            if not _handed_to_a_reader(constant, module):
                sinks.extend(yaml_sinks(self, string, module, function, constant, holder))
        return sinks

    def _says_never(self, policy: cst.BaseExpression, module: Module, function: Function) -> bool:
        """Is a container's pull policy `"Never"` (a literal, or a constant that holds it)?"""
        value = self.value(policy, module, function, plain=True)
        return value.kind == FIXED and value.text == "Never"

    def _in_containers(self, mapping: cst.Dict, module: Module) -> bool:
        for ancestor in module.ancestors(mapping):
            if isinstance(ancestor, cst.DictElement) and string_value(ancestor.key) in CONTAINER_KEYS:
                return True
            if isinstance(ancestor, (cst.FunctionDef, cst.SimpleStatementLine)):
                break
        return False

    def _container_store(self, target: cst.Subscript) -> bool:
        """`spec["containers"][0]["image"] = ...`."""
        keys: list[str | None] = []
        node: cst.BaseExpression = target
        while isinstance(node, cst.Subscript):
            element = node.slice[0].slice if node.slice else None
            keys.append(string_value(element.value) if isinstance(element, cst.Index) else None)
            node = node.value
        return bool(keys) and keys[0] == "image" and any(k in CONTAINER_KEYS for k in keys[1:])

    def _constants_used(self, function: Function) -> list[tuple[cst.BaseExpression, cst.BaseExpression, Module]]:
        """Module-level strings with an `image:` line that this function reads by name: its own
        module's, or another linted module's imported by name (`from manifests import POD`) or
        read as `manifests.POD`: (the read, the string, the module that holds it)."""
        module = function.module
        scope = self.project.scopes[module]
        used: list[tuple[cst.BaseExpression, cst.BaseExpression, Module]] = []
        for name in function.names:
            parent = module.parent(name)
            if parent is None:
                continue
            assignments = scope.assignments.get(name.value)
            if assignments:
                value = self._template_text(assignments[-1][1], scope)
                if value is not None:
                    used.append((name, value, module))
                continue
            found = self._imported_template(function, name, parent)
            if found is not None:
                used.append(found)
        return used

    def _imported_template(self, function: Function, name: cst.Name,
                           parent: cst.CSTNode) -> tuple[cst.BaseExpression, cst.BaseExpression, Module] | None:
        """The manifest string of another linted module a read of `name` stands for."""
        if isinstance(parent, cst.Attribute) and parent.attr is name:
            return None  # `manifests.POD`'s `POD`: read through the module's name
        if any(bound == name.value for bound, _, _ in function.bindings) or name.value in function.params:
            return None
        read: cst.BaseExpression = name
        imported = self.project.imported_constant(function.module, name.value)
        if imported is None and isinstance(parent, cst.Attribute):  # `manifests.POD`
            read = parent
            imported = self.project.imported_constant(function.module, name.value, parent.attr.value)
        if imported is None:
            return None
        holder, value = imported
        text = self._template_text(value, self.project.scopes[holder])
        return (read, text, holder) if text is not None else None

    def _template_text(self, value: cst.CSTNode, scope: Scope) -> cst.BaseExpression | None:
        """The manifest string a module constant holds: the string itself, or the one a
        `string.Template(...)` or a `textwrap.dedent(...)` of it wraps (`POD_TEMPLATE =
        string.Template(POD)`, `POD = textwrap.dedent("...")`)."""
        if isinstance(value, cst.Call) and callee_name(value) in ("Template", "dedent") and value.args:
            inner = value.args[0].value
            if isinstance(inner, cst.Name):
                found = scope.assignments.get(inner.value)
                if not found or len(found) != 1:
                    return None
                return self._template_text(found[0][1], scope)
            return self._template_text(inner, scope)
        if isinstance(value, cst.BaseExpression) and value in scope.strings:
            return value
        return None

    def _build_sites(self) -> list[BuildSite]:
        from imagetag_lint.python.pairing import (  # it reads this module's Flow
            tag_repositories,
            tag_repositories_at_callers,
        )

        """The builds of the linted code, with the repository each tags: from fixed tags and the
        literal head of formatted ones (`f"dask-kubernetes:{tag}"`), also through the arguments
        callers pass for a tag parameter."""
        found: list[BuildSite] = []
        for function in self.project.functions:
            module = function.module
            for kind, tag in self._tags[function]:
                if kind != "build":
                    continue
                where = f"{module.file.filename}:{module.line(tag)}"
                owner = f"{module.file.filename}:{function.name}"
                for way in ways(tag, function):  # each assignment that may reach the tag
                    expression = tag if way is None else way
                    value = (Value(PARAM, tag.value) if way is None and isinstance(tag, cst.Name)
                             else self.value(expression, module, function, plain=True))
                    values = [value]
                    if value.kind == PARAM:
                        values = [self.value(a, caller.module, caller, plain=True)
                                  for caller, call in self.project.callers(function)
                                  if (a := self.argument_for(call, function, value.text, caller)) is not None]
                    constant = self.constant_behind(expression, module, function)
                    for value in values:
                        if value.kind == FIXED and repository(value.text):
                            found.append(BuildSite(repository(value.text), value.text, where, owner, tag in self._several, constant))
                        elif value.kind == COMPUTED and ":" in value.prefix:
                            found.append(BuildSite(repository(value.prefix.split(":", 1)[0]), "", where, owner))
                        elif value.kind == COMPUTED:  # `f"localhost/{name}:e2e-..."`: each caller's name
                            repositories = tag_repositories_at_callers(self, function, expression)
                            found.extend(BuildSite(r, "", where, owner) for r in sorted(repositories))
                        elif value.kind in (OPAQUE, FRESH) or value == ENV_COMPOSED:
                            # `tag = make_tag("shop-api")`: what the helper makes of it; the text
                            # around the environment's part (`f"{REGISTRY}/{service}:e2e-{RUN_ID}"`)
                            found.extend(BuildSite(r, "", where, owner) for r in sorted(tag_repositories(self, function, expression)))
            found.extend(_shell_line_builds(function, self.words_of))
        return found

    def constant_behind(self, expression: cst.BaseExpression, module: Module,
                        function: Function | None) -> cst.BaseExpression | None:
        """The value of the module-level constant an expression reads (`IMAGE`, or `constants.IMAGE`
        imported from a linted module), when nothing in the function binds that name: two reads
        with the same answer read one constant."""
        if isinstance(expression, cst.Attribute) and isinstance(expression.value, cst.Name):
            if function is not None and definitions_at(expression.value, function) is not None:
                return None
            imported = self.project.imported_constant(module, expression.value.value, expression.attr.value)
            return imported[1] if imported is not None else None
        if not isinstance(expression, cst.Name):
            return None
        name = expression.value
        if function is not None and (definitions_at(expression, function) is not None or name in function.params):
            return None
        assignments = self.project.scopes[module].assignments.get(name)
        if assignments:
            value = assignments[0][1]
            return value if len(assignments) == 1 and isinstance(value, cst.BaseExpression) else None
        imported = self.project.imported_constant(module, name)
        return imported[1] if imported is not None else None

    def why_local(self, image: str, near: Function | None = None, pull_never: bool = False,
                  unloaded: bool = False) -> tuple[str, Severity]:
        """What the builds say about a fixed reference to a local image, and how bad it is; the
        builds of the deploying function, then of its file, are named first. `unloaded`: the
        loads run for the deployment visibly send other names to the cluster."""
        repo = repository(image)
        made = [b for b in self.builds if repo == b.repository or repo.endswith("/" + b.repository)]
        if near is not None:
            filename = near.module.file.filename
            made.sort(key=lambda b: (b.owner != f"{filename}:{near.name}", not b.owner.startswith(filename + ":")))
        for build in made:
            if build.tag == image and unloaded:
                return (f"the build at {build.where} gives the image this name, but no load run for the deployment "
                        "sends it to the cluster"), Severity.ERROR
            if build.tag == image:
                why = f"it copies the tag the build at {build.where} gives the image, and breaks when that tag changes"
                return why, Severity.WARNING
        for build in made:
            if build.tag:
                return f"the build at {build.where} tags this repository `{build.tag}`, not this reference", Severity.ERROR
        places = list(dict.fromkeys(b.where for b in made))
        own = near is not None and bool(made) and made[0].owner == f"{near.module.file.filename}:{near.name}"
        if len(places) > 1 and not own:  # a release and a debug build of one repository: either may be meant
            shown = places if len(places) <= LISTED_BUILDS else [*places[:LISTED_BUILDS - 1], f"{len(places) - LISTED_BUILDS + 1} other places"]
            listed = ", ".join(shown[:-1]) + " and " + shown[-1]
            return f"the builds at {listed} give this repository tags computed as they run, not this reference", Severity.ERROR
        if made:
            why = f"the build at {made[0].where} gives this repository a tag computed as it runs, not this reference"
            return why, Severity.ERROR
        prefix = next((p for p in self.settings.local_prefixes if image.startswith(p)), None)
        if prefix is not None:
            evidence = f"the `{prefix}` prefix marks it as built locally"
        elif any(re.search(pattern, image) for pattern in self.settings.local_patterns) or not pull_never:
            evidence = "a local pattern marks it as built locally"
        else:
            evidence = "its pull policy `Never` says it is loaded into the cluster"
        return f"{evidence}, {NO_BUILD}", Severity.ERROR

    def is_local_image(self, image: str, pull_never: bool = False) -> bool:
        """Is the reference a locally built image? `pull_never`: its own container says
        `imagePullPolicy: Never`, so the image is loaded into the cluster, never pulled."""
        if image in self.loaded and repository(image) not in self.built_repositories:
            return False  # a registry image loaded into the cluster under this very name
        if pull_never:
            return True
        if any(image.startswith(prefix) for prefix in self.settings.local_prefixes):
            return True
        if any(re.search(pattern, image) for pattern in self.settings.local_patterns):
            return True
        repo = repository(image)
        return any(repo == name or repo.endswith("/" + name) for name in self.built_repositories)

    def summarised(self) -> set[Function]:
        """Functions other files may use without a token of their own: producers, fixtures that
        produce, deploy helpers (by image parameter or a fixed reference)."""
        hardcoding = {f for f, sinks in self.sinks.items() if f is not None and any(s.deploys for s in sinks)}
        return set(self.producers) | set(self.image_params) | hardcoding

    def manifest_constants(self) -> set[str]:
        """The module constants that hold a manifest with an `image:` line: a test that imports
        one deploys it, though it may mention no other token (`apply(NOTIFIER_DEPLOYMENT)`)."""
        found = set()
        for scope in self.project.scopes.values():
            for name, assignments in scope.assignments.items():
                text = self._template_text(assignments[-1][1], scope)
                if text is not None and "image:" in (string_value(text) or ""):
                    found.add(name)
        return found

    def consumer_arguments(self, function: Function) -> list[tuple[str, cst.BaseExpression]]:
        return self._tags[function]

    def names_several(self, tag: cst.BaseExpression) -> bool:
        """Is the tag one of the names a build (or a `tag` command) gives one image?"""
        return tag in self._several


__all__ = ["BUILT", "COMPUTED", "FIXED", "FRESH", "OPAQUE", "PARAM", "Flow", "Shape", "Sink"]


def _command_word(function: Function, word: cst.BaseExpression, image: str, call: cst.Call) -> Sink:
    """A fixed image inside a kubectl word (`worker=localhost/app:e2e`): the bytes after `=`."""
    module = function.module
    code = module.code(word)
    offset = code.find("=" + image) + 1  # 0 when escapes spell it otherwise: then the whole word
    start = module.start(word) + len(code[:offset].encode()) if offset else module.start(word)
    end = start + len(image.encode()) if offset else module.end(word)
    how = "a word of a `kubectl` command"
    return Sink("command-word", function, module, word, Value(FIXED, image, how), start, end, call=call)


def _entry(mapping: cst.Dict, key: str) -> cst.BaseExpression | None:
    """The value of a dict display's entry under a string key (`"imagePullPolicy": "Never"`)."""
    for element in mapping.elements:
        if isinstance(element, cst.DictElement) and string_value(element.key) == key:
            return element.value
    return None


def _stored_into(project: Project, module: Module, name: str) -> bool:
    """Does a function of the module store into the module's dict `name` (`NAME["api"] = ...`)
    or change it by a method (`NAME.update(...)`)? Then its entries are not the display's."""
    for function in project.functions:
        if function.module is not module:
            continue
        for store in function.stores:
            target = store.targets[0].target
            if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and target.value.value == name:
                return True
        for call in function.calls:
            func = call.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == name \
                    and func.attr.value in ("update", "setdefault", "__setitem__"):
                return True
    return False


def _handed_to_a_reader(node: cst.CSTNode, module: Module) -> bool:
    """Is a manifest string, or the constant that holds it, an argument of a call that only reads
    it (`kubectl delete -f -` with it as input, a print)? Such a use deploys nothing."""
    argument = module.parent(node)
    call = module.parent(argument) if isinstance(argument, cst.Arg) else None
    return isinstance(call, cst.Call) and reads_only(call)


def _shell_line_builds(function: Function, words_of: Callable[[cst.Call, Function], list[Word] | None]) -> list[BuildSite]:
    """Build tags that are not one expression alone: literal text in a shell line
    (`"docker build -t localhost/api:dev ."`) or joined to its flag (`"--tag=localhost/api:dev"`),
    or text around one (`-t localhost/api:{tag}`), whose head names the repository. They return
    no name a caller could capture."""
    module = function.module
    found = []
    for call in function.calls:
        words = words_of(call, function)
        tags = build_tags(words) if words is not None else []
        for text, node, head in tags:
            if node is not None:
                continue
            where, owner = f"{module.file.filename}:{module.line(call)}", f"{module.file.filename}:{function.name}"
            if text and repository(text):
                found.append(BuildSite(repository(text), text, where, owner, several_names(words or [])))
            elif ":" in head and repository(head.split(":", 1)[0]):
                found.append(BuildSite(repository(head.split(":", 1)[0]), "", where, owner))
    return found
