"""A fixed reference beside a build run once per row the analysis cannot tell apart (rows it
cannot read, an argument it cannot work out from the row): the IMG002 says what is unknown,
its fix is by hand for that reason, and no drop of the build stands in for it."""

from __future__ import annotations

from python_support import PYTHON_FIXTURES, package_sources

from imagetag_lint.enums import Applicability
from imagetag_lint.findings import Finding
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import load_rule_set

SOURCES = package_sources(PYTHON_FIXTURES / "handoffs")


def _findings_in(test: str) -> list[Finding]:
    source = SOURCES["handoffs/test_rows.py"].decode()
    first = source[: source.index(f"def {test}(")].count("\n") + 1
    following = source.find("\ndef ", source.index(f"def {test}("))
    last = source[:following].count("\n") + 1 if following != -1 else source.count("\n") + 1
    found = lint_python_sources(SOURCES, load_rule_set()).findings
    return [f for f in found if f.filename == "handoffs/test_rows.py" and first <= f.span.start.row <= last]


def test_the_fix_is_by_hand_because_the_rows_are_not_read() -> None:
    drop, copy = _findings_in("test_rows_of_a_parameter")
    assert (drop.code, copy.code) == ("IMG001", "IMG002")
    assert drop.related == ()
    assert copy.fix is not None and copy.fix.applicability == Applicability.DISPLAY_ONLY
    assert copy.fix.message == (
        "`build` runs once per row of `services`, whose rows the analysis cannot read, so whether one of those "
        "builds names its repository is unknown; no edit can do this soundly; follow the four steps by hand")


def test_a_row_made_into_what_is_not_followed_pairs_nothing() -> None:
    drop, copy = _findings_in("test_rows_made_into_what_is_not_followed")
    assert drop.related == ()
    assert "with `svc.upper()`, which the analysis cannot work out from the row" in copy.message


def test_text_around_the_row_pairs_the_row_s_own_build() -> None:
    drop, = _findings_in("test_formatted_rows_dropped")
    assert [r.message for r in drop.related] == [
        "the deployment here gets `localhost/row-o-svc:e2e` instead (a string literal)"]
    drop, copy = _findings_in("test_formatted_rows_dropped_beside_a_bare_row")
    assert drop.related == () and copy.code == "IMG002"
