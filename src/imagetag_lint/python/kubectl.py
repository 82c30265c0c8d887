"""kubectl commands that give a workload its image without a manifest: `kubectl set image
deployment/worker worker=IMAGE`, `kubectl run worker --image=IMAGE` and `kubectl create
deployment worker --image=IMAGE`, in a subprocess argument list or through pytest-kind's
`kind_cluster.kubectl(...)`, which runs kubectl with those words."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.python.syntax import callee_name, keyword, positional, string_value
from imagetag_lint.python.values import SPREAD_CALLS, SUBPROCESS_CALLS

# flags of kubectl and of these verbs whose value is the next word (`-n shop`)
_VALUED_FLAGS = frozenset({"-n", "--namespace", "--context", "--kubeconfig", "-l", "--selector", "-c",
                           "--container", "-o", "--output", "--cluster", "--user", "-s", "--server"})

# `kubectl create KIND NAME --image=IMAGE` for these kinds
_CREATED_WITH_AN_IMAGE = frozenset({"deployment", "deploy", "job", "cronjob", "cj"})

# an image argument: the expression that holds it, and the image's literal text when it is a
# part of a word (`worker=localhost/app:e2e`, `--image=localhost/app:e2e`); None when the
# expression is the image itself
ImageArgument = tuple[cst.BaseExpression, str | None]


def kubectl_words(call: cst.Call) -> list[cst.BaseExpression] | None:
    """The words after `kubectl` of `subprocess.run(["kubectl", ...])` or `cluster.kubectl(...)`;
    None for a shell line, whose words are no expressions of their own."""
    name = callee_name(call)
    if name == "kubectl" and isinstance(call.func, cst.Attribute):
        return positional(call) if not any(a.star for a in call.args) else None
    if name in SPREAD_CALLS:  # `asyncio.create_subprocess_exec("kubectl", "run", ...)`
        words = positional(call)
        starred = any(a.star for a in call.args)
        is_kubectl = bool(words) and (string_value(words[0]) or "").rsplit("/", 1)[-1] == "kubectl"
        return words[1:] if is_kubectl and not starred else None
    if name not in SUBPROCESS_CALLS:
        return None
    args = positional(call)
    first = args[0] if args else keyword(call, "args")
    if not isinstance(first, (cst.List, cst.Tuple)) or not first.elements:
        return None
    program = first.elements[0]  # looked at first: most commands are not kubectl
    if not isinstance(program, cst.Element) or (string_value(program.value) or "").rsplit("/", 1)[-1] != "kubectl":
        return None
    if not all(isinstance(e, cst.Element) for e in first.elements):
        return None  # a starred list: the words' places are not known
    return [e.value for e in first.elements[1:]]


def _verb(words: list[cst.BaseExpression]) -> tuple[str, int] | None:
    """`set image` or `run` (which `create deployment` reads as), and the index of the first word
    after it; global flags may come first. None for a dry run, which deploys nothing."""
    if _dry_run(words):
        return None
    index = 0
    while index < len(words):
        text = string_value(words[index])
        if text is None:
            return None
        if text in _VALUED_FLAGS:
            index += 2
            continue
        if text.startswith("-"):
            index += 1
            continue
        if text in ("run", "debug"):  # `kubectl debug POD --image=...` adds a container of that image
            return "run", index + 1
        following = string_value(words[index + 1]) if index + 1 < len(words) else None
        if text == "create" and following in _CREATED_WITH_AN_IMAGE:
            return "run", index + 2  # `kubectl create deployment worker --image=...`: the same flag
        if text == "set" and following == "image":
            return "set image", index + 2
        return None
    return None


def _dry_run(words: list[cst.BaseExpression]) -> bool:
    """Does a `--dry-run` before the container's command (`--`) make kubectl only print the
    object (`--dry-run=client -o yaml`)? Every value but `none` does; alone it means `client`."""
    for word in _before_the_command(words):
        text = string_value(word) or ""
        if (text == "--dry-run" or text.startswith("--dry-run=")) and text != "--dry-run=none":
            return True
    return False


def _before_the_command(words: list[cst.BaseExpression]) -> list[cst.BaseExpression]:
    # `kubectl run probe --image=busybox -- sh -c ...`: the words after `--` are the container's
    # command and arguments, none of kubectl's flags
    for index, word in enumerate(words):
        if string_value(word) == "--":
            return words[:index]
    return words


def image_arguments(call: cst.Call) -> list[ImageArgument]:
    """The images a `kubectl set image`, `run` or `create deployment` call deploys."""
    words = kubectl_words(call)
    verb = _verb(words) if words is not None else None
    if words is None or verb is None:
        return []
    rest = words[verb[1]:]
    return _set_images(rest) if verb[0] == "set image" else _run_images(rest)


def sets_an_image(call: cst.Call) -> bool:
    """Is the call `kubectl set image`, `run` or `create deployment`: a deployment of the images
    it names?"""
    words = kubectl_words(call)
    return words is not None and _verb(words) is not None


def _set_images(words: list[cst.BaseExpression]) -> list[ImageArgument]:
    """`RESOURCE NAME=IMAGE...`: each word after the flags and the resource that sets a container."""
    found = []
    skip = False
    for word in words:
        text = string_value(word)
        if skip:
            skip = False
            continue
        if text is not None and text.startswith("-"):
            skip = text in _VALUED_FLAGS
            continue
        found.extend(_after_equals(word, ""))
    return found


def _run_images(words: list[cst.BaseExpression]) -> list[ImageArgument]:
    """`NAME --image=IMAGE` or `NAME --image IMAGE`."""
    found: list[ImageArgument] = []
    words = _before_the_command(words)
    for index, word in enumerate(words):
        if string_value(word) == "--image" and index + 1 < len(words):
            found.append((words[index + 1], None))
        else:
            found.extend(_after_equals(word, "--image"))
    return found


def _after_equals(word: cst.BaseExpression, flag: str) -> list[ImageArgument]:
    """The image after `=` in a word that starts with `flag` (`--image=...`, or any
    `container=...` when flag is empty): literal text, or the one expression an f-string or a
    `+` puts there."""
    text = string_value(word)
    if text is not None:
        head, equals, image = text.partition("=")
        return [(word, image)] if equals and image and head == (flag or head) and head else []
    if isinstance(word, cst.FormattedString) and len(word.parts) == 2:
        head_part, image_part = word.parts
        if (isinstance(head_part, cst.FormattedStringText) and isinstance(image_part, cst.FormattedStringExpression)
                and _names_a_container(head_part.value, flag)):
            return [(image_part.expression, None)]
    if isinstance(word, cst.BinaryOperation) and isinstance(word.operator, cst.Add):
        left = string_value(word.left)
        if left is not None and _names_a_container(left, flag):
            return [(word.right, None)]
    return []


def _names_a_container(head: str, flag: str) -> bool:
    """`worker=` (any container) or `--image=` (the flag asked for)."""
    return head.endswith("=") and head.count("=") == 1 and (head == flag + "=" if flag else len(head) > 1)
