"""The locals a Python fix leaves unread: a local the code read before the fix and reads no more
goes when every assignment of it is a line of its own whose value runs nothing; the imports only
its value read go after it."""

from __future__ import annotations

import textwrap

import pytest

from imagetag_lint.python.dead_locals import drop_locals_left_unread
from imagetag_lint.python.unused_imports import drop_unused

BEFORE = "def t():\n    image = {value}\n    deploy(image)\n"
AFTER = "def t():\n    image = {value}\n    deploy(built)\n"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(BEFORE.format(value='"localhost/app:e2e"'), AFTER.format(value='"localhost/app:e2e"'),
                     "def t():\n    deploy(built)\n", id="a-literal"),
        pytest.param("from c import A\n" + BEFORE.format(value="A"), "from c import A\n" + AFTER.format(value="A"),
                     "def t():\n    deploy(built)\n", id="an-imported-name-and-its-import"),
        pytest.param("from c import R\n" + BEFORE.format(value='f"{R}/app"'), "from c import R\n" + AFTER.format(value='f"{R}/app"'),
                     "def t():\n    deploy(built)\n", id="an-f-string-of-names"),
        pytest.param("import c\n" + BEFORE.format(value="c.d.A"), "import c\n" + AFTER.format(value="c.d.A"),
                     "def t():\n    deploy(built)\n", id="an-attribute-of-a-module"),
        pytest.param("def t():\n    image = 'a'\n    # why\n\n    image = 'b'\n    deploy(image)\n",
                     "def t():\n    image = 'a'\n    # why\n\n    image = 'b'\n    deploy(built)\n",
                     "def t():\n    # why\n\n    deploy(built)\n", id="every-assignment-and-the-comments-stay"),
        pytest.param("def t():\n    from s import A, B\n\n    image = f'{A}/{B}'\n    deploy(image)\n",
                     "def t():\n    from s import A, B\n\n    image = f'{A}/{B}'\n    deploy(built)\n",
                     "def t():\n    deploy(built)\n", id="a-function-import-only-its-value-read"),
        pytest.param("def t():\n    from s import A, B\n    image = f'{A}'\n    deploy(image)\n    log(B)\n",
                     "def t():\n    from s import A, B\n    image = f'{A}'\n    deploy(built)\n    log(B)\n",
                     "def t():\n    from s import A, B\n    deploy(built)\n    log(B)\n",
                     id="a-function-import-with-a-name-still-read"),
        pytest.param("class T:\n    def t(self):\n        image = 'a'\n        deploy(image)\n",
                     "class T:\n    def t(self):\n        image = 'a'\n        deploy(built)\n",
                     "class T:\n    def t(self):\n        deploy(built)\n", id="a-method"),
    ],
)
def test_a_local_left_unread_is_dropped(before: str, after: str, expected: str) -> None:
    assert drop_unused(textwrap.dedent(before), textwrap.dedent(after)) == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(BEFORE.format(value="'a'") + "    print(image)\n", AFTER.format(value="'a'") + "    print(image)\n",
                     id="read-elsewhere"),
        pytest.param("def t():\n    image = 'a'\n    def inner():\n        return image\n    deploy(image)\n    inner()\n",
                     "def t():\n    image = 'a'\n    def inner():\n        return image\n    deploy(built)\n    inner()\n",
                     id="read-in-a-nested-def"),
        pytest.param("def t():\n    image = 'a'\n    deploy([image for _ in range(2)])\n    deploy(image)\n",
                     "def t():\n    image = 'a'\n    deploy([image for _ in range(2)])\n    deploy(built)\n",
                     id="read-in-a-comprehension"),
        pytest.param("image = 'a'\ndeploy(image)\n", "image = 'a'\ndeploy(built)\n", id="module-level"),
        pytest.param(BEFORE.format(value="ref('app')"), AFTER.format(value="ref('app')"), id="a-call"),
        pytest.param(BEFORE.format(value="obj.image"), AFTER.format(value="obj.image"), id="an-attribute-of-an-object"),
        pytest.param(BEFORE.format(value='f"{ref()}"'), AFTER.format(value='f"{ref()}"'), id="an-f-string-with-a-call"),
        pytest.param("def t():\n    image = 'a'\n    if x:\n        image = make()\n    deploy(image)\n",
                     "def t():\n    image = 'a'\n    if x:\n        image = make()\n    deploy(built)\n",
                     id="another-assignment-is-a-call"),
        pytest.param("def t():\n    if x:\n        image = 'a'\n    else:\n        image = 'b'\n    deploy(image)\n",
                     "def t():\n    if x:\n        image = 'a'\n    else:\n        image = 'b'\n    deploy(built)\n",
                     id="the-only-line-of-a-block"),
        pytest.param("def t():\n    global image\n    image = 'a'\n    deploy(image)\n",
                     "def t():\n    global image\n    image = 'a'\n    deploy(built)\n", id="global"),
        pytest.param("def t():\n    image = 'a'\n    deploy(image)\n    locals()\n",
                     "def t():\n    image = 'a'\n    deploy(built)\n    locals()\n", id="locals"),
        pytest.param(BEFORE.format(value="'a'") + "    del image\n", AFTER.format(value="'a'") + "    del image\n",
                     id="deleted"),
        pytest.param(BEFORE.format(value="'a'") + "    image += 'b'\n", AFTER.format(value="'a'") + "    image += 'b'\n",
                     id="augmented"),
        pytest.param("def t():\n    image = 'a'\n    deploy(built)\n", "def t():\n    image = 'a'\n    deploy(built)\n",
                     id="unread-before-the-fix"),
        pytest.param("def t():\n    image, tag = 'a', 'b'\n    deploy(image, tag)\n",
                     "def t():\n    image, tag = 'a', 'b'\n    deploy(built, tag)\n", id="an-unpacking"),
        pytest.param("def t():\n    image = 'a'; deploy(image)\n", "def t():\n    image = 'a'; deploy(built)\n",
                     id="not-alone-on-its-line"),
        pytest.param("def t():\n    image = 'a'\n    deploy(image)\ndef t():\n    image = 'a'\n    deploy(image)\n",
                     "def t():\n    image = 'a'\n    deploy(built)\ndef t():\n    image = 'a'\n    deploy(image)\n",
                     id="two-defs-of-one-name"),
    ],
)
def test_noop(before: str, after: str) -> None:
    assert drop_locals_left_unread(textwrap.dedent(before), textwrap.dedent(after)) == (textwrap.dedent(after), [])
