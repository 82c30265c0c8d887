"""Shapes whose cost once grew with the cube or the square of their size.

Each shape is linted at n and 4n. The work is counted, not timed: lines of the linter's own code
run beyond those of the shape at size 1 (a walk up `Node.parent` or a loop over every call
shows there) and, for deep trees, the parent links followed. Four times the input may cost at
most five times the work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from support import go_module

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from shapes import (
    deploy_calls_in_one_function,
    deploy_helper_calls,
    else_if_chain,
    goroutines,
    nested_literal,
    option_structs,
)

import imagetag_lint
from imagetag_lint.cli import main
from imagetag_lint.golang import syntax

PACKAGE = str(Path(imagetag_lint.__file__).parent)
def _work(root: Path, capsys: pytest.CaptureFixture[str], fix: bool = False, no_cache: bool = False) -> tuple[int, int]:
    """(lines of the linter's code run, parent links followed in deep trees) for one lint of root
    (or one `--fix`). The tests lint a size-1 shape once before they count: the first lint of a
    process runs the module-level code of what it imports lazily, which the size-1 count, taken
    away from the others, must not hold (run alone, a test would then see a growth that is not)."""
    lines = 0

    def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal lines
        lines += event == "line"
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        return local if frame.f_code.co_filename.startswith(PACKAGE) else None

    sys.settrace(calls)
    try:
        code = main(["--fix" if fix else "--output-format=json", "--exit-zero", *(["--no-cache"] if no_cache else []), str(root)])
    finally:
        sys.settrace(None)
    out = capsys.readouterr().out
    assert code == 0 and ("No findings left" in out if fix else '"code": "IMG00' in out), out[-2000:]
    return lines, sum(ancestry.steps for ancestry in syntax._DEEP)


@pytest.mark.parametrize(
    ("shape", "n"),
    [
        pytest.param(else_if_chain, 60, id="else-if-chain"),
        pytest.param(nested_literal, 80, id="nested-composite-literal"),
        pytest.param(goroutines, 100, id="goroutines-in-one-function"),
        pytest.param(deploy_helper_calls, 200, id="deploy-helper-call-sites"),
        pytest.param(option_structs, 60, id="options-structs"),
    ],
)
def test_four_times_the_input_is_at_most_five_times_the_work(
    shape: Callable[[int], str], n: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    works = []
    (tmp_path / "warm-up").mkdir()
    _work(go_module(tmp_path / "warm-up", {"e2e/setup.go": shape(1)}), capsys)  # see _work
    for size in (1, n, 4 * n):
        (tmp_path / str(size)).mkdir()
        works.append(_work(go_module(tmp_path / str(size), {"e2e/setup.go": shape(size)}), capsys))
    base, small, large = works
    lines = (small[0] - base[0], large[0] - base[0])  # the part that grows with the shape
    assert lines[1] <= 5 * lines[0], f"lines run beyond n=1: {lines[0]} at n={n}, {lines[1]} at 4n"
    assert large[1] <= 5 * max(small[1], 1), f"parent links followed: {small[1]} at n={n}, {large[1]} at 4n"


def test_fixing_four_times_the_call_sites_is_at_most_five_times_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--fix` of a build dropped before n calls of one deploy helper in one function: the
    parameter and every call site are fixed in a few rounds, each linear (it took a round per
    call site, each re-planning every fix, and stopped after 25)."""
    works = []
    (tmp_path / "warm-up").mkdir()
    _work(go_module(tmp_path / "warm-up", {"e2e/setup.go": deploy_calls_in_one_function(1)}), capsys, fix=True)
    for size in (1, 50, 200):
        (tmp_path / str(size)).mkdir()
        root = go_module(tmp_path / str(size), {"e2e/setup.go": deploy_calls_in_one_function(size)})
        works.append(_work(root, capsys, fix=True))
        assert (root / "e2e" / "setup.go").read_text().count(", appImage)") == size
    base, small, large = works
    lines = (small[0] - base[0], large[0] - base[0])
    assert lines[1] <= 5 * lines[0], f"lines run beyond n=1: {lines[0]} at n=50, {lines[1]} at n=200"


class _CountingBytes(bytes):
    """File bytes that count the searches over them."""

    searches = 0

    def find(self, *args: Any) -> int:
        _CountingBytes.searches += 1
        return super().find(*args)

    def __contains__(self, item: object) -> bool:
        _CountingBytes.searches += 1
        return super().__contains__(item)  # type: ignore[operator]


def test_the_edits_of_a_file_look_for_its_line_endings_once() -> None:
    """An edit keeps the file's line endings; n call sites of a deploy helper make n edits, so the
    file is searched for `\\r\\n` once, not once per edit (that made a lint with a fix quadratic)."""
    from imagetag_lint.fix.edits import edit
    from imagetag_lint.golang.model import SourceFile
    from imagetag_lint.golang.parser import parse

    source = _CountingBytes(b"package e2e\r\n\r\nfunc f() {\r\n}\r\n")
    file = SourceFile("e2e.go", "/e2e", source, parse(source), "e2e", {})
    file.position(0)  # the line index is made once, with a search per line
    _CountingBytes.searches = 0
    edits = [edit(file, 10, 10, "\nvar x = 1\n") for _ in range(100)]
    assert {e.content for e in edits} == {"\r\nvar x = 1\r\n"}
    assert _CountingBytes.searches <= 1


def _python_module_of_tests(size: int) -> str:
    """A fixture that builds the image, and `size` tests that each deploy a fixed copy of it: a
    finding, and a fix, per test."""
    tests = "".join(
        f"def test_{i}(core):\n"
        f"    core.create_namespaced_pod('d', {{'spec': {{'containers': [{{'image': 'localhost/api:dev{i}'}}]}}}})\n\n\n"
        for i in range(size)
    )
    return (
        "import subprocess\nimport uuid\n\nimport pytest\n\n\n@pytest.fixture(scope=\"session\")\ndef api_image():\n"
        '    tag = f"localhost/api:e2e-{uuid.uuid4().hex[:8]}"\n'
        '    subprocess.run(["docker", "build", "-t", tag, "."], check=True)\n    return tag\n\n\n' + tests
    )


def test_the_fixes_of_many_findings_in_one_python_module_grow_linearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each finding's fix is planned from the nodes it changes: it compiled and diffed the whole
    module per finding (400 findings took 30 times as long as 100). Counted: the lines of the
    linter's code run, and the characters the fix planning hands to `compile`."""
    from imagetag_lint.python import codemod

    compiled = 0

    def counting_compile(source: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal compiled
        compiled += len(source)
        return compile(source, *args, **kwargs)

    monkeypatch.setattr(codemod, "compile", counting_compile, raising=False)
    works = []
    for size in (1, 20, 80):
        root = tmp_path / str(size)
        root.mkdir()
        (root / "test_module.py").write_text(_python_module_of_tests(size))
        compiled = 0
        lines, _ = _work(root, capsys, no_cache=True)
        works.append((lines, compiled))
    base, small, large = works
    lines = (small[0] - base[0], large[0] - base[0])
    assert lines[1] <= 5 * lines[0], f"lines run beyond n=1: {lines[0]} at n=20, {lines[1]} at 4n"
    assert large[1] <= 5 * small[1], f"characters compiled: {small[1]} at n=20, {large[1]} at 4n"
