"""The README's Python suites section, run as written and checked against what it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_readme import FENCE, INSTALL, ROOT, section, shows


def examples() -> list[tuple[str, str, str]]:
    """(command, the output shown after it, the prose after that) for each command shown."""
    text = section("Python suites (pytest, kind)")
    blocks = list(FENCE.finditer(text))
    found = []
    for i, block in enumerate(blocks):
        if block.group(1) != "sh" or block.group(2).startswith(INSTALL):
            continue
        output = blocks[i + 1]
        prose = text[output.end() : blocks[i + 2].start() if i + 2 < len(blocks) else len(text)]
        found.append((block.group(2).strip(), output.group(2), prose))
    return found


def test_the_section_shows_a_report_and_a_fix() -> None:
    assert [command for command, _, _ in examples()] == [
        "imagetag-lint tests/fixtures/python/suite/test_operator.py",
        "imagetag-lint --diff tests/fixtures/python/helpers/test_helpers.py",
    ]


@pytest.mark.parametrize(("command", "shown", "prose"), examples(), ids=lambda v: v if v.startswith("imagetag") else "")
def test_a_command_prints_what_the_readme_shows(command: str, shown: str, prose: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(command, check=False, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert shows(shown, done.stdout), done.stdout
    stated = re.search(r"exits with (\d)", prose)
    assert stated, f"the README does not say how `{command}` exits"
    assert done.returncode == int(stated.group(1))
