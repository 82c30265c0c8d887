"""The build oracle: a program that compiles must still compile (and pass `go vet`) after `--fix`
and after `--fix --unsafe-fixes`, and a second `--fix` must change nothing.

The programs come from `fixbuild.programs` and are checked in batches (one module, one `go build`
and one `go vet` per batch). The CI profile checks a few batches (about a minute); set
`IMAGETAG_LINT_LONG=1` for thousands of programs (`IMAGETAG_LINT_LONG=3000` sets the number of
batches), which prints a tally of what the fixer did to each shape.

Every counterexample becomes a fixture under `tests/fixtures/fixbuild/`, checked below. While
one is not fixed yet, its test is a strict xfail (a planner change that fixes it makes the test
say so) and `KNOWN` holds the compiler's message that the property tolerates; today every
recorded case builds, and any failure fails the property.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fixbuild import (
    MODULE,
    Outcome,
    Program,
    check_batch,
    fix,
    fresh,
    go_failures,
    programs,
    snapshot,
)
from fixbuild import write_module as write_fixbuild_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import chdir

from imagetag_lint.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "fixbuild"
LONG = os.environ.get("IMAGETAG_LINT_LONG", "")
# the CI profile (tests/conftest.py) gives about a minute; the long run thousands of programs
BATCHES = (int(LONG) if LONG.isdigit() and int(LONG) > 1 else 1000) if LONG else max(8, settings.default.max_examples // 4)
BATCH_SIZE = 8

# The compiler's message for each failure a fixture under FIXTURES records.
KNOWN: dict[str, re.Pattern[str]] = {}  # a known failure's name -> the compiler's message (none today)
TALLY: Counter[str] = Counter()


def known_failure(errors: str) -> str | None:
    return next((name for name, pattern in KNOWN.items() if pattern.search(errors)), None)


def _record(outcome: Outcome) -> None:
    log = os.environ.get("IMAGETAG_LINT_LONG_LOG")
    if log:  # one line per program, so a run stopped early still has its figures
        with open(log, "a", encoding="utf-8") as handle:
            errors = [line for line in outcome.build_errors.splitlines() if ": " in line and not line.startswith("#")]
            entry = {"variant": outcome.variant, "shape": outcome.program.shape, "changed": outcome.changed,
                     "broken": known_failure(outcome.build_errors) or ("NEW" if outcome.broken else ""),
                     "error": errors[0] if errors else "", "unstable": outcome.unstable}  # fmt: skip
            handle.write(json.dumps(entry) + "\n")
    TALLY["programs"] += 1
    TALLY[f"changed ({outcome.variant})"] += outcome.changed
    if outcome.broken:
        TALLY[f"broke the build ({outcome.variant})"] += 1
        TALLY[f"  {known_failure(outcome.build_errors) or 'NEW'}: {outcome.program.shape}"] += 1
    if outcome.unstable:
        TALLY[f"second --fix changed it ({outcome.variant})"] += 1


@settings(
    max_examples=BATCHES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not LONG,  # CI checks the same batches every run; the long run explores
)
@given(batch=st.lists(programs(), min_size=1, max_size=BATCH_SIZE))
def test_fixed_programs_still_build_and_fix_again_to_nothing(tmp_path_factory: pytest.TempPathFactory, batch: list[Program]) -> None:
    with fresh(tmp_path_factory.getbasetemp()) as root:
        outcomes = check_batch(root, batch)
    for outcome in outcomes:
        if LONG:  # the long run tallies every outcome and judges them at the end
            _record(outcome)
            continue
        assert not outcome.unstable, f"a second {outcome.variant} --fix changed {outcome.program.shape}"
        if outcome.broken:
            assert known_failure(outcome.build_errors), (
                f"{outcome.variant} --fix broke the build of {outcome.program.shape}:\n{outcome.build_errors}"
            )


@pytest.mark.skipif(not LONG, reason="the tally of the long run (IMAGETAG_LINT_LONG=1)")
def test_long_run_tally() -> None:
    print("\n" + json.dumps(dict(sorted(TALLY.items())), indent=1))
    assert TALLY["programs"] > 0
    assert not [key for key in TALLY if "NEW" in key or key.startswith("second")], "failures no fixture records"


# -- the counterexamples, one fixture package each ---------------------------------------------------


def fixture_module(root: Path, case: str, variant: str = "safe") -> Path:
    """A module holding the stub packages and the fixture package `case` as `variant/p0` (the
    fixtures import their own subpackages from `safe/p0`)."""
    write_fixbuild_module(root, [])
    package = root / variant / "p0"
    shutil.copytree(FIXTURES / case, package)
    for path in package.rglob("*.go"):
        path.write_text(path.read_text().replace(f"{MODULE}/safe/p0", f"{MODULE}/{variant}/p0"))
    return package


def fixed_builds(root: Path, variant: str) -> str:
    """Fix the module, and say what went wrong: the compiler's and vet's output, or a second
    --fix that still changes something; empty when all is well."""
    fix(root, variant)
    failures = "\n".join(go_failures(root).values())
    after = snapshot(root)
    fix(root, variant)
    if snapshot(root) != after:
        failures += "\na second --fix changed the package"
    return failures


BOTH = ("safe", "unsafe")
CASES = {  # fixture package: (what went wrong, the variants it still goes wrong in)
    "caller_in_another_file": (
        (
            "the deploy helper gets an image parameter, but its call in another file of the package "
            "(a file with no image text, which is not parsed) keeps the old arguments: "
            "'not enough arguments in call to deployAlpha'"
        ),
        (),
    ),
    "exported_helper_other_package": (
        (
            "with --unsafe-fixes the exported helper in another package gets an image parameter, but its "
            "call in the building package keeps the old arguments and the captured name is left unused: "
            "'declared and not used: alphaImage', 'not enough arguments in call to deploy.DeployAlpha'"
        ),
        (),
    ),
    "manifest_helper_other_caller": (
        (
            "a deploy helper that writes its image into a fmt.Sprintf YAML template gets an image parameter; "
            "the call that has the built name passes it, another call in the same file gets an empty argument "
            "('deployAlpha(ctx, w, )'): 'not enough arguments in call to deployAlpha'"
        ),
        (),
    ),
    "reference_variable_unused": (
        (
            "the built name replaces the variable that held the old reference at the deploy call, and "
            "the variable's declaration stays: 'declared and not used: alphaRef'"
        ),
        (),
    ),
}


def test_every_fixture_case_is_listed() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(CASES)


def test_the_fixtures_compile_before_the_fix(tmp_path: Path) -> None:
    for case in CASES:
        root = tmp_path / case
        fixture_module(root, case)
        assert go_failures(root) == {}, case


def _fixture_params() -> list[Any]:
    params = []
    for case, (reason, failing) in CASES.items():
        for variant in BOTH:
            marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if variant in failing else []
            params.append(pytest.param(case, variant, marks=marks, id=f"{case}-{variant}"))
    return params


@pytest.mark.parametrize(("case", "variant"), _fixture_params())
def test_fixture_still_builds_after_the_fix(tmp_path: Path, case: str, variant: str) -> None:
    fixture_module(tmp_path, case, variant)
    assert fixed_builds(tmp_path, variant) == ""


CALL_SITES = 201


def many_call_sites(count: int) -> str:
    calls = "".join(f'\tif err := deployAlpha(ctx, "n{i}"); err != nil {{\n\t\treturn err\n\t}}\n' for i in range(count))
    return f"""package p0

