"""Which file of the run an import names, by the rules of Python's import system as pytest sets it
up (the first directory above a test that is not a package is on `sys.path`, and so is the root)."""

from __future__ import annotations

import pytest

from imagetag_lint.python.imports import module_file

KNOWN = {
    "e2e/helpers.py",
    "e2e/test_flat.py",
    "e2e/pkg/__init__.py",
    "e2e/pkg/helpers.py",
    "e2e/pkg/sub/__init__.py",
    "e2e/pkg/sub/test_deep.py",
    "e2e/pkg/tools/__init__.py",
    "tools/kind.py",
}


@pytest.mark.parametrize(
    ("importer", "name", "level", "expected"),
    [
        pytest.param("e2e/test_flat.py", "helpers", 0, "e2e/helpers.py", id="beside-a-test"),
        pytest.param("e2e/test_flat.py", "tools.kind", 0, "tools/kind.py", id="from-the-root"),
        pytest.param("e2e/test_flat.py", "os.path", 0, None, id="the-standard-library"),
        pytest.param("e2e/pkg/sub/test_deep.py", "pkg.helpers", 0, "e2e/pkg/helpers.py", id="above-the-packages"),
        pytest.param("e2e/pkg/sub/test_deep.py", "helpers", 0, "e2e/helpers.py", id="not-the-package-sibling"),
        pytest.param("e2e/pkg/sub/test_deep.py", "helpers", 2, "e2e/pkg/helpers.py", id="relative-parent"),
        pytest.param("e2e/pkg/sub/test_deep.py", "", 1, "e2e/pkg/sub/__init__.py", id="relative-package"),
        pytest.param("e2e/pkg/helpers.py", "tools", 1, "e2e/pkg/tools/__init__.py", id="relative-subpackage"),
        pytest.param("e2e/test_flat.py", "helpers", 3, None, id="relative-above-the-root"),
    ],
)
def test_module_file(importer: str, name: str, level: int, expected: str | None) -> None:
    assert module_file(importer, name, level, KNOWN) == expected
