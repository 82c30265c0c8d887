"""The Python front-end's pure core: `{display name: bytes}` in, findings (with fixes) out.

Files pass the bytes prefilter first; libcst is imported only when one does. Later passes
read the skipped files for the names of the functions and fixtures the passes before found
(a test that requests a fixture or calls a deploy helper may mention no token of its own, a
fixture may wrap a builder, a conftest.py may only import a fixture).
"""

from __future__ import annotations

from collections.abc import Collection

from imagetag_lint.errors import InputError
from imagetag_lint.findings import Finding
from imagetag_lint.python.prefilter import wants
from imagetag_lint.record import field, record
from imagetag_lint.rules import RuleSet

CODES = frozenset({"IMG001", "IMG002", "IMG003"})
PASSES = 4  # rounds of reading the files that mention what the rounds before found


@record
class PythonResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)  # display names of the files libcst read


def lint_python_sources(sources: dict[str, bytes], rule_set: RuleSet, select: frozenset[str] = CODES,
                        reported: Collection[str] | None = None, pythonpath: tuple[str, ...] = ()) -> PythonResult:
    """Lint the sources as one project; `reported` names the files whose findings are shown
    (None: all), which decides whether a drop is seen (see `check_project`); `pythonpath` holds
    the directories (display names) pytest's setting of that name puts on `sys.path`."""
    result = PythonResult()
    producers = [p.name for p in rule_set.flow.python_producers]
    candidates = {name: source for name, source in sources.items() if wants(source, producers)}
    if not candidates:
        return result
    from imagetag_lint.python.checks import check_project  # libcst: only now
    from imagetag_lint.python.flow import Flow
    from imagetag_lint.python.project import Project, constant_modules, word_pattern
    from imagetag_lint.python.source import PythonFile
    from imagetag_lint.python.syntax import Module, ParseError
    from imagetag_lint.python.syspath import SysPath, adds_to_sys_path

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
    def with_constants(project: Project) -> Project:
        constants = constant_modules(project, sources)  # an image may be another module's constant
        if not constants:
            return project
        parse(constants)
        return Project(modules, sources, project)

    sys_path = SysPath(((n, s) for n, s in sources.items() if adds_to_sys_path(n, s)), pythonpath=pythonpath)
    flow = Flow(with_constants(Project(modules, sources, sys_path=sys_path)), settings, producers_)
    seen: set[str] = set()
    for _ in range(PASSES):
        # a wrapper or fixture found this pass may be all another file mentions: a test that
        # requests a fixture, a conftest.py that imports it (or names its module a plugin), a
        # test that applies a manifest constant of another module
        names = sorted(({f.fixture or f.name for f in flow.summarised()} | flow.manifest_constants()) - seen)
        pattern = word_pattern(names)
        if pattern is None:
            break
        words = [n.encode() for n in names]
        parsed = set(result.parsed)
        # the literal `in` first: the regular expression's word boundaries cost ten times more
        more = sorted(n for n, s in sources.items() if n not in parsed and (
            (any(w in s for w in words) and pattern.search(s)) or (not seen and _gathers_fixtures(n, s))))
        seen.update(names)
        if not more:
            break
        parse(more)
        # a test read for a helper it calls may deploy a constant of a module not read yet
        flow = Flow(with_constants(Project(modules, sources, flow.project)), settings, producers_)
    result.findings = check_project(flow, rule_set, select, reported)
    return result


def _gathers_fixtures(name: str, source: bytes) -> bool:
    """A conftest.py whose fixtures may come from elsewhere without naming them: a star import,
    or `pytest_plugins`."""
    return name.rsplit("/", 1)[-1] == "conftest.py" and (b"pytest_plugins" in source or b"import *" in source)