import (
	"context"

	"{MODULE}/infrastructure"
	"{MODULE}/k8s"
)

func Setup(ctx context.Context) error {{
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{{ImageName: "alpha"}}, nil); err != nil {{
		return err
	}}
{calls}	return nil
}}

func deployAlpha(ctx context.Context, namespace string) error {{
	return k8s.Apply(ctx, k8s.Container{{Name: namespace, Image: "localhost/alpha:e2e-test"}})
}}
"""


def test_a_helper_with_201_call_sites_is_fixed_in_one_run(tmp_path: Path) -> None:
    write_fixbuild_module(tmp_path, [])
    (tmp_path / "safe" / "p0").mkdir(parents=True)
    (tmp_path / "safe" / "p0" / "setup.go").write_text(many_call_sites(CALL_SITES))
    assert go_failures(tmp_path) == {}
    fix(tmp_path, "safe")
    assert go_failures(tmp_path) == {}
    left = [f for f in lint_json(tmp_path) if f["fix"]["applicability"] == "safe"]  # one lint: cheaper than a --fix
    assert left == [], f"{len(left)} findings with a safe fix are left after one --fix"
    assert (tmp_path / "safe" / "p0" / "setup.go").read_text().count(", alphaImage); err != nil") == CALL_SITES


def lint_json(root: Path) -> list[dict[str, Any]]:
    out = io.StringIO()
    with chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["safe", "--isolated", "--output-format", "json"])
    return json.loads(out.getvalue())  # type: ignore[no-any-return]
