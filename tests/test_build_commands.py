"""What an `exec.Command` that runs a container tool builds or loads (engine/commands.py
`command_image`): each case is one call, and the images it names. Every tag of one build names
the image built, in each spelling the tools' flag parser (pflag) accepts: `-t X`, `-tX`, `-t=X`,
`--tag X`, `--tag=X`."""

from __future__ import annotations

import pytest

from imagetag_lint.engine.commands import command_image
from imagetag_lint.golang.model import SourceFile, read_function
from imagetag_lint.golang.parser import parse, text
from imagetag_lint.golang.syntax import call_expressions

TEMPLATE = """package e2e

import (
	"fmt"
	"os/exec"
)

func build(ctx context.Context, img, src, tool string) {
	%s
}
"""


def command(statement: str) -> tuple[str, list[str], list[str]] | None:
    """(build or load, the image arguments as written, the references inside flag words)."""
    source = (TEMPLATE % statement).encode()
    tree = parse(source)
    file = SourceFile("e2e.go", "/m", source, tree, "e2e", {})
    node = next(n for n in tree.root_node.named_children if n.type == "function_declaration")
    function = read_function(file, node)
    found = [c for call in call_expressions(node, source) if (c := command_image(call, function)) is not None]
    assert len(found) <= 1
    if not found:
        return None
    return str(found[0].kind), [text(image) for image in found[0].images], list(found[0].embedded)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        pytest.param('exec.Command("podman", "build", "-t", img, ".")', ("build", ["img"], []), id="t-apart"),
        pytest.param('exec.Command("podman", "build", "-t", img, "-t", "localhost/app:latest", ".")',
                     ("build", ["img", '"localhost/app:latest"'], []), id="two-tags"),
        pytest.param('exec.Command("docker", "build", "--tag", img, "--tag", src, ".")', ("build", ["img", "src"], []), id="tag-apart-twice"),
        pytest.param('exec.Command("podman", "build", "--tag=localhost/app:e2e", ".")', ("build", [], ["localhost/app:e2e"]), id="tag-equals-literal"),
        pytest.param('exec.Command("podman", "build", "-t=localhost/app:e2e", ".")', ("build", [], ["localhost/app:e2e"]), id="t-equals-literal"),
        pytest.param('exec.Command("podman", "build", "-tlocalhost/app:e2e", ".")', ("build", [], ["localhost/app:e2e"]), id="t-joined-literal"),
        pytest.param('exec.Command("podman", "build", "--tag="+img, ".")', ("build", ["img"], []), id="tag-equals-concat"),
        pytest.param('exec.Command("podman", "build", "-t="+img, ".")', ("build", ["img"], []), id="t-equals-concat"),
        pytest.param('exec.Command("podman", "build", "-t"+img, ".")', ("build", ["img"], []), id="t-joined-concat"),
        pytest.param('exec.Command("podman", "build", fmt.Sprintf("--tag=%s", img), ".")', ("build", ["img"], []), id="tag-equals-sprintf"),
        pytest.param('exec.Command("podman", "build", "-t", img, "--tag=localhost/app:latest", ".")',
                     ("build", ["img"], ["localhost/app:latest"]), id="mixed-spellings"),
        pytest.param('exec.Command("docker", "buildx", "build", "--load", "-t", img, ".")', ("build", ["img"], []), id="buildx-load"),
        pytest.param('exec.Command("docker", "image", "build", "-t", img, ".")', ("build", ["img"], []), id="image-build"),
        pytest.param('exec.Command("buildah", "bud", "-t", img, ".")', ("build", ["img"], []), id="buildah-bud"),
        pytest.param('exec.Command("buildah", "build", "--tag", img, ".")', ("build", ["img"], []), id="buildah-build"),
        pytest.param('exec.Command("nerdctl", "build", "-t", img, ".")', ("build", ["img"], []), id="nerdctl"),
        pytest.param('exec.Command("/usr/bin/podman", "build", "-t", img, ".")', ("build", ["img"], []), id="tool-by-path"),
        pytest.param('exec.Command(tool, "build", "-t", img, ".")', ("build", ["img"], []), id="tool-variable"),
        pytest.param('exec.Command("podman", "tag", src, img)', ("build", ["img"], []), id="tag-source-target"),
        pytest.param('exec.Command("docker", "image", "tag", src, img, "localhost/app:latest")',
                     ("build", ["img", '"localhost/app:latest"'], []), id="image-tag-two-targets"),
        pytest.param('exec.Command("kind", "load", "docker-image", img)', ("load", ["img"], []), id="kind-load"),
        pytest.param('exec.Command("kind", "load", "docker-image", img, src, "--name", "e2e")', ("load", ["img", "src"], []), id="kind-load-two"),
        pytest.param('exec.Command("kind", "load", "docker-image", "--name", "e2e", img)', ("load", ["img"], []), id="kind-load-flag-first"),
        pytest.param('exec.Command("podman", "save", "-o", "/tmp/a.tar", img)', ("load", ["img"], []), id="save"),
        pytest.param('exec.Command("sh", "-c", fmt.Sprintf("podman build -t %s -t localhost/app:latest .", img))',
                     ("build", ["img"], ["localhost/app:latest"]), id="sh-c-sprintf"),
        pytest.param('exec.Command("bash", "-c", "docker build --tag="+img+" --tag=localhost/app:latest .")',
                     ("build", ["img"], ["localhost/app:latest"]), id="bash-c-concat"),
        pytest.param('exec.Command("sh", "-c", fmt.Sprintf("cd %s && podman build -t%v .", src, img))', None, id="sh-c-cd-first"),
        pytest.param('exec.Command("/bin/sh", "-c", "kind load docker-image "+img+" "+src)', ("load", ["img", "src"], []), id="sh-c-kind-load"),
        pytest.param('exec.Command("sh", "-c", fmt.Sprintf("podman build -t \'%s\' -t \'localhost/app:latest\' .", img))',
                     ("build", ["img"], ["localhost/app:latest"]), id="sh-c-single-quoted"),
        pytest.param('exec.Command("sh", "-c", "docker build -t \\""+img+"\\" .")', ("build", ["img"], []), id="sh-c-double-quoted"),
    ],
)
def test_what_a_command_builds_or_loads(statement: str, expected: tuple[str, list[str], list[str]] | None) -> None:
    assert command(statement) == expected


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param('exec.Command("podman", "build", "--tags", img, ".")', id="tags"),
        pytest.param('exec.Command("podman", "build", "--target", img, ".")', id="target"),
        pytest.param('exec.Command("podman", "build", "--target=localhost/app:e2e", ".")', id="target-equals"),
        pytest.param('exec.Command("podman", "build", "--tags="+img, ".")', id="tags-concat"),
        pytest.param('exec.Command("podman", "build", ".")', id="no-tag"),
        pytest.param('exec.Command("kubectl", "exec", "-t", img, "--", "true")', id="kubectl-t"),
        pytest.param('exec.Command("kubectl", "build", "-t", img)', id="another-tool-build"),
        pytest.param('exec.Command("podman", "run", "-t", img)', id="podman-run-t"),
        pytest.param('exec.Command("podman", "tag", img)', id="tag-without-target"),
        pytest.param('exec.Command("kind", "load", "docker-image", "--name", "e2e")', id="kind-load-no-image"),
        pytest.param('exec.Command("kind", "load", "image-archive", img)', id="kind-load-archive"),
        pytest.param('exec.Command("sh", "-c", fmt.Sprintf("podman build -t %d .", img))', id="sh-c-another-verb"),
        pytest.param('exec.Command("sh", "-c", line)', id="sh-c-variable"),
        pytest.param('exec.Command("sh", "-c", "echo -t "+img)', id="sh-c-echo"),
    ],
)
def test_nothing_is_built_or_loaded(statement: str) -> None:
    assert command(statement) is None


