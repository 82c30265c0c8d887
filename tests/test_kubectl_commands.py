"""Which arguments of an `exec.Command("kubectl", ...)` are the image it deploys
(engine/kubectl.py `kubectl_images`): each case is one call, and the image text it names."""

from __future__ import annotations

import pytest

from imagetag_lint.engine.kubectl import kubectl_helper, kubectl_images
from imagetag_lint.engine.run import FlowRun
from imagetag_lint.golang.model import SourceFile, read_function
from imagetag_lint.golang.parser import parse
from imagetag_lint.golang.project import Project
from imagetag_lint.golang.syntax import call_expressions
from imagetag_lint.rules import load_rule_set

TEMPLATE = """package e2e

import (
	"fmt"
	"os/exec"
)

func deploy(ctx context.Context, img, container string) {
	%s
}
"""


def images(statement: str) -> list[str]:
    source = (TEMPLATE % statement).encode()
    tree = parse(source)
    file = SourceFile("e2e.go", "/m", source, tree, "e2e", {})
    node = next(n for n in tree.root_node.named_children if n.type == "function_declaration")
    function = read_function(file, node)
    found = [image for call in call_expressions(node, source) for image in kubectl_images(call, function)]
    return [source[image.start : image.end].decode() for image in found]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", "api=localhost/api:e2e")', ["localhost/api:e2e"], id="set-image-literal"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", "api="+img)', ["img"], id="set-image-concat"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", container+"="+img)', ["img"], id="set-image-container-concat"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", fmt.Sprintf("api=%s", img))', ["img"], id="set-image-sprintf"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", fmt.Sprintf("%s=%s", container, img))', ["img"], id="set-image-sprintf-container"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", "api="+img, "*=localhost/side:e2e")', ["img", "localhost/side:e2e"], id="set-image-two"),
        pytest.param('exec.CommandContext(ctx, "kubectl", "-n", "set", "set", "image", "deployment", "api", "api="+img)', ["img"], id="flag-values-are-no-verbs"),
        pytest.param('exec.Command("kubectl", "--as", "run", "--request-timeout", "30s", "run", "api", "--image", img)', ["img"], id="impersonation"),
        pytest.param('args := []string{"set", "image", "deployment/api", "api=" + img}\n\texec.Command("kubectl", args...)', ["img"], id="spread-slice"),
        pytest.param('exec.Command("kubectl", "run", "api", "--image", img, "--restart=Never")', ["img"], id="run-flag-apart"),
        pytest.param('exec.Command("kubectl", "run", "api", "--image=localhost/api:e2e")', ["localhost/api:e2e"], id="run-flag-literal"),
        pytest.param('exec.Command("kubectl", "create", "job", "migrate", "--image="+img)', ["img"], id="create-job"),
        pytest.param('exec.Command("kubectl", "run", "t", "--image", img, "--", "app", "--image=localhost/x:e2e")', ["img"], id="after-double-dash"),
    ],
)
def test_the_image_a_kubectl_command_deploys(statement: str, expected: list[str]) -> None:
    assert images(statement) == expected


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param('exec.Command("kubectl", "get", "pods", "-l", "app=localhost/api:e2e")', id="get"),
        pytest.param('exec.Command("kubectl", "set", "env", "deployment/api", "IMAGE=localhost/api:e2e")', id="set-env"),
        pytest.param('exec.Command("kubectl", "create", "secret", "generic", "s", "--image=localhost/api:e2e")', id="create-secret"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", "api=")', id="empty-image"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", "--all=true")', id="a-flag"),
        pytest.param('exec.Command("kubectl", "set", "image", "deployment/api", "api=localhost/\\x61pi:e2e")', id="escapes"),
        pytest.param('exec.Command("kind", "create", "cluster", "--image", img)', id="another-tool"),
        pytest.param('exec.Command(tool, "run", "api", "--image", img)', id="unknown-tool"),
        pytest.param('exec.Command("kubectl", verb, "api", "--image", img)', id="unknown-verb"),
    ],
)
def test_no_image_is_deployed(statement: str) -> None:
    assert images(statement) == []


HELPER = """package e2e

import (
	"context"
	"os/exec"
)

func helper(ctx context.Context, args ...string) error {
	%s
}
"""


def helper_start(body: str) -> int | None:
    source = (HELPER % body).encode()
    file = SourceFile("e2e.go", "/m", source, parse(source), "e2e", {})
    project = Project()
    project.add_file(file)
    function = next(f for f in project.functions() if f.name == "helper")
    return kubectl_helper(FlowRun(project, load_rule_set().flow), function)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param('return exec.CommandContext(ctx, "kubectl", args...).Run()', 1, id="command-context"),
        pytest.param('cmd := exec.Command("kubectl", args...)\n\treturn cmd.Run()', 1, id="command"),
        pytest.param('return exec.Command("podman", args...).Run()', None, id="another-tool"),
        pytest.param('args = append(args, "--wait")\n\treturn exec.Command("kubectl", args...).Run()', None, id="written"),
        pytest.param('return exec.Command("kubectl", append([]string{"-n", "e2e"}, args...)...).Run()', None, id="not-a-local"),
        pytest.param('full := append([]string{"--kubeconfig", path(), "-v=4"}, args...)\n\treturn exec.Command("kubectl", full...).Run()', 1, id="global-flags-first"),
        pytest.param('full := append([]string{"get"}, args...)\n\treturn exec.Command("kubectl", full...).Run()', None, id="a-verb-first"),
        pytest.param('full := append([]string{verb()}, args...)\n\treturn exec.Command("kubectl", full...).Run()', None, id="a-word-first"),
        pytest.param('full := append([]string{"--kubeconfig"}, args...)\n\treturn exec.Command("kubectl", full...).Run()', None, id="a-flag-without-value"),
        pytest.param('full := append([]string{"-n", "e2e"}, args...)\n\tfull = append(full, "--wait")\n\treturn exec.Command("kubectl", full...).Run()', None, id="appended-later"),
    ],
)
def test_a_kubectl_helper_hands_its_words_to_kubectl_whole(body: str, expected: int | None) -> None:
    assert helper_start(body) == expected
