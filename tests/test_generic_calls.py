"""A generic function called with one argument (`deploy[T](img)`), which Go's grammar reads as a
conversion to a generic type, is parsed as a call: its type arguments are left out of the parse,
and its nodes keep their offsets and text (`signatures/generic_one.go` checks the findings)."""

from __future__ import annotations

import pytest
from support import finding_at

from imagetag_lint.golang.elision import data_runs
from imagetag_lint.golang.parser import Tree, captures, parse, parse_skipping, text
from imagetag_lint.golang.syntax import arguments, callee

SOURCE = b"""package p

func setup() {
	settings := map[string]string{
		"setting.0000": "template=8031",
	}
	img, err := build[string](cfg)
	deploy[int](img)
	pkg.Deploy[T, U](img,)
	deployAll[int](ctx, img)
	_ = []string(names)
}
"""


def _calls(tree: Tree) -> list[tuple[str, tuple[str | None, str], list[str], tuple[int, int]]]:
    found = captures("(call_expression) @call", tree.root_node).get("call", [])
    return [(text(c), callee(c), [text(a) for a in arguments(c)], (c.start_point.row, c.start_point.column)) for c in sorted(found, key=lambda c: c.start_byte)]


EXPECTED = [
    ("build[string](cfg)", (None, "build"), ["cfg"], (6, 13)),
    ("deploy[int](img)", (None, "deploy"), ["img"], (7, 1)),
    ("pkg.Deploy[T, U](img,)", ("pkg", "Deploy"), ["img"], (8, 1)),
    ("deployAll[int](ctx, img)", (None, "deployAll"), ["ctx", "img"], (9, 1)),
]


@pytest.mark.parametrize("elided", [False, True], ids=["whole", "with-elided-lines"])
def test_a_one_argument_generic_call_is_a_call(elided: bool) -> None:
    spans = [(start, end) for start, end, _ in data_runs(SOURCE, (b"mage",))] if elided else []
    assert bool(spans) == elided
    tree = parse_skipping(SOURCE, spans) if elided else parse(SOURCE)
    assert not tree.root_node.has_error
    assert _calls(tree) == EXPECTED
    conversions = captures("(type_conversion_expression) @c", tree.root_node).get("c", [])
    assert [text(c) for c in conversions] == ["[]string(names)"]  # a conversion that is no generic call stays one


@pytest.mark.parametrize(
    ("line", "written"),
    [(51, "`kubernautSundialImage, err := buildSundial[int](...)`"), (61, "`kubernautTelescopeImage, err := generic.Build[int](...)`")],
)
def test_the_capture_step_quotes_a_generic_builder_with_its_type_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, line: int, written: str
) -> None:
    finding = finding_at(capsys, monkeypatch, "signatures/generic_one.go", line, "IMG001")
    assert finding["steps"][0].startswith(f"capture: {written}")
