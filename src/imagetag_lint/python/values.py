"""Abstract values of image references in Python, and the command lists that build or load."""

from __future__ import annotations

import re

import libcst as cst

from imagetag_lint.images import repository  # noqa: F401 - the front-end's modules import it from here
from imagetag_lint.python.syntax import callee_name, dotted, positional, string_value
from imagetag_lint.record import record

FIXED = "fixed"  # known text: a literal, a constant, an f-string of literals
BUILT = "built"  # the name a build or a producer returned
FRESH = "fresh"  # a generator call: every call a new name
PARAM = "param"  # a parameter of the function
COMPUTED = "computed"  # formatted from parts that are not all known
OPAQUE = "opaque"  # attributes, unknown calls: never a finding on its own
ENV = "env"  # from the environment (`os.environ`, `getenv`): never a finding, even in a format
SDK_IMAGE = "sdk-image"  # the docker SDK's Image object (its .tags hold the built name)

SUBPROCESS_CALLS = {"run", "check_call", "check_output", "call", "Popen", "getoutput", "check"}
ENVIRONMENT = {"os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault"}


@record(frozen=True)
class Value:
    """What an expression evaluates to, as far as image names go."""

    kind: str
    text: str = ""  # FIXED: the text; BUILT: the producer; FRESH: the generator; PARAM: its name
    how: str = ""  # how a FIXED value was written (for messages)
    prefix: str = ""  # the leading literal text of a COMPUTED value (`app:` in f"app:{tag}")


OPAQUE_VALUE = Value(OPAQUE)
ENV_VALUE = Value(ENV)
SILENT = (BUILT, OPAQUE, ENV)  # values a deployment may receive without a finding


def combine(parts: list[Value], how: str) -> Value:
    """The value of a concatenation or format of parts: unknown parts beside literal text make
    a name computed here (`f"app:{uuid4()}"`); the environment anywhere makes it opaque."""
    if any(p.kind == ENV for p in parts):
        return ENV_VALUE
    if not any(p.kind == FIXED and p.text for p in parts) and any(p.kind == OPAQUE for p in parts):
        return OPAQUE_VALUE
    if all(p.kind == FIXED for p in parts):
        return Value(FIXED, "".join(p.text for p in parts), how)
    prefix = ""
    for part in parts:
        if part.kind != FIXED:
            break
        prefix += part.text
    return Value(COMPUTED, prefix=prefix)


def command_words(call: cst.Call) -> list[cst.BaseExpression] | None:
    """The argument list of `subprocess.run([...])`-style calls, or None."""
    if callee_name(call) not in SUBPROCESS_CALLS:
        return None
    args = positional(call)
    first = args[0] if args else None
    if first is None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "args":
                first = arg.value
    if isinstance(first, (cst.List, cst.Tuple)):
        return [e.value for e in first.elements if isinstance(e, cst.Element)]
    return None


def command_image(words: list[cst.BaseExpression]) -> tuple[str, cst.BaseExpression] | None:
    """("build" | "load" | "apply", the image or manifest word) of a docker/kind/kubectl command."""
    texts = [string_value(w) for w in words]
    program = (texts[0] or "").rsplit("/", 1)[-1] if texts else ""
    if program in ("docker", "podman") and "build" in texts:
        for index, text in enumerate(texts[:-1]):
            if text in ("-t", "--tag"):
                return "build", words[index + 1]
        return None
    loaders = {("kind", "load", "docker-image"), ("k3d", "image", "import"), ("minikube", "image", "load")}
    if program in ("kind", "k3d", "minikube") and len(texts) >= 4 and tuple(texts[:3]) in loaders:
        for word, text in zip(words[3:], texts[3:]):
            if text is None or not text.startswith("-"):
                return "load", word
    if program == "kubectl" and len(texts) > 1 and texts[1] in ("apply", "create", "replace"):
        return "apply", words[0]
    return None


def is_sdk_build(call: cst.Call) -> bool:
    """docker SDK: `client.images.build(path=..., tag=...)`, which returns (Image, logs)."""
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "build"
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value == "images"
    )


def is_environment(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Call):
        return dotted(node.func) in ENVIRONMENT
    if isinstance(node, cst.Subscript):
        return dotted(node.value) in ("os.environ", "environ")
    return False


# `create_namespaced_pod`, `apply`, `patch_namespaced_deployment` (not `str.replace`, `mock.patch`)
_DEPLOY_CALL = re.compile(r"^(?:create|apply)(?:_\w+)?$|^(?:patch|replace)_\w+$")
_DEPLOY_FUNCTIONS = {"create_from_yaml", "create_from_dict", "create_from_directory"}


def is_deploy_call(call: cst.Call) -> bool:
    """A call that sends a manifest to the cluster: a client's create/apply/patch, kubectl apply."""
    words = command_words(call)
    if words is not None:
        found = command_image(words)
        return found is not None and found[0] == "apply"
    name = callee_name(call)
    if name in _DEPLOY_FUNCTIONS:
        return True
    return isinstance(call.func, cst.Attribute) and bool(_DEPLOY_CALL.match(name))