SAME_TEXT = """package e2e

import "os/exec"

func buildParam(img string) { exec.Command("podman", "build", "-t", img, ".").Run() }

func buildLocal() { img := "localhost/b:1"; exec.Command("podman", "build", "-t", img, ".").Run() }

func buildWritten(img string) { img = img + "x"; exec.Command("podman", "build", "-t", img, ".").Run() }

func spreadParam(img string) { args := []string{"build", "-t", img}; exec.Command("podman", args...).Run() }

func spreadFixed(tag string) { args := []string{"build", "-t", "localhost/d:1", tag}; exec.Command("podman", args...).Run() }

func fixedOne() { exec.Command("podman", "build", "-t", "localhost/f:1", ".").Run() }

func fixedTwo() { exec.Command("podman", "build", "-t", "localhost/f:1", ".").Run() }
"""


def test_calls_of_one_text_in_different_functions_are_read_for_each_function() -> None:
    """`command_facts` reads a command's words once per text: whether an image is the function's
    own parameter, and what a spread slice holds, are still asked of each function."""
    from imagetag_lint.engine.commands import command_facts
    from imagetag_lint.engine.run import FlowRun
    from imagetag_lint.golang.project import Project
    from imagetag_lint.rules import load_rule_set

    source = SAME_TEXT.encode()
    project = Project()
    project.add_file(SourceFile("e2e.go", "/m", source, parse(source), "e2e", {"exec": "os/exec"}))
    found = command_facts(FlowRun(project, load_rule_set().flow))
    assert {name: (str(c.kind), c.image_arg) for name, c in found.consumers.items()} == {
        "buildParam": ("build", 0),
        "spreadParam": ("build", 0),
    }
    assert sorted((b.function.name, b.image) for b in found.raw_builds) == [
        ("fixedOne", "localhost/f:1"),
        ("fixedTwo", "localhost/f:1"),
        ("spreadFixed", "localhost/d:1"),
    ]
    assert len({b.call.id for b in found.raw_builds}) == 3
