"""Abstract values of image references in Python, and the command lists that build or load."""

from __future__ import annotations

import re

import libcst as cst

from imagetag_lint.images import repository  # noqa: F401 - the front-end's modules import it from here
from imagetag_lint.python.syntax import (
    callee_name,
    dotted,
    keyword,
    positional,
    string_value,
)
from imagetag_lint.record import record
from imagetag_lint.shell import KUBECTL_READING_VERBS, unquoted

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
    text: str = ""  # FIXED: the text; BUILT: the producer; FRESH: the generator; PARAM: its name;
    # ENV: COMPOSED when the name is formatted here with other parts
    how: str = ""  # how a FIXED value was written (for messages)
    prefix: str = ""  # the leading literal text of a COMPUTED value (`app:` in f"app:{tag}")


OPAQUE_VALUE = Value(OPAQUE)
ENV_VALUE = Value(ENV)
COMPOSED = "composed"
# `f"localhost/app:e2e-{RUN_ID}"` with `RUN_ID` from the environment: a name made here, not the
# environment's name reused, though still never a finding
ENV_COMPOSED = Value(ENV, COMPOSED)
SILENT = (BUILT, OPAQUE, ENV)  # values a deployment may receive without a finding


def combine(parts: list[Value], how: str) -> Value:
    """The value of a concatenation or format of parts: unknown parts beside literal text make
    a name computed here (`f"app:{uuid4()}"`); the environment anywhere makes it an environment
    value, one composed here when other parts stand beside it."""
    if any(p.kind == ENV for p in parts):
        # a part composed already (`REGISTRY + "/app:e2e-"` of `REGISTRY + "/app:e2e-" + RUN_ID`)
        # keeps the whole composed
        others = [p for p in parts if p == ENV_COMPOSED or (p.kind != ENV and (p.kind != FIXED or p.text))]
        return ENV_COMPOSED if others else ENV_VALUE
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


def handed_in(value: Value) -> bool:
    """Is the value a name the function is handed whole (a parameter's, or the environment's),
    which a build of it reuses, not one it composes itself?"""
    return value.kind == PARAM or value == ENV_VALUE


FINDINGS = (FIXED, FRESH, COMPUTED)  # values a deployment is reported for


def join(values: list[Value]) -> Value:
    """The value of a variable that several assignments may have set (`image = "localhost/app:e2e"`,
    then `if rebuild: image = build("app")`), in source order. The environment anywhere makes it
    opaque, as in a format; a parameter among them keeps it the caller's (a default filled in
    when the caller passes none); a build's name among them is no fixed text. Only when every
    way gives a reported value is it one: the same text, else the last one assigned."""
    if len(values) == 1:
        return values[0]
    for kind in (ENV, PARAM, BUILT):
        found = next((v for v in values if v.kind == kind), None)
        if found is not None:
            return found
    if any(v.kind not in FINDINGS for v in values):
        return OPAQUE_VALUE
    last = values[-1]
    other = next((v for v in reversed(values) if v.kind == FIXED and v.text != last.text), None)
    if last.kind != FIXED or other is None:
        return last
    return Value(FIXED, last.text, f"{last.how}; another way here gives `{other.text}`", last.prefix)


# a command word: its text if known, its expression if it is one alone, and the literal text
# before its first expression (`localhost/api:` of `localhost/api:{tag}`)
Word = tuple[str | None, cst.BaseExpression | None, str]
SHELL_CALLS = {"system", "getoutput", "getstatusoutput"}  # `os.system`, `subprocess.getoutput`: a shell line
# asyncio's runners: `create_subprocess_exec("docker", "build", ...)` takes the words as its
# arguments, `create_subprocess_shell(line)` a shell line
SPREAD_CALLS = {"create_subprocess_exec"}
ASYNC_SHELL_CALLS = {"create_subprocess_shell"}


