"""The imports a Python fix leaves unused: a module-level import whose name was read before the
fix and is read no more is dropped, keeping the other names of its statement."""

from __future__ import annotations

import textwrap

import pytest

from imagetag_lint.python.unused_imports import drop_imports, names_left_unused


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
