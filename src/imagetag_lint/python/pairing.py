"""Which build a deployment's reference belongs to. A fix hands a deployment the name of a build
(a dropped producer's, a fixture's) only when that build is shown to make the deployed
repository: a suite that builds `shop-api` and `shop-worker` must never deploy one service's
image in place of the other's."""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from imagetag_lint.images import repository
from imagetag_lint.python.factories import factory_call, factory_callers
from imagetag_lint.python.flow import (
    COMPUTED,
    FIXED,
    FRESH,
    OPAQUE,
    PARAM,
    BuildSite,
    Flow,
    Sink,
)
from imagetag_lint.python.imports import module_file
from imagetag_lint.python.project import Function
from imagetag_lint.python.reaching import definitions_at, ways
from imagetag_lint.python.syntax import callee_name, dotted, keyword, string_value
from imagetag_lint.python.tables import calls_per_row
from imagetag_lint.python.values import ENV_VALUE, text_pieces

MAX_DEPTH = 4  # a fixture, the helper it calls, the helper that one calls ...


def repositories_built(flow: Flow, producer: Function | None, call: cst.Call | None = None,
                       caller: Function | None = None) -> frozenset[str]:
    """The repositories a producer's builds tag, its own and those of the helpers and producer
    fixtures it uses; a tag made from a parameter (`f"localhost/{name}:e2e-..."`) counts with
    the argument of the call (`build_image("app")`). Empty when no build shows one (a
    configured builder, a tag from elsewhere)."""
    if producer is None:
        return frozenset()
    if call is not None and caller is not None:
        return frozenset(_repositories(flow, producer, _arguments(flow, call, producer, caller), 0, {producer}))
    cached = flow.repositories_cache.get(producer)
    if cached is None:
        cached = flow.repositories_cache[producer] = frozenset(_repositories(flow, producer, {}, 0, {producer}))
    return cached


def _repositories(flow: Flow, function: Function, arguments: dict[str, str], depth: int,
                  seen: set[Function]) -> set[str]:
    found: set[str] = set()
    for kind, tag in flow.consumer_arguments(function):
        if kind == "build":
            found |= _tag_repository(flow, tag, function, arguments)
    if depth >= MAX_DEPTH:
        return found
    # the function's calls, and the runs of the functions it hands to a thread or an executor
    runs = [run for handoff in flow.handoffs.get(function, ()) for run in handoff.runs]
    for call in [*function.calls, *runs]:
        target = factory_call(flow, call, function) or flow.project.resolve(call, function.module)
        if target is None or target in seen:
            continue
        seen.add(target)
        found |= _repositories(flow, target, _arguments(flow, call, target, function, arguments), depth + 1, seen)
    if function.fixture:
        for name in function.params:
            fixture = flow.project.fixture_for(name, function)
            if fixture is not None and fixture not in seen and fixture in flow.producers:
                seen.add(fixture)
                found |= _repositories(flow, fixture, {}, depth + 1, seen)
    return found


def fixture_repositories(flow: Flow, fixture: Function | None, test: Function, name: str) -> frozenset[str]:
    """The repositories a fixture builds for a test that requests it as `name`. A fixture the
    test parametrises indirectly (`@pytest.mark.parametrize("built", ["shop-cart"],
    indirect=True)`, the fixture building `request.param`) builds, for every value, what the
    fixture's builds make with that `request.param`: only what all the values make counts."""
    values = indirect_values(test, name)
    if fixture is None or fixture not in flow.producers or not values:
        return repositories_built(flow, fixture)
    each = [frozenset(_repositories(flow, fixture, {REQUEST_PARAM: v}, 0, {fixture})) for v in values]
    return frozenset.intersection(*each)


REQUEST_PARAM = "request.param"


def indirect_values(test: Function, name: str) -> list[str]:
    """The literal values a test's `parametrize` mark hands the fixture `name` indirectly."""
    for decorator in test.node.decorators:
        mark = decorator.decorator
        if not isinstance(mark, cst.Call) or callee_name(mark) != "parametrize" or len(mark.args) < 2:
            continue
        names, values = string_value(mark.args[0].value), mark.args[1].value
        if names is None or [n.strip() for n in names.split(",")] != [name]:
            continue
        indirect = next((a.value for a in mark.args if a.keyword is not None and a.keyword.value == "indirect"), None)
        chosen = (isinstance(indirect, cst.Name) and indirect.value == "True") or (
            isinstance(indirect, (cst.List, cst.Tuple))
            and any(isinstance(e, cst.Element) and string_value(e.value) == name for e in indirect.elements))
        if not chosen or not isinstance(values, (cst.List, cst.Tuple)):
            return []
        texts = [string_value(e.value) if isinstance(e, cst.Element) else None for e in values.elements]
        return [t for t in texts if t is not None] if None not in texts else []
    return []