def command_words(call: cst.Call) -> list[Word] | None:
    """The words of `subprocess.run([...])`-style calls, or None. A shell line
    (`subprocess.run(f"docker build -t {tag} .", shell=True)`, `os.system(...)`, a list made by
    `shlex.split(...)`, or the line a list hands to `sh -c`) gives its words too: a word that
    is one expression alone (`{tag}`, `" + tag + "`, `{}` of `.format(tag)`) keeps that
    expression. A tag flag and its value in one word (`--tag=...`, `-t=...`, `-t...`) are two."""
    name = callee_name(call)
    if name in SPREAD_CALLS:
        return spread_words(call)
    if name not in SUBPROCESS_CALLS and name not in SHELL_CALLS and name not in ASYNC_SHELL_CALLS:
        return None
    args = positional(call)
    first = args[0] if args else keyword(call, "args")
    if isinstance(first, (cst.List, cst.Tuple)):
        return list_words([e.value for e in first.elements if isinstance(e, cst.Element)])
    if isinstance(first, cst.Call) and dotted(first.func) in ("shlex.split", "split") and positional(first):
        return shell_words(positional(first)[0])
    shell = keyword(call, "shell")
    if first is not None and (name in SHELL_CALLS or name in ASYNC_SHELL_CALLS
                              or (isinstance(shell, cst.Name) and shell.value == "True")):
        return shell_words(first)
    return None


def spread_words(call: cst.Call) -> list[Word] | None:
    """The words of `asyncio.create_subprocess_exec("docker", "build", "-t", tag, ".")`, one an
    argument, when they are written out at the call (a starred argument hides their places)."""
    if any(arg.star for arg in call.args):
        return None
    args = positional(call)
    return list_words(args) if args else None


def list_words(elements: list[cst.BaseExpression]) -> list[Word] | None:
    """The words of a command given as a list of arguments (`["docker", "build", "-t", tag, "."]`),
    or of the line such a list hands to `sh -c`."""
    if len(elements) == 3 and string_value(elements[0]) in _SHELLS and string_value(elements[1]) == "-c":
        return shell_words(elements[2])  # `["sh", "-c", "docker build -t ... ."]`
    return [word for element in elements for word in _element_words(element)]


_SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash"})
_TAG_FLAGS = ("-t", "--tag")
_TAG_PREFIXES = ("--tag=", "-t=", "-t")  # a tag flag and its value in one word; the longest first


def _tag_prefix(text: str) -> str | None:
    """The tag flag a word begins with and holds its value after, if any (`--tags` and `--target`
    are other flags)."""
    if text.startswith("--"):
        return "--tag=" if text.startswith("--tag=") else None
    return next((p for p in _TAG_PREFIXES[1:] if text.startswith(p)), None)


def _element_words(element: cst.BaseExpression) -> list[Word]:
    """The word of one list element, or two when it joins a tag flag and its value
    (`f"--tag={tag}"`, `"--tag=" + tag`, `"-tlocalhost/api:e2e"`)."""
    word: Word = (string_value(element), element, "")
    pieces = _pieces(element, 0) if not isinstance(element, cst.Name) else None
    split = _split_tag(pieces) if pieces else None
    return split if split is not None else [word]


def _split_tag(pieces: list[str | cst.BaseExpression]) -> list[Word] | None:
    """`--tag` and the word of its value, when the pieces of one word begin with a tag flag and
    hold more after it; None otherwise."""
    head = pieces[0]
    prefix = _tag_prefix(head) if isinstance(head, str) else None
    if prefix is None or not isinstance(head, str):
        return None
    rest = [p for p in (head[len(prefix) :], *pieces[1:]) if p != ""]
    if not rest:
        return None
    return [("--tag", None, ""), _word(rest)]


def shell_words(node: cst.BaseExpression) -> list[Word] | None:
    """The words of a shell line written as a string, an f-string, a `+` of strings and names,
    or a `.format` call; None when it is none of those. A word of text and an expression
    together (`localhost/api:{tag}`) has neither a known text nor an expression of its own."""
    pieces = _pieces(node, 0)
    if pieces is None:
        return None
    words: list[Word] = []
    current: list[str | cst.BaseExpression] = []
    for piece in pieces:
        if not isinstance(piece, str):
            current.append(piece)
            continue
        for index, part in enumerate(re.split(r"(\s+)", piece)):
            if index % 2:  # whitespace ends a word
                words.extend(_split_tag(unquoted(current)) or [_word(unquoted(current))] if current else [])
                current = []
            elif part:
                current.append(part)
    words.extend(_split_tag(unquoted(current)) or [_word(unquoted(current))] if current else [])
    return [w for w in words if w != ("", None, "")]


