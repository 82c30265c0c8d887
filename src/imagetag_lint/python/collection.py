"""Does pytest pass fixtures to a function as arguments? A fixture fix that adds a parameter is
sound only then: a `unittest.TestCase` method runs through unittest, and a `test_*` function of a
module pytest does not collect is called by whatever runs the module, both with no arguments."""

from __future__ import annotations

import libcst as cst

from imagetag_lint.python.project import Function
from imagetag_lint.python.reach import pytest_collects
from imagetag_lint.python.syntax import Module, dotted

TEST_CLASSES = "Test"  # pytest's default `python_classes`: a prefix
UNITTEST_SUFFIX = "TestCase"  # unittest.TestCase, IsolatedAsyncioTestCase, django's TestCase, ...


def fixture_obstacle(function: Function) -> str | None:
    """Why pytest would pass no fixture to the function (None: it would)."""
    if function.fixture is not None:
        return None  # a fixture's parameters are fixtures, wherever it is defined
    module = function.module
    owner = next((a for a in module.ancestors(function.node) if isinstance(a, (cst.ClassDef, cst.FunctionDef))), None)
    if isinstance(owner, cst.FunctionDef):
        return f"pytest does not collect `{function.name}`, a function nested in another: its caller passes it no fixture"
    if isinstance(owner, cst.ClassDef):
        base = unittest_base(module, owner)
        if base is not None:
            return (f"`{function.name}` is a method of `{owner.name.value}`, a unittest test case (it derives from "
                    f"`{base}`): pytest runs it through unittest, which passes it no fixture")
    filename = module.file.filename
    if not pytest_collects(filename):
        return (f"pytest does not collect `{filename}` (its name matches neither `test_*.py` nor `*_test.py`): "
                f"whatever calls `{function.name}` passes it no fixture")
    if isinstance(owner, cst.ClassDef) and not owner.name.value.startswith(TEST_CLASSES):
        return (f"pytest does not collect the class `{owner.name.value}` (its name does not start with `Test`): "
                f"whatever calls `{function.name}` passes it no fixture")
    return None


def unittest_base(module: Module, owner: cst.ClassDef) -> str | None:
    """The base (named as the class statement names it) through which a class derives from a
    unittest test case: a base whose name ends in `TestCase`, or a class of the same module that
    does."""
    classes = {s.name.value: s for s in module.tree.body if isinstance(s, cst.ClassDef)}
    seen: set[str] = set()
    stack = [owner]
    while stack:
        current = stack.pop()
        for base in current.bases:
            name = dotted(base.value)
            if not name or base.keyword is not None:
                continue
            if name.rsplit(".", 1)[-1].endswith(UNITTEST_SUFFIX):
                return name
            if name in classes and name not in seen:
                seen.add(name)
                stack.append(classes[name])
    return None