def request_param_values(flow: Flow, fixture: Function) -> list[str]:
    """The literal values pytest hands a fixture as `request.param`: its own `params=[...]`,
    and what the tests that parametrise it indirectly list."""
    if fixture.fixture is None or "request" not in fixture.params:
        return []
    values = []
    for decorator in fixture.node.decorators:
        mark = decorator.decorator
        params = keyword(mark, "params") if isinstance(mark, cst.Call) else None
        if isinstance(params, (cst.List, cst.Tuple)):
            values += [t for e in params.elements if isinstance(e, cst.Element) and (t := string_value(e.value))]
    for test in flow.project.functions:
        if test.is_test and fixture.fixture in test.params and flow.project.fixture_for(fixture.fixture, test) is fixture:
            values += indirect_values(test, fixture.fixture)
    return sorted(set(values))


def tag_repositories(flow: Flow, function: Function, tag: cst.BaseExpression) -> set[str]:
    """The repository a build tag names when the flow sees no text in it: the text a helper
    makes (`tag = make_tag("shop-api")`, returning `f"localhost/{service}:e2e-..."`), also
    with what the callers pass for the function's parameters (`tag = image_ref(service)` in
    `build_service(service)`, called as `build_service("shop-api")`)."""
    return _tag_repository(flow, tag, function, {}) or tag_repositories_at_callers(flow, function, tag)


def tag_repositories_at_callers(flow: Flow, function: Function, tag: cst.BaseExpression) -> set[str]:
    """The repositories a build tag made from the function's parameters names at each call; a
    caller that passes its own parameter on (`_make(service)` calling `build_image(service)`)
    passes what its callers give it."""
    found: set[str] = set()
    for caller, call in _callers(flow, function):
        repositories = _tag_repository(flow, tag, function, _arguments(flow, call, function, caller))
        for value in request_param_values(flow, caller) if not repositories else ():
            param = {REQUEST_PARAM: value}  # `build_image(request.param)` in a parametrised fixture
            repositories |= _tag_repository(flow, tag, function, _arguments(flow, call, function, caller, param))
        if not repositories and any(isinstance(a.value, cst.Name) and a.value.value in caller.params for a in call.args):
            for outer, outer_call in _callers(flow, caller):
                known = _arguments(flow, outer_call, caller, outer)
                repositories |= _tag_repository(flow, tag, function, _arguments(flow, call, function, caller, known))
        found |= repositories
    return found


def _callers(flow: Flow, function: Function) -> Iterator[tuple[Function, cst.Call]]:
    for caller, call in flow.project.callers(function):
        rows = calls_per_row(caller, call, call) if call.args else None  # `build(svc)` in `for svc in [...]`
        yield from ((caller, each) for each in rows) if rows is not None else ((caller, call),)
    yield from factory_callers(flow, function)  # a factory fixture's function, called by its requesters
    yield from _handed_to(flow, function)  # run by a thread or an executor: `pool.submit(build, "shop-x")`


def _handed_to(flow: Flow, target: Function) -> Iterator[tuple[Function, cst.Call]]:
    """The runs of `target` that threads and executors make: (the function that hands it over,
    the made-up call of it), as `Project.callers` gives the direct calls."""
    for function, found in flow.handoffs.items():
        for handoff in found:
            for run in handoff.runs:
                if flow.project.resolve(run, function.module) is target:
                    yield function, run


def _arguments(flow: Flow, call: cst.Call, target: Function, caller: Function,
               known: dict[str, str] | None = None) -> dict[str, str]:
    """The fixed text of each argument a call passes (a parameter of the caller passes the
    text it got itself, when known)."""
    found = {}
    for param in target.params:
        argument = flow.project.argument_for(call, target, param)
        if argument is None:
            continue
        text = _text(flow, argument, caller, known or {}, 0)
        if text is not None and text[1]:
            found[param] = text[0]
    return found


