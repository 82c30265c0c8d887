"""Deploy functions are inferred on demand (`engine/run.settle_on_demand`): a function's image
parameters are settled with the functions it may call, not with every loaded one. The answers
must be those of the fixpoint over every loaded function, whatever order the questions come in."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagetag_lint.engine import producers, sinks, templates
from imagetag_lint.engine.commands import command_facts
from imagetag_lint.engine.run import Fixpoint, settle
from imagetag_lint.files import discover
from imagetag_lint.golang.model import Function
from imagetag_lint.lint import Linter
from imagetag_lint.options import LintOptions
from imagetag_lint.rules import RuleSet, load_rule_set

TESTS = Path(__file__).parent
Answers = dict[tuple[str, int], frozenset[int]]  # (file, function start) -> image parameters


def _packages() -> list[Path]:
    files = [p for d in ("fixtures/go", "realistic") for p in (TESTS / d).rglob("*.go")]
    return sorted({p.parent for p in files})


def _linter(directory: Path, rule_set: RuleSet) -> Linter:
    discovered, errors = discover([str(directory)], directory)
    assert not errors
    linter = Linter(LintOptions(rule_set=rule_set), directory)
    linter.add([d for d in discovered if d.path.endswith(".go") and Path(d.path).parent == directory])
    return linter


def _functions(linter: Linter) -> list[Function]:
    return sorted(linter.project.functions(), key=lambda f: (f.file.filename, f.node.start_byte))


def _on_demand(directory: Path, rule_set: RuleSet, backwards: bool) -> Answers:
    linter = _linter(directory, rule_set)
    functions = _functions(linter)
    for function in reversed(functions) if backwards else functions:
        sinks.deploy_params(linter.index, function)
    # a question may have loaded files: ask every loaded function (settled ones answer at once)
    return {(f.file.filename, f.node.start_byte): sinks.deploy_params(linter.index, f) for f in _functions(linter)}


def _everywhere(directory: Path, rule_set: RuleSet) -> Answers:
    """The fixpoint over every loaded function, pass by pass from the seeds (as wrappers are)."""
    linter = _linter(directory, rule_set)
    run = linter.index
    producers.wrappers(run)
    fixpoint: Fixpoint[frozenset[int]] = Fixpoint()
    fixpoint.table = run.deploys.table  # the inference reads the callees' entries from there

    def update(function: Function) -> bool:
        params = frozenset(sinks._infer_deploy_params(run, function))
        if params and params != fixpoint.table.get(id(function)):
            fixpoint.table[id(function)] = params
            return True
        return False

    seeds = [n.encode() for n in run.flow.image_fields] + [b"image:", b"Sprintf", b"Fprintf", *templates.SEED_WORDS]
    inferred = command_facts(run).consumers.values()
    seeds += [c.name.encode() for c in (*run.flow.consumers, *inferred) if c.kind == "load"]
    settle(run, fixpoint, lambda f: bool(f.params) and f.body is not None, seeds, update, revisit_known=True)
    return {(f.file.filename, f.node.start_byte): fixpoint.table.get(id(f), frozenset()) for f in _functions(linter)}


def test_the_corpus_has_deploy_functions_to_ask_about() -> None:
    rule_set = load_rule_set()
    found = sum(1 for d in _packages() for params in _everywhere(d, rule_set).values() if params)
    assert found >= 20


@pytest.mark.parametrize("directory", [pytest.param(d, id=str(d.relative_to(TESTS))) for d in _packages()])
def test_on_demand_answers_are_the_fixpoint_s_in_any_order(directory: Path) -> None:
    rule_set = load_rule_set()
    expected = _everywhere(directory, rule_set)
    own = {key for key in expected if Path(key[0]).parent == directory}
    for backwards in (False, True):
        answers = _on_demand(directory, rule_set, backwards)
        # the fixpoint's passes may load files of other packages that no question reaches
        # (a builder chain's package): each function asked about must get the fixpoint's answer
        assert own <= answers.keys()
        assert {k: v for k, v in answers.items() if k in expected} == {k: expected[k] for k in answers if k in expected}
