"""The imports a Python fix leaves unused: a module-level import whose name was read before the
fix and is read no more is dropped, keeping the other names of its statement."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Fix
from imagetag_lint.fix.edits import apply_edits
from imagetag_lint.python import unused_imports
from imagetag_lint.python.source import PythonFile
from imagetag_lint.python.syntax import Module
from imagetag_lint.python.unused_imports import (
    drop_imports,
    fix_dropping_unused,
    names_left_unused,
)


def _dropped(before: str, after: str) -> str:
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    return drop_imports(after, names_left_unused(before, after))


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param("from c import A\nf(A)\n", "from c import A\nf(a)\n", "f(a)\n", id="the-only-name"),
        pytest.param("from c import A, B\nf(A, B)\n", "from c import A, B\nf(a, B)\n",
                     "from c import B\nf(a, B)\n", id="one-of-two"),
        pytest.param("from .c import (\n    A,\n    B,\n)\nf(A, B)\n", "from .c import (\n    A,\n    B,\n)\nf(A, b)\n",
                     "from .c import (\n    A,\n)\nf(A, b)\n", id="parenthesized"),
        pytest.param("from c import A as X\ndef t():\n    f(X)\n", "from c import A as X\ndef t():\n    f(x)\n",
                     "def t():\n    f(x)\n", id="an-alias-read-in-a-function"),
        pytest.param("import c, d\nf(c.A, d)\n", "import c, d\nf(a, d)\n", "import d\nf(a, d)\n", id="a-module"),
        pytest.param("import e2e.settings\nimport e2e.deploy\ne2e.deploy.f(e2e.settings.A)\n",
                     "import e2e.settings\nimport e2e.deploy\ne2e.deploy.f(a)\n",
                     "import e2e.deploy\ne2e.deploy.f(a)\n", id="a-dotted-module"),
    ],
)
def test_an_import_left_unused_is_dropped(before: str, after: str, expected: str) -> None:
    assert _dropped(before, after) == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("from c import A\nf(A, A)\n", "from c import A\nf(a, A)\n", id="still-read"),
        pytest.param("from fixtures import api_image\ndef test(api_image):\n    f(API)\n",
                     "from fixtures import api_image\ndef test(api_image):\n    f(api_image)\n",
                     id="a-fixture-pytest-reads-by-name"),
        pytest.param("from c import A\n__all__ = ['A']\nf(A)\n", "from c import A\n__all__ = ['A']\nf(a)\n",
                     id="exported"),
        pytest.param("def t():\n    from c import A\n    f(A)\n", "def t():\n    from c import A\n    f(a)\n",
                     id="an-import-in-a-function"),
        pytest.param("import os.path\nf(os.path.join('a'), os.getcwd())\n", "import os.path\nf(a, os.getcwd())\n",
                     id="a-dotted-module-whose-head-is-still-read"),
    ],
)
def test_noop(before: str, after: str) -> None:
    assert _dropped(before, after) == textwrap.dedent(after)


def _fixed(source: str, at: str, old: str, new: str) -> tuple[str, str]:
    """(the file after a fix that replaces `old` where `at` last starts with `new`, its message)."""
    file = PythonFile("test_x.py", source.encode())
    start = source.rindex(at)
    fix = Fix(Applicability.SAFE, "fix", (file.edit(start, start + len(old), new),))
    fixed = fix_dropping_unused(fix, {file.filename: Module(file)}, lambda _: {"A", "build", "e2e.settings", "ONCE", "TWICE"})
    return apply_edits(file.source, list(fixed.edits)).decode(), fixed.message


@pytest.mark.parametrize(
    ("source", "at", "old", "new", "expected"),
    [
        pytest.param("from c import A\nf(A)\n", "A)", "", "x", "f(xA)\n", id="a-word-put-before-the-name"),
        pytest.param("from c import A\nf(A)\n", "A)", "", "x.", "f(x.A)\n", id="an-attribute-of-another-object"),
        pytest.param("from c import A\nf(A + b)\n", " + ", " + ", "", "f(Ab)\n", id="a-word-joined-to-it"),
        pytest.param("import e2e.settings\nf(e2e.settings.IMAGE)\n", "e2e.", "e2e.", "", "f(settings.IMAGE)\n",
                     id="the-head-of-a-dotted-name-taken"),
    ],
)
def test_an_edit_that_changes_a_word_at_its_end_is_checked(source: str, at: str, old: str, new: str,
                                                             expected: str) -> None:
    after, message = _fixed(source, at, old, new)
    assert (after, message.startswith("fix, and drop the import of")) == (expected, True)


@pytest.mark.parametrize(
    ("source", "at", "old", "new"),
    [
        pytest.param("from c import build\ndef t():\n    build()\n", "build()", "", "image = ",
                     id="an-assignment-put-before-a-call"),
        pytest.param("from c import A\nf(A, 'a')\n", "'a'", "'a'", "b", id="a-neighbour-after-a-comma"),
        pytest.param("from c import A\nf(A)\n", ")", "", ", b", id="an-argument-put-after-it"),
    ],
)
def test_an_edit_that_leaves_the_words_at_its_ends_is_not_analysed(source: str, at: str, old: str, new: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def analysed(before: str, after: str) -> list[str]:
        raise AssertionError("the scopes of the module were analysed")

    monkeypatch.setattr(unused_imports, "names_left_unused", analysed)
    assert _fixed(source, at, old, new)[1] == "fix"


def test_the_fixes_of_a_module_analyse_its_text_before_them_once(monkeypatch: pytest.MonkeyPatch) -> None:
    analysed: list[str] = []

    def counted(module: cst.Module) -> MetadataWrapper:
        analysed.append(module.code)
        return MetadataWrapper(module)

    monkeypatch.setattr(unused_imports, "MetadataWrapper", counted)
    source = "from c import ONCE, TWICE\nf(ONCE)\ng(TWICE)\n"
    for name in ("ONCE", "TWICE"):
        assert _fixed(source, name + ")", name, "x")[1] == f"fix, and drop the import of `{name}` it leaves unused"
    assert analysed.count(source) == 1