def _tag_repository(flow: Flow, tag: cst.BaseExpression, function: Function, arguments: dict[str, str]) -> set[str]:
    """The repositories a build's tag names, on each way it may be set (`tag` a parameter, or
    `f"localhost/{service}:..."` when the caller passes none)."""
    repositories = set()
    for way in ways(tag, function):
        found = _text(flow, tag if way is None else way, function, arguments, 0)
        repo = _repository_of(*found) if found is not None else None
        if repo:
            repositories.add(repo)
    return repositories


def _repository_of(text: str, complete: bool) -> str | None:
    """The repository of a reference's text, or of its literal head (`localhost/app:e2e-`)."""
    if complete and text:
        return repository(text)
    colon = text.rfind(":")
    if colon > text.rfind("/"):
        return repository(text[:colon])
    return None


def _text(flow: Flow, node: cst.BaseExpression, function: Function, arguments: dict[str, str],
          depth: int) -> tuple[str, bool] | None:
    """The text of an expression, or of its literal head: (text, whether that is all of it)."""
    if depth > 4:
        return None
    if isinstance(node, cst.Name):
        if node.value in arguments:
            return arguments[node.value], True
        bound = assigned_value(function, node)
        if bound is not None:
            return _text(flow, bound, function, arguments, depth + 1)
    if REQUEST_PARAM in arguments and isinstance(node, cst.Attribute) and dotted(node) == REQUEST_PARAM:
        return arguments[REQUEST_PARAM], True
    pieces = _template_pieces(node)
    if pieces is not None:  # `f"{REGISTRY}/app:e2e-{RUN_ID}"`, `REGISTRY + "/app:e2e-" + RUN_ID`, `.format`
        head = ""
        registry = False  # the registry from the environment ahead of the repository
        for index, piece in enumerate(pieces):
            if isinstance(piece, str):
                head += piece[1:] if registry and not head and piece.startswith("/") else piece
                continue
            inner = _text(flow, piece, function, arguments, depth + 1) if piece is not None else None
            registry = index == 0 and piece is not None and inner is None and _from_environment(flow, piece, function)
            if registry:
                continue  # any registry: the repository's path after it still names the image
            if inner is None or not inner[1]:
                return head + (inner[0] if inner else ""), False
            head += inner[0]
        return head, True
    if isinstance(node, cst.Call):  # `generate_image_name(service)`: the generator's result with these arguments
        generator = flow.project.resolve(node, function.module)
        if generator is not None and generator is not function:
            known = _arguments(flow, node, generator, function, arguments)
            for result in generator.results:
                found = _text(flow, result, generator, known, depth + 1)
                if found is not None and found[0]:
                    return found
    value = flow.value(node, function.module, function, plain=True)
    if value.kind == FIXED:
        return value.text, True
    if value.kind == COMPUTED:
        return value.prefix, False
    return None


def _template_pieces(node: cst.BaseExpression) -> list[str | cst.BaseExpression | None] | None:
    """The literal text and expressions an f-string, a `+` or a `.format` call puts together, in
    order (None for an f-string's part with a format spec or a conversion); None for other
    expressions."""
    if isinstance(node, cst.FormattedString):
        return [
            part.value if isinstance(part, cst.FormattedStringText)
            else part.expression if isinstance(part, cst.FormattedStringExpression) and not part.format_spec
            and not part.conversion else None
            for part in node.parts
        ]
    adds = isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add)
    formats = isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format"
    found = text_pieces(node) if adds or formats else None
    return None if found is None else [p for p in found if p != ""]  # `"{}/app:...".format(...)` begins with ""


def _from_environment(flow: Flow, node: cst.BaseExpression, function: Function) -> bool:
    """Is the expression the environment's text, whole (`os.environ.get("E2E_REGISTRY", ...)`)?"""
    return flow.value(node, function.module, function, plain=True) == ENV_VALUE


def reference_repository(flow: Flow, sink: Sink) -> str | None:
    """The repository a deployment's reference names, when its text shows one; for a fresh
    generator call, the one the generator's result names with the call's arguments
    (`generate_image_name("shop-worker")`)."""
    value = sink.value
    if value.kind == FIXED:
        return _repository_of(value.text, True)
    if value.kind == COMPUTED:
        return _repository_of(value.prefix, False)
    if value.kind == FRESH and sink.function is not None:
        node = sink.node
        if isinstance(node, cst.Name):
            node = assigned_value(sink.function, node) or node
        return _generated_repository(flow, node, sink.function)
    return None


