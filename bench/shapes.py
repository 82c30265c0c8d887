"""Go source shapes whose cost once grew with the square or the cube of their size.

`tests/test_growth.py` counts the linter's work on each at n and 4n; `bench/growth.py` times
them. Standard library only.
"""

from __future__ import annotations

HEAD = """package e2e

import (
	"io"

	"example.com/m/infrastructure"
)

type Container struct{ Image string }
type Spec struct {
	Containers []Container
	Inner      *Spec
}

"""


def _build(name: str) -> str:
    return f'_, _ = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{{ImageName: "{name}"}}, w)'


def else_if_chain(n: int) -> str:
    """A dropped build in every branch of one long else-if chain (each branch one level deeper)."""
    branches = [f"if a == {i} {{\n\t\t{_build(f'svc{i}')}\n\t}}" for i in range(n)]
    return HEAD + "func Setup(w io.Writer, a int) {\n\t" + " else ".join(branches) + "\n}\n"


def nested_literal(n: int) -> str:
    """A composite literal nested n deep, with a fixed local image at every level."""
    inner = 'Spec{Containers: []Container{{Image: "localhost/app:v0"}}}'
    for i in range(1, n):
        inner = f'Spec{{Containers: []Container{{{{Image: "localhost/app:v{i}"}}}}, Inner: &{inner}}}'
    return HEAD + f"func Setup(w io.Writer) Spec {{\n\t{_build('app')}\n\treturn {inner}\n}}\n"


def goroutines(n: int) -> str:
    """n goroutines in one function, each dropping the name it builds."""
    body = "".join(f"\tgo func() {{\n\t\t{_build(f'svc{i}')}\n\t\tdone <- true\n\t}}()\n" for i in range(n))
    return HEAD + f"func Setup(w io.Writer) {{\n\tdone := make(chan bool)\n{body}\t<-done\n}}\n"


def deploy_helper_calls(n: int) -> str:
    """A dropped build before a call of a deploy helper that hardcodes its image, and n more callers."""
    helper = 'func deploy(w io.Writer) Container {\n\t_ = w\n\treturn Container{Image: "localhost/app:v1"}\n}\n\n'
    setup = f"func Setup(w io.Writer) {{\n\t{_build('app')}\n\tdeploy(w)\n}}\n\n"
    others = "".join(f"func Other{i}(w io.Writer) {{\n\tdeploy(w)\n}}\n\n" for i in range(n))
    return HEAD + helper + setup + others


def deploy_calls_in_one_function(n: int) -> str:
    """A dropped build followed by n calls of a deploy helper that hardcodes its image, all in
    one function: the fix gives the helper a parameter, and every call site needs an edit."""
    helper = 'func deploy(w io.Writer, namespace string) Container {\n\t_ = w\n\treturn Container{Image: "localhost/app:v1"}\n}\n\n'
    calls = "".join(f'\t_ = deploy(w, "n{i}")\n' for i in range(n))
    return HEAD + helper + f"func Setup(w io.Writer) {{\n\t{_build('app')}\n{calls}}}\n"


def option_structs(n: int) -> str:
    """A dropped build, and n functions that each fill an options struct of their own with an
    image and log its `Image` field: is any of the n structs a container (its image handed on to
    a sink somewhere in the package)?"""
    functions = "".join(
        f"type Options{i} struct{{ Image string }}\n\n"
        f"func setup{i}(w io.Writer) {{\n\to := Options{i}{{Image: \"localhost/svc{i}:e2e\"}}\n"
        f"\tlog(w, \"image\", o.Image)\n}}\n\n"
        for i in range(n)
    )
    log = "func log(w io.Writer, words ...string) {\n\t_, _ = w, words\n}\n\n"
    return HEAD + log + f"func Setup(w io.Writer) {{\n\t{_build('app')}\n}}\n\n" + functions


# name -> (shape, n, whether `--fix` is what grows)
SHAPES = {
    "else-if chain, a dropped build per branch": (else_if_chain, 250, False),
    "nested composite literal": (nested_literal, 250, False),
    "goroutines in one function": (goroutines, 500, False),
    "deploy-helper call sites (lint)": (deploy_helper_calls, 2500, False),
    "--fix with N call sites of one helper": (deploy_calls_in_one_function, 100, True),
    "options structs, each filled and read in its own function": (option_structs, 500, False),
}
