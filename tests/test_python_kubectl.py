"""Which words of a kubectl command give a workload its image: `set image`, `run` and `create
deployment`, in a subprocess list or through pytest-kind's `kind_cluster.kubectl(...)`."""

from __future__ import annotations

import libcst as cst
import pytest

from imagetag_lint.python.kubectl import image_arguments, sets_an_image


def _images(source: str) -> list[tuple[str, str | None]]:
    call = cst.parse_expression(source)
    assert isinstance(call, cst.Call)
    return [(cst.Module([]).code_for_node(node), text) for node, text in image_arguments(call)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param('kind_cluster.kubectl("set", "image", "deployment/w", "w=localhost/w:1")',
                     [('"w=localhost/w:1"', "localhost/w:1")], id="set-image"),
        pytest.param('kind_cluster.kubectl("set", "image", "deploy/w", "a=x/a:1", "b=x/b:1")',
                     [('"a=x/a:1"', "x/a:1"), ('"b=x/b:1"', "x/b:1")], id="set-image-two-containers"),
        pytest.param('kind_cluster.kubectl("-n", "shop", "set", "image", "-n", "x=y", "deploy/w", f"w={image}")',
                     [("image", None)], id="set-image-flags-and-f-string"),
        pytest.param('kind_cluster.kubectl("run", "w", "--image=localhost/w:1", "--restart=Never")',
                     [('"--image=localhost/w:1"', "localhost/w:1")], id="run"),
        pytest.param('kind_cluster.kubectl("run", "w", "--image", image)', [("image", None)], id="run-image-word"),
        pytest.param('subprocess.run(["kubectl", "run", "w", "--image=" + image])', [("image", None)], id="subprocess-run"),
        pytest.param('subprocess.check_call(("/usr/bin/kubectl", "create", "deployment", "w", "--image=x/w:1"))',
                     [('"--image=x/w:1"', "x/w:1")], id="create-deployment"),
    ],
)
def test_the_image_words(source: str, expected: list[tuple[str, str | None]]) -> None:
    assert _images(source) == expected
    assert sets_an_image(cst.ensure_type(cst.parse_expression(source), cst.Call))


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('kind_cluster.kubectl("get", "pods", "-l", "app=w")', id="get"),
        pytest.param('kind_cluster.kubectl("delete", "pod", "w", "--grace-period=0")', id="delete"),
        pytest.param('kind_cluster.kubectl("set", "env", "deploy/w", "IMAGE=x/w:1")', id="set-env"),
        pytest.param('kind_cluster.kubectl("create", "configmap", "w", "--from-literal=image=x/w:1")', id="configmap"),
        pytest.param('subprocess.run(["docker", "run", "--image=x/w:1"])', id="not-kubectl"),
        pytest.param('subprocess.run("kubectl run w --image=x/w:1", shell=True)', id="shell-line"),
        pytest.param('subprocess.run(["kubectl", *args, "run", "w", "--image=x/w:1"])', id="starred-words"),
        pytest.param('kind_cluster.kubectl(verb, "w", "--image=x/w:1")', id="unknown-verb"),
    ],
)
def test_no_image_words(source: str) -> None:
    assert _images(source) == []
    assert not sets_an_image(cst.ensure_type(cst.parse_expression(source), cst.Call))