def _generated_repository(flow: Flow, node: cst.CSTNode, function: Function) -> str | None:
    if not isinstance(node, cst.Call):
        return None
    generator = flow.project.resolve(node, function.module)
    if generator is None:
        return None
    arguments = _arguments(flow, node, generator, function)
    for result in generator.results:
        found = _text(flow, result, generator, arguments, 0)
        repo = _repository_of(*found) if found is not None else None
        if repo:
            return repo
    return None


def same_recipe(flow: Flow, producer: Function, call: cst.Call | None, caller: Function, sink: Sink) -> str | None:
    """The build's tag recipe (`f"localhost/{service}:e2e-{RUN_ID}"`), when the sink's reference
    computes the very same name again: the same text, with the call's arguments (a fixture has
    none), around the same module constants. None when anything in either is not shown to be
    the same."""
    if sink.function is None or not isinstance(sink.node, cst.BaseExpression):
        return None  # a YAML line's string: its `image:` value is no expression of its own
    arguments = _arguments(flow, call, producer, caller) if call is not None else {}
    wanted = _recipe(flow, sink.node, sink.function, {}, 0)
    if wanted is None:
        return None
    for kind, tag in flow.consumer_arguments(producer):
        if kind == "build" and _recipe(flow, tag, producer, arguments, 0) == wanted:
            shown = assigned_value(producer, tag) if isinstance(tag, cst.Name) else None
            return producer.module.code(shown or tag)
    return None


def _recipe(flow: Flow, node: cst.BaseExpression, function: Function, arguments: dict[str, str],
            depth: int) -> str | None:
    """A reference's text with each module constant it reads as a placeholder, or None."""
    if depth > 4:
        return None
    if isinstance(node, cst.Name):
        if node.value in arguments:
            return arguments[node.value]
        bound = assigned_value(function, node)
        if bound is not None:
            return _recipe(flow, bound, function, arguments, depth + 1)
        if node.value in function.params or any(b[0] == node.value for b in function.bindings):
            return None
        constants = flow.project.scopes[function.module].assignments.get(node.value, [])
        if constants:
            return "{" + function.module.file.filename + ":" + node.value + "}" if len(constants) == 1 else None
        return _imported_placeholder(flow, function, node.value)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):  # `settings.RUN_ID`
        return _imported_placeholder(flow, function, node.value.value, node.attr.value)
    if isinstance(node, cst.Call):  # `image_ref("shop-api")`: the tag maker's result with these arguments
        maker = flow.project.resolve(node, function.module)
        if maker is None or maker is function or len(maker.results) != 1:
            return None
        return _recipe(flow, maker.results[0], maker, _arguments(flow, node, maker, function, arguments), depth + 1)
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
                continue
            if not isinstance(part, cst.FormattedStringExpression) or part.format_spec or part.conversion:
                return None
            inner = _recipe(flow, part.expression, function, arguments, depth + 1)
            if inner is None:
                return None
            text += inner
        return text
    value = flow.value(node, function.module, function, plain=True)
    return value.text if value.kind == FIXED else None


def _imported_placeholder(flow: Flow, function: Function, name: str, attribute: str = "") -> str | None:
    """`{settings.py:RUN_ID}` for a name imported from a linted module (`from settings import
    RUN_ID`, or `settings.RUN_ID` after `import settings`): every module that imports it gets
    the one object that module bound, so two recipes that read it read the same value,
    whatever it is (a `uuid4()` made once)."""
    binding = flow.project.imports[function.module].get(name)
    if binding is None or bool(binding.name) == bool(attribute):
        return None
    path = module_file(function.module.file.filename, binding.module, binding.level, flow.project.known)
    return "{" + path + ":" + (binding.name or attribute) + "}" if path is not None else None


def same_repository(first: str, second: str) -> bool:
    return first == second or first.endswith("/" + second) or second.endswith("/" + first)


def shown_to_build(flow: Flow, built: frozenset[str], sink: Sink, call: cst.CSTNode | None = None) -> bool:
    """Is a build of `built` shown to make the sink's repository? A parameter is, when the
    dropped call builds from it (`build(name)` beside `image: {name}`); a reference whose text
    shows no repository (a generator the linted code does not define) is given the benefit."""
    if sink.value.kind == PARAM:
        return isinstance(call, cst.Call) and any(
            isinstance(a.value, cst.Name) and a.value.value == sink.value.text for a in call.args
        )
    repo = reference_repository(flow, sink)
    return repo is None or any(same_repository(repo, b) for b in built)


