"""The README's Set up section, run as written (the install aside) and checked against what it shows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
INSTALL = "python -m pip install ."


def section(heading: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def examples() -> list[tuple[str, str, str]]:
    """(command, the output shown after it, the prose after that) for each command in Set up."""
    text = section("Set up")
    blocks = list(FENCE.finditer(text))
    found = []
    for i, block in enumerate(blocks):
        if block.group(1) != "sh" or INSTALL in block.group(2):
            continue
        assert i + 1 < len(blocks) and blocks[i + 1].group(1) in ("text", "diff"), f"no output after {block.group(2)!r}"
        output = blocks[i + 1]
        prose = text[output.end() : blocks[i + 2].start() if i + 2 < len(blocks) else len(text)]
        found.append((block.group(2).strip(), output.group(2), prose))
    return found


def shows(shown: str, actual: str) -> bool:
    """The shown output is the actual one with runs of lines left out where it says `...`."""
    lines = actual.splitlines()
    at = 0
    for number, chunk in enumerate(("\n" + shown).split("\n...\n")):
        part = chunk.strip("\n").splitlines()
        starts = [i for i in range(at, len(lines) - len(part) + 1) if lines[i : i + len(part)] == part]
        if not starts or (number == 0 and starts[0] != 0):
            return False
        at = starts[0] + len(part)
    return at == len(lines) or not part  # the last shown line is the last one printed, or `...`


def test_setup_shows_commands_with_their_output() -> None:
    commands = [command for command, _, _ in examples()]
    assert commands == ["imagetag-lint examples/kind-e2e", "imagetag-lint --diff examples/kind-e2e"]
    assert INSTALL in section("Set up")


def test_a_bare_run_in_the_clone_reports_only_the_example() -> None:
    """Set up says that with no argument every finding in this clone is in `examples/`."""
    assert "every finding is in `examples/`" in section("Set up")
    done = subprocess.run(
        [sys.executable, "-m", "imagetag_lint", "--output-format", "json", "--no-cache"],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    findings = json.loads(done.stdout)
    assert findings and {f["filename"].split("/")[0] for f in findings} == {"examples"}, done.stderr


@pytest.mark.parametrize(("command", "shown", "prose"), examples(), ids=lambda v: v if v.startswith("imagetag") else "")
def test_setup_command_prints_what_the_readme_shows(command: str, shown: str, prose: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(command, check=False, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    # a terminal shows standard output (line-buffered) and then the count on standard error
    assert shows(shown, done.stdout + done.stderr), done.stdout + done.stderr
    stated = re.search(r"exits with (\d)", prose)
    assert stated, f"the README does not say how `{command}` exits"
    assert done.returncode == int(stated.group(1))


@pytest.mark.parametrize(
    ("shown", "actual", "expected"),
    [
        pytest.param("a\nb\n", "a\nb\n", True, id="whole"),
        pytest.param("a\n...\nd\n", "a\nb\nc\nd\n", True, id="elided"),
        pytest.param("a\n...\nc\n", "a\nb\nc\nd\n", False, id="not-the-end"),
        pytest.param("b\n...\nd\n", "a\nb\nc\nd\n", False, id="not-the-start"),
        pytest.param("...\nb\n...\nd\n", "a\nb\nc\nd\n", True, id="elided-start"),
        pytest.param("a\n...\n", "a\nb\n", True, id="elided-end"),
        pytest.param("a\n...\nc\n...\nb\n", "a\nb\nc\nd\n", False, id="out-of-order"),
        pytest.param("a\nc\n", "a\nb\nc\n", False, id="missing-elision"),
    ],
)
def test_shows(shown: str, actual: str, expected: bool) -> None:
    assert shows(shown, actual) is expected


def test_precommit_wording_matches_the_hooks() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    text = " ".join(section("pre-commit").split())
    assert hooks.count("language: python") == 2
    assert "builds imagetag-lint from it" in text and "installs imagetag-lint" not in text
