"""Which deploy call goes with which build, when a function builds and deploys several images."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from imagetag_lint.analysis.deployments import DeployCall
from imagetag_lint.analysis.image_flow import ImageFlowIndex
from imagetag_lint.engine import returned_builds
from imagetag_lint.engine.values import closure_arguments
from imagetag_lint.golang.model import Function, Param, SourceFile
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import (
    FUNCTION_TYPES,
    arguments,
    assigned_value,
    enclosing,
    parent,
    string_value,
    unparen,
)


def build_name_of(
    index: ImageFlowIndex,
    call: Node,
    file: SourceFile,
    function: Function | None,
    bound: dict[str, str] | None = None,
    depth: int = 0,
) -> str | None:
    """The image name a builder call's config names (`ImageName: "acme/datastorage"`), or the one
    the builder makes from a field the config gives (`ServiceName: "cart"` into a generator that
    makes `localhost/shop-cart:<tag>` names the repository `localhost/shop-cart`), or the one a
    wrapper's build makes of the caller's arguments (`BuildService("ledger", w)` whose config is
    `ServiceName: service`). `bound` holds the fixed text the caller gives the parameters of
    `function` when it is such a wrapper."""
    fields = set(index.flow.build_name_fields)
    configs: list[tuple[int, dict[str, Node]]] = []
    named: str | None = None
    for position, arg in enumerate(arguments(call)):
        literal = _composite(index, unparen(arg), function)
        if literal is None:
            continue
        keyed = _keyed(literal)
        for name, value in keyed.items():
            if name in fields:
                named = _text(index, value.named_children[0], file, function, bound) if value.named_child_count else None
                if named is None:
                    return None
                configs = [(position, {name: value})]  # what the builder makes of this field alone
                break
        if named is not None:
            break
        configs.append((position, keyed))
    made = _made_by_builder(index, call, file, function, configs, bound) if configs else None
    if named is None:
        return made if made is not None else _through_wrapper(index, call, file, function, bound, depth)
    # the builder's generator may turn the name into another repository (`ImageName: "notifier"`
    # into `localhost/shop-notifier`); a registry prefix alone leaves it the name the config gives
    if made is not None and made != named and not made.endswith("/" + named) and not made.endswith("/" + named.split(":", 1)[0]):
        return made
    return named


def config_tag(index: ImageFlowIndex, call: Node, function: Function | None) -> Node | None:
    """The value a builder call's config gives its tag field (`Tag: tc.tag`), when it is one the
    caller can read again: fixed text, or a variable or field the deployment can read too. An
    empty or missing tag leaves the builder to choose one, and a call made in the config (`Tag:
    newTag()`) is a value nothing else holds."""
    fields = set(index.flow.build_tag_fields)
    for arg in arguments(call):
        literal = _composite(index, unparen(arg), function)
        for name, value in _keyed(literal).items() if literal is not None else ():
            given = unparen(value.named_children[0]) if name in fields and value.named_child_count else None
            if given is not None and given.type in ("identifier", "selector_expression", "interpreted_string_literal", "raw_string_literal"):
                return None if string_value(given) == "" else given
    return None


def with_config_tag(index: ImageFlowIndex, call: Node, function: Function | None, name: str | None) -> str | None:
    """The build's name with the fixed tag its config gives (`ImageName: "app", Tag: "v1"` builds
    `app:v1`); the name as it is when it has a tag of its own or the config gives none as text."""
    last = name.rsplit("/", 1)[-1] if name is not None else ":"
    tag = config_tag(index, call, function) if ":" not in last and "@" not in last else None
    fixed = string_value(tag) if tag is not None else None
    return f"{name}:{fixed}" if fixed else name


def _through_wrapper(
    index: ImageFlowIndex, call: Node, file: SourceFile, function: Function | None, bound: dict[str, str] | None, depth: int
) -> str | None:
    """The name a wrapper's own build call makes when the wrapper's parameters hold the fixed text
    the caller passes: the same answer as a direct call of the builder with that text."""
    ref = index.producer(call, file)
    target = ref.wrapper if ref is not None else None
    if target is None or target.body is None or depth >= 3:  # a chain of wrappers is short; a cycle is not
        return None
    args = arguments(call)
    given = {}
    for param in target.params:
        value = _text(index, args[param.index], file, function, bound) if param.index < len(args) else None
        if value is not None:
            given[param.name] = value
    builds = [inner for inner in index.calls_in(target) if inner is not call and index.producer(inner, target.file) is not None]
    if not builds:  # a hand-written helper that returns the tag it builds: the name that tag has
        return returned_builds.made_name(index, target, lambda node: _text(index, node, target.file, target, given or None))
    names = {build_name_of(index, inner, target.file, target, given or None, depth + 1) for inner in builds}
    if len(names) != 1:  # two builds in the wrapper: which one is returned is not known
        return None
    # the name the caller's arguments make, or the one the wrapper names itself (`buildAPI(w)`
    # building `ImageName: "shop-api"`, a closure that ignores its argument): never a guess
    return names.pop()


def _text(index: ImageFlowIndex, node: Node, file: SourceFile, function: Function | None, bound: dict[str, str] | None) -> str | None:
    """The fixed text of node, where a parameter the wrapper never reassigns holds what its caller
    passes, and a local closure's parameter what every call of the closure passes
    (`build("shop-refunds")`); `bound` may also hold what one call of such a closure passes."""
    node = unparen(node)
    name = text(node) if node.type == "identifier" else ""
    passed = closure_arguments(node, function) if name and function is not None else None
    if bound and function is not None and name in bound and (function.param(name) is not None or passed is not None) \
            and index.reaching_definition(node, function) is None:
        return bound[name]
    if passed:
        given = {_text(index, arg, file, function, bound) for arg in passed}
        return given.pop() if len(given) == 1 else None
    return index.fixed_text(node, file, function)


def _keyed(literal: Node) -> dict[str, Node]:
    """The keyed elements of a composite literal, by key."""
    body = literal.child_by_field_name("body")
    found = {}
    for element in body.named_children if body is not None else []:
        key = element.child_by_field_name("key")
        value = element.child_by_field_name("value")
        if element.type == "keyed_element" and key is not None and value is not None:
            found[text(key)] = value
    return found


def _made_by_builder(
    index: ImageFlowIndex,
    call: Node,
    file: SourceFile,
    function: Function | None,
    configs: list[tuple[int, dict[str, Node]]],
    bound: dict[str, str] | None,
) -> str | None:
    """The reference a builder of the linted code makes when its only name is a generator call on
    a config field (`GenerateImageName(cfg.ServiceName)`) and the caller's config gives that field
    as fixed text, in the builder or in a function the builder hands the config, a field of it or
    a config made of them to (`BuildAndLoadImageToKind` calling `BuildImageForKind(cfg, w)`). A
    tag the generator computes as it runs is left out: the repository is known."""
    given = _Passed(
        [(position, _config_texts(keyed, lambda n: _text(index, n, file, function, bound))) for position, keyed in configs],
        {},
    )
    for target in index.project.resolve_call(call, file):
        made = _made_in(index, target, given, 0)
        if len(made) == 1 and (reference := made.pop()) is not None:
            return without_made_tag(reference)
        return None
    return None


class _Passed(NamedTuple):
    """What a builder's parameters hold, by position: a config's fields as fixed text, or fixed
    text (a field of a config handed on alone)."""

    configs: list[tuple[int, dict[str, str]]]
    texts: dict[int, str]


def _config_texts(keyed: dict[str, Node], read: Callable[[Node], str | None]) -> dict[str, str]:
    """The fields of a config literal whose value is fixed text, as that text."""
    found = {}
    for name, value in keyed.items():
        fixed = read(value.named_children[0]) if value.named_child_count else None
        if fixed is not None:
            found[name] = fixed
    return found


def _made_in(index: ImageFlowIndex, target: Function, passed: _Passed, depth: int) -> set[str | None]:
    """The references the generator calls in target (and in the functions it hands the config to)
    make of what its parameters hold."""
    from imagetag_lint.engine.locality import generated_reference

    made: set[str | None] = set()
    for inner in index.calls_in(target) if target.body is not None else []:
        if index.is_generator(inner):
            given = [_held(index, arg, target, passed) for arg in arguments(inner)]
            if any(value is not None for value in given):
                made.add(generated_reference(index, inner, target.file, given))
            continue
        handed = _handed_on(index, inner, target, passed)
        if depth >= 3 or handed is None:  # a chain of builders is short; a cycle is not
            continue
        for nested in index.project.resolve_call(inner, target.file)[:1]:
            made |= _made_in(index, nested, handed, depth + 1)
    return made


def _held(index: ImageFlowIndex, node: Node, target: Function, passed: _Passed) -> str | None:
    """The fixed text an expression of the builder holds of what its caller passed: a field of the
    config (`cfg.ServiceName`), or a parameter that holds fixed text."""
    node = unparen(node)
    if node.type == "selector_expression":
        operand, field = node.child_by_field_name("operand"), node.child_by_field_name("field")
        param = _unchanged_param(index, operand, target) if operand is not None else None
        if param is None or field is None:
            return None
        return next((keyed.get(text(field)) for position, keyed in passed.configs if position == param.index), None)
    param = _unchanged_param(index, node, target)
    return passed.texts.get(param.index) if param is not None else None


def _handed_on(index: ImageFlowIndex, call: Node, target: Function, passed: _Passed) -> _Passed | None:
    """What a call in the builder hands the function it calls: the config itself (`cfg`), one of
    its fields (`cfg.ServiceName`), a parameter that holds fixed text, or a config literal made
    of them (`ImageBuildConfig{ServiceName: cfg.ServiceName}`)."""
    configs: list[tuple[int, dict[str, str]]] = []
    texts: dict[int, str] = {}
    positions = dict(passed.configs)
    for position, arg in enumerate(arguments(call)):
        arg = unparen(arg)
        param = _unchanged_param(index, arg, target)
        literal = _composite(index, arg, target)
        if param is not None and param.index in positions:
            configs.append((position, positions[param.index]))
        elif literal is not None:
            keyed = _config_texts(
                _keyed(literal), lambda n: _held(index, n, target, passed) or index.fixed_text(n, target.file, target)
            )
            if keyed:
                configs.append((position, keyed))
        elif (held := _held(index, arg, target, passed)) is not None:
            texts[position] = held
    return _Passed(configs, texts) if configs or texts else None


def _unchanged_param(index: ImageFlowIndex, node: Node, target: Function) -> Param | None:
    """The parameter an identifier names, where the function never assigns it before."""
    if node.type != "identifier":
        return None
    param = target.param(text(node))
    if param is None or index.reaching_definition(node, target) is not None:
        return None
    return param


def without_made_tag(reference: str) -> str:
    """The repository alone when the generator computes any part of the tag as it runs
    (`localhost/shop-auth:e2e-<tag>`): a fixed prefix does not make the tag one a deployment can
    repeat."""
    repository, colon, tag = reference.rpartition(":")
    if colon and "/" not in tag and "<tag>" in tag:
        return repository
    return reference


def _composite(index: ImageFlowIndex, node: Node, function: Function | None) -> Node | None:
    for _ in range(4):
        if node.type == "composite_literal":
            return node
        if node.type == "unary_expression":
            operand = node.child_by_field_name("operand")
            if operand is None:
                return None
            node = unparen(operand)
        elif node.type == "identifier" and function is not None:
            definition = index.reaching_definition(node, function)
            value = assigned_value(*definition) if definition is not None else None
            if value is None:
                return None
            node = value
        else:
            return None
    return None


def _norm(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def pair(build_name: str | None, position: int, deploys: list[DeployCall], build: Node, builds: int = 1,
         others: Sequence[str] = ()) -> DeployCall | None:
    """The deploy call for the build at `position` among the function's `builds` dropped builds.

    Only a deploy call after the build can use its name. When the build names its image, a deploy
    helper that hardcodes an image of another service is never paired with it: passing the name
    there would deploy the wrong service. Without a name to match, a build is paired by position
    only when the function has as many deploy calls as dropped builds (or one build and one deploy
    function, called once or more): no pairing beats a wrong one. A deploy call that names the
    service another dropped build makes (`others`) is that build's: a build without a name gets
    one only when it is the only such build and one deploy function is left for it.
    """
    deploys = [d for d in deploys if d.call.start_byte >= build.end_byte]
    if not build_name and others:
        claimed = {id(d) for d in deploys if any(_matches(other, d) for other in others)}
        if claimed:
            left = [d for d in deploys if id(d) not in claimed]
            alone = builds - len(others) == 1 and len({id(d.target) for d in left}) == 1
            return left[0] if alone else None
    if build_name:
        candidates = [d for d in deploys if not d.images() or (_matches(build_name, d) and not _another_service(build_name, d))]
        named = [d for d in candidates if _matches(build_name, d)]
        if named:  # the deployment of that very repository first, then one that names the service
            return next((d for d in named if any(same_service_image(build_name, i) for i in d.images())), named[0])
        deploys = candidates
    if not deploys:
        return None
    if builds == 1 and len({id(d.target) for d in deploys}) == 1:
        return deploys[0]  # one build, and one deploy function called after it (perhaps again and again)
    if len(deploys) != builds:
        return None
    if builds > 1:
        decided, worded = _named_by_a_word(build, deploys)
        if decided:
            return worded  # the service a word of the call names; none when its words disagree
    return deploys[position] if position < len(deploys) else None


def _named_by_a_word(build: Node, deploys: list[DeployCall]) -> tuple[bool, DeployCall | None]:
    """(do words of the build call's literal arguments name deploy calls alone, the one they
    name): `build("shop", "web")` and `localhost/shop-web:e2e` beside `localhost/shop-api:e2e`;
    (True, None) when such words name different deploy calls; (False, None) when no word names
    one alone (then position decides)."""
    words = {_norm(v) for a in arguments(build) if (v := string_value(a)) is not None and len(_norm(v)) >= 2}
    found: dict[int, DeployCall] = {}
    for word in words:
        named = [d for d in deploys if any(word in _image_words(i) for i in d.images())]
        if len(named) == 1:
            found[id(named[0])] = named[0]
    if not found:
        return False, None
    return True, next(iter(found.values())) if len(found) == 1 else None


def _image_words(image: str) -> set[str]:
    """The words of a reference's repository (`localhost/shop-web:e2e` -> localhost, shop, web, shopweb)."""
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    parts = [_norm(p) for p in re.split(r"[-_./]", repository) if p]
    last = repository.rsplit("/", 1)[-1]
    return {*parts, _norm(last)}