def builds_for(flow: Flow, built: frozenset[str], sink: Sink) -> bool:
    """May the name of a build that tags `built` stand in for the sink's reference? Yes when it
    tags the sink's repository, or when the reference shows none (a parameter, a generator
    call). A local image is another service's unless the build is shown to make it; a registry
    image no build here makes is the stale stand-in of a build in reach when their repositories
    share a word (`daskdev/dask:latest` beside a dropped `dask-kubernetes:dev`), and never when
    they share none (a `curlimages/curl` probe beside a build of `shop-api`). A build whose
    repository is unknown may stand in for any reference no other build of the linted code
    makes, except a public utility image (`busybox`, `curlimages/curl`) a test runs as a probe."""
    repo = reference_repository(flow, sink)
    if repo is None:
        return True
    if any(same_repository(repo, b) for b in built):
        return True
    claimed = any(same_repository(repo, b) for b in flow.built_repositories)
    if claimed or _utility_image(repo):
        return False
    if built:
        local = flow.is_local_image(sink.value.text if sink.value.kind == FIXED else sink.value.prefix)
        return not local and any(_related(repo, b) for b in built)
    return True


# words that say where an image lives or what stage it is for, not what it is
_GENERIC_WORDS = frozenset({"localhost", "docker", "io", "library", "ghcr", "quay", "gcr", "registry", "image",
                            "images", "e2e", "test", "tests", "dev", "latest", "local", "kind"})
# public images a test runs beside the service it tests (a probe pod, a client): never a build's
_UTILITY_IMAGES = frozenset({"busybox", "curl", "alpine", "netshoot", "kubectl", "pause", "wget", "toolbox",
                             "dnsutils", "ubuntu", "debian"})


def _words(repo: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", repo.lower()) if w and w not in _GENERIC_WORDS and not w.isdigit()}


def _related(repo: str, built: str) -> bool:
    """Does a registry image share a word with a build's repository (`daskdev/dask` with
    `dask-kubernetes`)? One that shares none (`curlimages/curl` beside `shop-api`) is another
    image the test runs, not the stale copy of the build."""
    return bool(_words(repo) & _words(built))


def _utility_image(repo: str) -> bool:
    return repo.rsplit("/", 1)[-1].lower() in _UTILITY_IMAGES


# calls that give a new value each time: a name made from one is never the one a build used
FRESH_CALLS = {"uuid1", "uuid4", "time", "time_ns", "monotonic", "now", "utcnow", "token_hex", "token_urlsafe",
               "randint", "randrange", "choice", "choices", "random", "getrandbits", "urandom"}


def freshly_computed(flow: Flow, sink: Sink) -> bool:
    """A reference made at the deploy from a call that gives a new value each time
    (`f"app:e2e-{uuid4().hex}"`, a name generator): a name no build used, whatever the build
    next to it made. (A call such as `version()` may give the build's own tag again.)"""
    if sink.value.kind == FRESH:
        return True
    if sink.value.kind != COMPUTED or sink.function is None:
        return False
    return _has_call(flow, sink.node, sink.function, 0)


def fresh_expression(flow: Flow, node: cst.BaseExpression, function: Function) -> bool:
    """Is an expression a name made from a call that gives a new value each time?"""
    value = flow.value(node, function.module, function, plain=True)
    return value.kind == FRESH or (value.kind in (COMPUTED, OPAQUE) and _has_call(flow, node, function, 0))


def _has_call(flow: Flow, node: cst.CSTNode, function: Function, depth: int) -> bool:
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, cst.Call):
            name = callee_name(current)
            if name in FRESH_CALLS or (name and flow.generators.search(name)):
                return True
            target = flow.project.resolve(current, function.module)
            if target is not None and target is not function and flow.makes_fresh_names(target):
                return True  # a helper of the linted code that makes a new name each call
        if isinstance(current, cst.Name) and depth < 3:
            bound = assigned_value(function, current)
            if bound is not None and _has_call(flow, bound, function, depth + 1):
                return True
        todo.extend(current.children)
    return False


def assigned_value(function: Function, name: cst.Name) -> cst.BaseExpression | None:
    """The value of the plain assignment to the name that reaches it in the function, when it
    is the only one that may (not one of an `if` and its `else`)."""
    found = definitions_at(name, function)
    if found is None or len(found) != 1 or isinstance(found[0], int):
        return None
    target, statement = found[0]
    if isinstance(statement, cst.Assign) and statement.targets[0].target is target:
        return statement.value
    return None


