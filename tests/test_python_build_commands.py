"""What a Python subprocess command builds or loads (python/values.py `command_words` and
`command_image`): each case is one call, and the image words it names, as written. Every tag of
one build counts, in each spelling the tools' flag parser takes (`-t X`, `-tX`, `-t=X`, `--tag
X`, `--tag=X`), in a list, a shell line or a line handed to `sh -c`."""

from __future__ import annotations

import libcst as cst
import pytest

from imagetag_lint.python.prefilter import wants
from imagetag_lint.python.values import command_image, command_words, several_names


def images(call: str) -> tuple[str, list[str]] | None:
    node = cst.parse_expression(call)
    assert isinstance(node, cst.Call)
    words = command_words(node)
    found = command_image(words) if words is not None else None
    if found is None:
        return None
    module = cst.Module([])
    return found[0], [module.code_for_node(e) if e is not None else "<text>" for e in found[1]]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param('run(["podman", "build", "-t", tag, "."])', ("build", ["tag"]), id="t-apart"),
        pytest.param('run(["podman", "build", "-t", tag, "-t", "localhost/app:latest", "."])',
                     ("build", ["tag", '"localhost/app:latest"']), id="two-tags"),
        pytest.param('run(["docker", "build", f"--tag={tag}", "."])', ("build", ["tag"]), id="tag-equals-fstring"),
        pytest.param('run(["docker", "build", "--tag=" + tag, "."])', ("build", ["tag"]), id="tag-equals-concat"),
        pytest.param('run(["docker", "build", "-t=" + tag, "."])', ("build", ["tag"]), id="t-equals-concat"),
        pytest.param('run(["docker", "build", "-t" + tag, "."])', ("build", ["tag"]), id="t-joined-concat"),
        pytest.param('run(["docker", "build", "--tag={}".format(tag), "."])', ("build", ["tag"]), id="tag-equals-format"),
        pytest.param('run(["docker", "build", "--tag=localhost/app:e2e", "."])', ("build", ["<text>"]), id="tag-equals-literal"),
        pytest.param('run(["docker", "build", "-tlocalhost/app:e2e", "."])', ("build", ["<text>"]), id="t-joined-literal"),
        pytest.param('run(f"docker build --tag={tag} --tag=localhost/app:latest .", shell=True)',
                     ("build", ["tag", "<text>"]), id="shell-tag-equals"),
        pytest.param('run(f"podman build -t{tag} .", shell=True)', ("build", ["tag"]), id="shell-t-joined"),
        pytest.param('run(f\'docker build -t "{tag}" -t "localhost/app:latest" .\', shell=True)',
                     ("build", ["tag", "<text>"]), id="shell-double-quoted"),
        pytest.param('run(["sh", "-c", f"podman build -t \'{tag}\' ."])', ("build", ["tag"]), id="sh-c-single-quoted"),
        pytest.param('run(["sh", "-c", f"podman build -t {tag} -t localhost/app:latest ."])',
                     ("build", ["tag", "<text>"]), id="sh-c"),
        pytest.param('run(["docker", "buildx", "build", "--load", "-t", tag, "."])', ("build", ["tag"]), id="buildx-load"),
        pytest.param('run(["buildah", "bud", "-t", tag, "."])', ("build", ["tag"]), id="buildah-bud"),
        pytest.param('run(["buildah", "build", "-t", tag, "."])', ("build", ["tag"]), id="buildah-build"),
        pytest.param('run(["nerdctl", "build", "--tag", tag, "."])', ("build", ["tag"]), id="nerdctl"),
        pytest.param('run(["podman", "tag", source, tag])', ("build", ["tag"]), id="tag-command"),
        pytest.param('run(["docker", "image", "tag", source, tag, other])', ("build", ["tag", "other"]), id="image-tag-two"),
        pytest.param('run(["kind", "load", "docker-image", api, worker, "--name", "e2e"])', ("load", ["api", "worker"]), id="kind-load-two"),
        pytest.param('run(["kind", "load", "docker-image", "--name", "e2e", api])', ("load", ["api"]), id="kind-load-flag-first"),
    ],
)
def test_what_a_command_builds_or_loads(call: str, expected: tuple[str, list[str]]) -> None:
    assert images(call) == expected


@pytest.mark.parametrize(
    "call",
    [
        pytest.param('run(["podman", "build", "--tags", tag, "."])', id="tags"),
        pytest.param('run(["podman", "build", "--target", tag, "."])', id="target"),
        pytest.param('run(["podman", "build", f"--target={tag}", "."])', id="target-equals"),
        pytest.param('run(["podman", "build", "."])', id="no-tag"),
        pytest.param('run(["kubectl", "exec", "-t", pod, "--", "true"])', id="kubectl-t"),
        pytest.param('run(["podman", "run", "-t", tag, "true"])', id="podman-run-t"),
        pytest.param('run(["podman", "tag", tag])', id="tag-without-target"),
        pytest.param('run(["sh", "-c", f"echo -t {tag}"])', id="sh-c-other"),
    ],
)
def test_nothing_is_built_or_loaded(call: str) -> None:
    assert images(call) is None


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param('run(["podman", "build", "-t", tag, "-t", "localhost/app:latest", "."])', True, id="two-tags"),
        pytest.param('run(["podman", "tag", tag, "localhost/app:latest"])', True, id="tag-command"),
        pytest.param('run(["podman", "build", "-t", tag, "."])', False, id="one-tag"),
    ],
)
def test_several_names(call: str, expected: bool) -> None:
    node = cst.parse_expression(call)
    assert isinstance(node, cst.Call)
    words = command_words(node)
    assert words is not None and several_names(words) is expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b'subprocess.run(["buildah", "bud", "-t", tag, "."])', id="buildah-list"),
        pytest.param(b'os.system(f"nerdctl build -t {tag} .")', id="nerdctl-shell"),
    ],
)
def test_the_prefilter_passes_the_other_builders(source: bytes) -> None:
    assert wants(source)