def _matches(build_name: str, deploy: DeployCall) -> bool:
    """Does the deploy helper's name or fixed image mention the built service?"""
    names = [_norm(deploy.target.name)] + [_norm(image) for image in deploy.images()]
    return any(key in name for key in _service_keys(build_name) for name in names)


def same_service_image(build_name: str, image: str) -> bool:
    """Is image a reference to the repository the build makes (its last path segment is the
    service, whatever the registry and tag)?"""
    return _norm(_last_segment(image)) in _service_keys(build_name)


def _another_service(build_name: str, deploy: DeployCall) -> bool:
    """Are the deploy helper's fixed images all of services whose names only begin with the
    built one (`shop-api-migrations`, `shop-api-worker` beside a build of `shop-api`)? Those are
    other images: the build's name must never go there."""
    images = deploy.images()
    return bool(images) and all(_extends(build_name, image) for image in images)


def _extends(build_name: str, image: str) -> bool:
    built, other = _words(_last_segment(build_name)), _words(_last_segment(image))
    return len(other) > len(built) > 0 and other[: len(built)] == built


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def _last_segment(image: str) -> str:
    """The repository's last path segment, without tag or digest."""
    last = image.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def names_service(build_name: str, text: str) -> bool:
    """Does text (an image, a function name) mention the service that build_name builds? An image
    of a service whose name only begins with the built one (`shop-api-worker`) does not."""
    return any(key in _norm(text) for key in _service_keys(build_name)) and not _extends(build_name, text)


def _service_keys(build_name: str) -> list[str]:
    """`acme/kubernaut-holmesgpt-api` -> kubernautholmesgptapi, holmesgptapi (not just `api`)."""
    last = build_name.rsplit("/", 1)[-1].split(":", 1)[0]  # the tag names no service
    words = [w for w in re.split(r"[^a-z0-9]+", last.lower()) if w]
    keys = ["".join(words)] if words else []  # the whole name counts whatever its length
    for size in range(len(words) - 1, 0, -1):
        key = "".join(words[-size:])
        if len(key) >= 4:
            keys.append(key)
    return keys


def in_goroutine(call: Node) -> bool:
    """Does the call run in another goroutine (`go F()` or inside `go func() { ... }()`)?"""
    holder = parent(call)
    if holder is not None and holder.type == "go_statement":
        return True
    function = enclosing(call, FUNCTION_TYPES)
    while function is not None and function.type == "func_literal":
        invocation = parent(function)
        if invocation is not None and invocation.type == "call_expression":
            statement = parent(invocation)
            if statement is not None and statement.type == "go_statement":
                return True
        function = enclosing(function, FUNCTION_TYPES)
    return False