def built_right_here(flow: Flow, function: Function, sink: Sink) -> bool:
    """Is the sink, in the function itself, fixed text that a build run for it tags before it,
    a build that gives its image several names: a build of the function, of a function it
    calls, or of a fixture it requests (and theirs, down to MAX_DEPTH)? Every tag of one build
    names the image built (`-t localhost/app:{tag} -t localhost/app:latest`), so deploying
    `localhost/app:latest` there deploys what was built. (A build of one fixed tag is no such
    alias: its name is the one the producer returns, and a copy of it is the drop's warning.)"""
    if sink.function is not function or sink.value.kind != FIXED:
        return False
    wanted = sink.value.text.removeprefix("localhost/")
    tagged = [b for b in flow.builds if b.several and b.tag and b.tag.removeprefix("localhost/") == wanted]
    if not tagged:
        return False
    reach = run_for(flow, function, sink)
    if _unloaded(flow, reach, wanted):
        return False  # built, but visibly not the name loaded into the cluster
    return built_for(flow, function, sink, tagged, reach)


def visibly_unloaded(flow: Flow, sink: Sink) -> bool:
    """Do the functions run for the sink (its own before it, those it calls, the fixtures it
    requests) load images into the cluster, each one shown to be another name than its fixed
    text? Then that name, even one a build gives the image (`-t {fresh} -t localhost/app:latest`,
    loading `{fresh}`), never reaches the nodes. A load of a parameter or of an unknown value
    may be that name, and shows nothing."""
    if sink.function is None or sink.value.kind != FIXED:
        return False
    wanted = sink.value.text.removeprefix("localhost/")
    loads = [(f, e) for f in run_for(flow, sink.function, sink) for kind, e in flow.consumer_arguments(f) if kind == "load"]
    return bool(loads) and all(_another_name(flow, e, f, wanted) for f, e in loads)


def _another_name(flow: Flow, loaded: cst.BaseExpression, function: Function, wanted: str) -> bool:
    """Is the loaded name shown not to be `wanted` (without a `localhost/` prefix)? Fixed text
    that differs, a name computed from a literal head that `wanted` does not start with, or a
    name made afresh (`f"localhost/app:{uuid4().hex[:8]}"`)."""
    value = flow.value(loaded, function.module, function, plain=True)
    if value.kind == FIXED:
        return value.text.removeprefix("localhost/") != wanted
    if value.kind == COMPUTED and value.prefix and not wanted.startswith(value.prefix.removeprefix("localhost/")):
        return True
    return fresh_expression(flow, loaded, function)


def _unloaded(flow: Flow, reach: set[Function], wanted: str) -> bool:
    loads = [flow.value(e, f.module, f, plain=True) for f in reach for kind, e in flow.consumer_arguments(f) if kind == "load"]
    return bool(loads) and not any(v.kind == FIXED and v.text.removeprefix("localhost/") == wanted for v in loads)


def built_for(flow: Flow, function: Function, sink: Sink, builds: list[BuildSite], reach: set[Function] | None = None) -> bool:
    """Does one of the builds run for the sink: in the function before it, or in a function it
    calls before it or a fixture it requests (and theirs, down to MAX_DEPTH)?"""
    line = function.module.line(sink.node)
    owners = {_owner(f) for f in (reach if reach is not None else run_for(flow, function, sink))}
    own = _owner(function)
    return any(b.owner in owners and (b.owner != own or int(b.where.rsplit(":", 1)[1]) <= line) for b in builds)


def _owner(function: Function) -> str:
    return f"{function.module.file.filename}:{function.name}"


def run_for(flow: Flow, function: Function, sink: Sink) -> set[Function]:
    """The function, what it calls before the sink and the fixtures it requests, and what those
    call and request in turn."""
    found = {function}
    frontier = [function]
    for _ in range(MAX_DEPTH):
        reached = []
        for runner in frontier:
            calls = [c for c in runner.calls if runner is not function or runner.module.start(c) < sink.start]
            targets = [flow.project.resolve(c, runner.module) for c in calls]
            names = [*runner.params, *(name for name, _ in runner.usefixtures)]
            targets += [flow.project.fixture_for(name, runner) for name in names]
            reached += [t for t in targets if t is not None and t not in found]
            found.update(reached)
        frontier = reached
    return found
