"""Form feeds in Python files: libcst leaves one out of its text when it stands in a statement's
indentation, and `str.splitlines` splits at it. Positions, names, fixes and diffs still point
into the file's own bytes, and only "\\n" ends a line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from imagetag_lint.cli import main

BODY = (
    "import subprocess\nfrom kubernetes import client\n\n\n"
    'def build():\n    tag = "localhost/api:e2e"\n    subprocess.run(["docker", "build", "-t", tag, "."])\n    return tag\n'
    "\n\n{feed}def test_x(core):\n    build()\n"
    '    core.create_namespaced_pod("d", client.V1Pod(spec=client.V1PodSpec(containers=['
    'client.V1Container(name="a", image="localhost/api:dev")])))\n'
)
FIXED_TAIL = (
    "    image = build()\n"
    '    core.create_namespaced_pod("d", client.V1Pod(spec=client.V1PodSpec(containers=['
    'client.V1Container(name="a", image=image)])))\n'
)


@pytest.mark.parametrize(
    ("source", "row"),
    [
        ("\f" + BODY.format(feed=""), 12),  # before the first statement: libcst leaves it out
        (BODY.format(feed="\f"), 12),  # before a def: libcst leaves it out too
        (BODY.format(feed="\f\n"), 13),  # a line of its own
    ],
    ids=["leading", "before-def", "own-line"],
)
def test_form_feeds_keep_positions_and_fixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, source: str, row: int
) -> None:
    (tmp_path / "ff.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "ff.py"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"ff.py:{row}:5: IMG001 [*] [discarded-image-name] the image name returned by `build` is")
    assert main(["--no-cache", "--fix", "ff.py"]) == 0
    fixed = (tmp_path / "ff.py").read_text()
    head, _, _ = source.rpartition("    build()\n")
    assert fixed == head + FIXED_TAIL  # every form feed kept
    compile(fixed, "ff.py", "exec")


def test_a_diff_across_a_form_feed_line_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = BODY.format(feed="\f\n")
    (tmp_path / "ff.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["--no-cache", "--diff", "ff.py"]) == 1
    diff = capsys.readouterr().out
    assert "No newline at end of file" not in diff
    assert " \f\n" in diff  # the form feed line is context, whole
    git = shutil.which("git")
    assert git is not None
    (tmp_path / "ff.diff").write_text(diff)
    subprocess.run([git, "apply", "ff.diff"], cwd=tmp_path, check=True, capture_output=True)
    assert (tmp_path / "ff.py").read_text() == source.replace("    build()\n    core", "    image = build()\n    core").replace(
        'image="localhost/api:dev"', "image=image"
    )