def _word(pieces: list[str | cst.BaseExpression]) -> Word:
    if all(isinstance(p, str) for p in pieces):
        return "".join(p for p in pieces if isinstance(p, str)), None, ""
    if len(pieces) == 1 and not isinstance(pieces[0], str):
        return None, pieces[0], ""
    head = ""
    for piece in pieces:
        if not isinstance(piece, str):
            break
        head += piece
    return None, None, head


def text_pieces(node: cst.BaseExpression, plain: bool = False) -> list[str | cst.BaseExpression] | None:
    """Literal text and the expressions between it, in order, of a string, an f-string, a `+`
    or a `.format` call of a literal template (an expression alone is itself). With plain, only
    text put together around whole values: no format spec, conversion or `=` in an f-string, a
    `.format` of one `{}` (or `{0}`), a `%` of one `%s`, and a name as the expression alone."""
    return _pieces(node, 0, plain)


def _pieces(node: cst.BaseExpression, depth: int, plain: bool = False) -> list[str | cst.BaseExpression] | None:
    """Literal text and the expressions between it, in order."""
    if depth > 32:
        return None
    literal = string_value(node)
    if literal is not None:
        return [literal]
    if isinstance(node, cst.FormattedString):
        found: list[str | cst.BaseExpression] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                found.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif isinstance(part, cst.FormattedStringExpression):
                if plain and (part.format_spec or part.conversion or part.equal):
                    return None
                found.append(part.expression)
        return found
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = _pieces(node.left, depth + 1, plain), _pieces(node.right, depth + 1, plain)
        return left + right if left is not None and right is not None else None
    if plain and isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        return _percent_pieces(node)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        template = string_value(node.func.value)
        if template is None:
            return None
        args = positional(node)
        if plain:
            fields = re.findall(r"\{[^{}]*\}", template.replace("{{", "").replace("}}", ""))
            if not all(f in ("{}", "{0}") for f in fields) or not len(node.args) == len(args) == 1:
                return None
        return format_pieces(template, args)
    if isinstance(node, cst.Name) or (not plain and isinstance(node, (cst.Attribute, cst.Subscript, cst.Call))):
        return [node]
    return None


def _percent_pieces(node: cst.BinaryOperation) -> list[str | cst.BaseExpression] | None:
    """`"localhost/%s" % svc` (or `% (svc,)`): one `%s`, one value."""
    template = string_value(node.left)
    right = node.right
    if isinstance(right, cst.Tuple) and not all(isinstance(e, cst.Element) for e in right.elements):
        return None  # a starred element
    values = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
    if template is None or len(values) != 1:
        return None
    pieces = template.replace("%%", "\0").split("%s")
    if len(pieces) != 2 or any("%" in p for p in pieces):
        return None
    before, after = (p.replace("\0", "%") for p in pieces)
    return [before, values[0], after]


def format_pieces(template: str, args: list[cst.BaseExpression]) -> list[str | cst.BaseExpression] | None:
    """`"docker build -t {} .".format(tag)`: the template's text with `{}` and `{0}` filled."""
    found: list[str | cst.BaseExpression] = []
    automatic = 0
    for index, part in enumerate(re.split(r"(\{[^{}]*\})", template.replace("{{", "\0").replace("}}", "\1"))):
        if not index % 2:
            found.append(part.replace("\0", "{").replace("\1", "}"))
            continue
        field = part[1:-1].split("!", 1)[0].split(":", 1)[0]
        if field == "":
            position, automatic = automatic, automatic + 1
        elif field.isdigit():
            position = int(field)
        else:
            return None  # a keyword field: not followed
        if position >= len(args):
            return None
        found.append(args[position])
    return found


_BUILDERS = frozenset({"docker", "podman", "buildah", "nerdctl"})
_LOAD_VALUE_FLAGS = frozenset({"--name", "--nodes", "-c", "--cluster", "-p", "--profile"})  # kind, k3d, minikube


