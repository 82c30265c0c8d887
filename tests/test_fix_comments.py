"""Trailing comments after a fix are where gofmt puts them (fix/comments.py), checked against the
real gofmt of the test extra's Go toolchain."""

from __future__ import annotations

import subprocess

import pytest
from support import go_binary

from imagetag_lint.fix.comments import realign_trailing_comments
from imagetag_lint.golang.parser import parse

SOURCE = """package x

func f() {
	_ = build("api") // the api
	_ = build("web") // the web
	if err := g(); err != nil { // stop early
		return // done
	}
	n := 1 // not edited

	s := "a // b" // a string with slashes
	_ = s         // beside it
	deploy(
		ctx,       // the suite's
		namespace, // the test's
	)
}

func deploy(
	ctx context.Context, // the suite's
	namespace string, // the test's
) {
}
"""


def gofmt(source: str) -> str:
    done = subprocess.run([str(go_binary().parent / "gofmt")], input=source, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


@pytest.mark.parametrize(
    ("old", "new", "misaligned"),
    [
        pytest.param('_ = build("api")', 'apiImage := build("api")', True, id="longer-first-line"),
        pytest.param('_ = build("web")', 'shopWebImage := build("web")', True, id="longer-second-line"),
        pytest.param("if err := g(); err != nil {", "if err := gg(); err != nil {", True, id="another-block"),
        pytest.param("_ = s", "_ = strings(s)", True, id="beside-a-string-with-slashes"),
        pytest.param("n := 1", "number := 1", False, id="alone"),
        pytest.param("ctx,       // the suite's\n", "ctx,       // the suite's\n\t\timageName,\n", True, id="a-line-without-one-inserted-in-a-block"),
        pytest.param("\t\tnamespace, // the test's\n", "", True, id="a-line-deleted-from-a-block"),
        pytest.param("\tnamespace string, // the test's\n", "\tnamespace string, // the test's\n\timageName string,\n", False, id="parameters-stand-apart"),
        pytest.param("\tctx context.Context,", "\tctx context.Context, imageName string,", False, id="a-longer-parameter-line"),
    ],
)
def test_an_edited_line_leaves_its_block_as_gofmt_aligns_it(old: str, new: str, misaligned: bool) -> None:
    before = gofmt(SOURCE)  # aligned as gofmt aligns it
    edited = before.replace(old, new, 1)
    assert edited != before and (gofmt(edited) != edited) is misaligned  # what the edit alone leaves
    aligned = realign_trailing_comments(before.encode(), edited.encode(), parse(edited.encode()).root_node).decode()
    assert aligned == gofmt(edited)


def test_a_file_no_edit_touched_is_left_alone() -> None:
    source = "package x\n\nvar a = 1 // one\nvar bb = 2  // two\n"
    assert realign_trailing_comments(source.encode(), source.encode(), parse(source.encode()).root_node) == source.encode()
