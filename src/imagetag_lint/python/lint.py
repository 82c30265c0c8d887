"""The Python front-end's pure core: `{display name: bytes}` in, findings (with fixes) out.

Files pass the bytes prefilter first; libcst is imported only when one does. A second pass
reads the skipped files for the names of the functions and fixtures the first pass found
(a test that requests a fixture or calls a deploy helper may mention no token of its own).
"""

from __future__ import annotations

from collections.abc import Collection

from imagetag_lint.errors import InputError
from imagetag_lint.findings import Finding
from imagetag_lint.python.prefilter import wants
from imagetag_lint.record import field, record
from imagetag_lint.rules import RuleSet

CODES = frozenset({"IMG001", "IMG002", "IMG003"})


@record
class PythonResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)  # display names of the files libcst read


def lint_python_sources(sources: dict[str, bytes], rule_set: RuleSet, select: frozenset[str] = CODES,
                        reported: Collection[str] | None = None) -> PythonResult:
    """Lint the sources as one project; `reported` names the files whose findings are shown
    (None: all), which decides whether a drop is seen (see `check_project`)."""
    result = PythonResult()
    producers = [p.name for p in rule_set.flow.python_producers]
    candidates = {name: source for name, source in sources.items() if wants(source, producers)}
    if not candidates:
        return result
    from imagetag_lint.python.checks import check_project  # libcst: only now
    from imagetag_lint.python.flow import Flow
    from imagetag_lint.python.project import Project, word_pattern
    from imagetag_lint.python.source import PythonFile
    from imagetag_lint.python.syntax import Module, ParseError

    modules: list[Module] = []

    def parse(names: list[str]) -> None:
        for name in names:
            try:
                modules.append(Module(PythonFile(name, sources[name])))
            except ParseError as error:
                result.errors.append(InputError(name, str(error)))
            result.parsed.append(name)

    settings, producers_ = rule_set.flow.python_settings(), rule_set.flow.python_producers
    parse(sorted(candidates))
    first = Flow(Project(modules, sources), settings, producers_)
    names = sorted({f.fixture or f.name for f in first.summarised()})
    pattern = word_pattern(names)
    before = len(modules)
    if pattern is not None:
        words = [n.encode() for n in names]
        # the literal `in` first: the regular expression's word boundaries cost ten times more
        parse(sorted(n for n, s in sources.items()
                     if n not in candidates and any(w in s for w in words) and pattern.search(s)))
    flow = first if len(modules) == before else Flow(Project(modules, sources, first.project), settings, producers_)
    result.findings = check_project(flow, rule_set, select, reported)
    return result