def build_tags(words: list[Word]) -> list[Word]:
    """Every word after `-t` or `--tag` in a `docker|podman|nerdctl build` (`buildx build`,
    buildah's `bud`), each a name of the image built, and the targets of `docker|podman tag SRC
    DST...`, which name the image SRC is."""
    texts = [text for text, _, _ in words]
    program = (texts[0] or "").rsplit("/", 1)[-1] if texts else ""
    if program not in _BUILDERS:
        return []
    if "build" in texts or texts[1:2] == ["bud"]:
        return [words[index + 1] for index, text in enumerate(texts[:-1]) if text in _TAG_FLAGS]
    verb = _tag_verb(texts)
    if not verb:
        return []
    names = [w for w in words[verb + 1 :] if w[0] is None or not w[0].startswith("-")]
    return names[1:]


def _tag_verb(texts: list[str | None]) -> int:
    """How many words `tag` or `image tag` take after the program, or 0 for another command."""
    return 2 if texts[1:3] == ["image", "tag"] else 1 if texts[1:2] == ["tag"] else 0


def several_names(words: list[Word]) -> bool:
    """Does the command give an image more than one name: a build with several tags, or a `tag`
    command, which adds a name to an image that has one?"""
    tags = build_tags(words)
    texts = [text for text, _, _ in words]
    return len(tags) > 1 or (bool(tags) and _tag_verb(texts) > 0)


def command_image(words: list[Word]) -> tuple[str, list[cst.BaseExpression | None]] | None:
    """("build" | "load" | "apply", the image words' expressions) of a docker/kind/kubectl
    command: every tag of a build, every image of a load; an expression is None for an image
    word that is not one expression alone (literal text inside a shell line), and the list
    is empty for "apply"."""
    texts = [text for text, _, _ in words]
    program = (texts[0] or "").rsplit("/", 1)[-1] if texts else ""
    tags = build_tags(words)
    if tags:
        return "build", [node for _, node, _ in tags]
    loaders = {("kind", "load", "docker-image"), ("k3d", "image", "import"), ("minikube", "image", "load")}
    if program in ("kind", "k3d", "minikube") and len(texts) >= 4 and tuple(texts[:3]) in loaders:
        images: list[cst.BaseExpression | None] = []
        position = 3
        while position < len(words):
            text, node, _ = words[position]
            if text is not None and text.startswith("-"):
                position += 2 if text in _LOAD_VALUE_FLAGS else 1
                continue
            images.append(node)
            position += 1
        return ("load", images) if images else None
    if program == "kubectl" and len(texts) > 1 and texts[1] in ("apply", "create", "replace"):
        return "apply", []
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
    if name in SPREAD_CALLS or name in ASYNC_SHELL_CALLS:
        return False  # asyncio's `create_subprocess_*` with words not written out: no client's `create`
    if name == "kubectl":
        return _kind_cluster_apply(call)
    if name in _DEPLOY_FUNCTIONS:
        return True
    return isinstance(call.func, cst.Attribute) and bool(_DEPLOY_CALL.match(name))


_READING_VERBS = KUBECTL_READING_VERBS | {"logs", "explain"}
_PRINTS = frozenset({"print", "debug", "info", "warning", "error", "exception", "log", "echo"})


def reads_only(call: cst.Call) -> bool:
    """A call that takes a manifest without deploying it: kubectl's delete, get, describe, wait
    or diff (through subprocess or pytest-kind's `kind_cluster.kubectl`), a print or a log line."""
    name = callee_name(call)
    if name in _PRINTS:
        return True
    words = command_words(call)
    texts = [text for text, _, _ in words] if words is not None else []
    if not texts and name == "kubectl" and isinstance(call.func, cst.Attribute):
        texts = ["kubectl", *(string_value(a) for a in positional(call)[:1])]
    program = (texts[0] or "").rsplit("/", 1)[-1] if texts else ""
    return program == "kubectl" and len(texts) > 1 and texts[1] in _READING_VERBS


def _kind_cluster_apply(call: cst.Call) -> bool:
    """pytest-kind's `kind_cluster.kubectl("apply", "-f", "-", input=MANIFEST)`: `kubectl(*args,
    **kwargs)` runs the kubectl binary with those words and hands the keywords to subprocess."""
    args = positional(call)
    return isinstance(call.func, cst.Attribute) and bool(args) and string_value(args[0]) in ("apply", "create", "replace")
