"""An item put into a parameter or argument list follows the list's layout (fix.edits.insert_item):
on a line of its own where the list stands one item per line, else beside the item before it and
after the comment that belongs to that item; the result is what gofmt prints."""

from __future__ import annotations

import subprocess

import pytest
from support import go_binary

from imagetag_lint.fix.edits import apply_edits, insert_item
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import captures, parse


def gofmt(source: str) -> str:
    done = subprocess.run([str(go_binary().parent / "gofmt")], input=source, capture_output=True, text=True, check=True, timeout=60)
    return done.stdout


def put(call: str, position: int) -> str:
    source = f"package x\n\nfunc f() {{\n\t{call}\n}}\n".encode()
    file = SourceFile("x.go", ".", source, parse(source), "x", {})
    listing = captures("(argument_list) @list", file.tree.root_node)["list"][0]
    items = [n for n in listing.named_children if n.type != "comment"]
    return apply_edits(source, [insert_item(file, listing, items, position, "img")]).decode().split("\t", 1)[1].rsplit("\n}", 1)[0]


@pytest.mark.parametrize(
    ("call", "position", "expected"),
    [
        pytest.param("g()", 0, "g(img)", id="empty"),
        pytest.param("g(ctx, ns)", 2, "g(ctx, ns, img)", id="last"),
        pytest.param("g(ctx, flags...)", 1, "g(ctx, img, flags...)", id="before-a-spread"),
        pytest.param("g(flag)", 0, "g(img, flag)", id="first"),
        pytest.param("g(ctx, ns /* the test's */)", 2, "g(ctx, ns /* the test's */, img)", id="after-the-comment-of-the-last"),
        pytest.param("g(ctx /* the suite's */, ns)", 1, "g(ctx /* the suite's */, img, ns)", id="after-the-comment-of-the-one-before"),
        pytest.param("g(\n\t\tctx,\n\t\tns,\n\t)", 2, "g(\n\t\tctx,\n\t\tns,\n\t\timg,\n\t)", id="one-per-line"),
        pytest.param("g(\n\t\tctx, // the suite's\n\t\tns,\n\t)", 1, "g(\n\t\tctx, // the suite's\n\t\timg,\n\t\tns,\n\t)", id="one-per-line-after-a-line-comment"),
        pytest.param("g(\n\t\tflag,\n\t)", 0, "g(\n\t\timg,\n\t\tflag,\n\t)", id="one-per-line-first"),
        pytest.param("g(\n\t\tctx, ns,\n\t)", 2, "g(\n\t\tctx, ns, img,\n\t)", id="several-on-a-line"),
        pytest.param("g(ctx,\n\t\tns,\n\t)", 1, "g(ctx, img,\n\t\tns,\n\t)", id="beside-an-item-after-the-parenthesis"),
        pytest.param("g(ctx, Config{\n\t\tName: ns,\n\t})", 2, "g(ctx, Config{\n\t\tName: ns,\n\t}, img)", id="after-a-literal-on-lines"),
    ],
)
def test_an_item_follows_the_list_s_layout(call: str, position: int, expected: str) -> None:
    fixed = put(call, position)
    assert fixed == expected
    whole = f"package x\n\nfunc f() {{\n\t{fixed}\n}}\n"
    assert gofmt(whole) == whole
