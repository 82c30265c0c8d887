"""A fix that adds an image parameter to a deploy helper must put the argument where the
parameter goes and never break the build; where it cannot know every use of the helper, the fix
is for a person.

The corpus (`signatures/`) checks the findings and the golden `.go.fixed` files; this checks
what the corpus does not: each finding's applicability and why, by the function it is in, and a
run that does not lint some callers."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from support import FIXTURES, copy_corpus, gofmt_unformatted, run_go

from imagetag_lint.cli import main

EXPECTED = {  # function -> (applicability, what the fix message says)
    "SetupCourier": ("safe", "capture"),  # a variadic helper: the argument goes before the flags
    "SetupBroker": ("safe", "capture"),  # `namespace, tier string` count as two
    "SetupCacheComponent": ("safe", "capture"),  # a method no interface of the package names
    "SetupScheduler": ("safe", "capture"),  # every caller is linted
    "SetupTracer": ("safe", "capture"),  # a generic helper called with its type argument
    "SetupHygrometer": ("safe", "capture"),  # a generic helper of one argument, `deployHygrometer[int](ctx)`
    "SetupSundial": ("safe", "capture"),  # a generic build helper of one argument, `buildSundial[int](w)`
    "SetupTelescope": ("safe", "capture"),  # a generic build helper of another package, `generic.Build[int](w)`
    "SetupProfiler": ("unsafe", "the signature of the exported `Deploy` changes"),  # `generic.Deploy[int64](...)`
    "SetupWebhook": ("unsafe", "the signature of the exported `Webhook` changes"),
    "SetupGatewayComponent": ("display-only", r"`deployGateway` may implement an interface \(the one at signatures/methods.go:13"),
    "SetupBilling": ("display-only", "`DeployBilling` is an exported method, which may implement an interface"),
    "SetupAudit": ("display-only", r"the name `deployAudit` appears other than in a call \(at signatures/methods.go:93\)"),
    "SetupIngress": ("display-only", r"the name `Ingress` appears other than in a call \(at signatures/values.go:12\)"),
    "SetupGauge": ("display-only", r"the name `deployGauge` appears other than in a call \(at signatures/shadowed.go:28\)"),  # a local closure
    "SetupMailer": ("display-only", "signatures/dotted/dotted.go imports `Mailer`'s package with a dot"),
    "SetupRouter": ("display-only", "a call of `deployRouter` at signatures/multivalue.go:28 passes several results of one call"),
    "SetupLogger": ("display-only", "a call of `deployLogger` at signatures/multivalue.go:49 passes several results of one call"),
}


def _function_at(filename: str, row: int, root: Path = FIXTURES) -> str:
    """The name of the Go function whose declaration is the last one at or above the row."""
    name = ""
    for line in (root / filename).read_text().splitlines()[:row]:
        match = re.match(r"func (?:\([^)]*\) )?(\w+)\(", line)
        if match:
            name = match.group(1)
    return name


def _report(root: Path, *arguments: str) -> dict[str, tuple[str, str]]:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.chdir(root)
        main(["--output-format", "json", "--exit-zero", "--no-cache", "--select", "IMG001", *arguments])
    found = {}
    for finding in json.loads(out.getvalue()):
        function = _function_at(finding["filename"], finding["location"]["row"], root)
        assert function not in found, function
        found[function] = (finding["fix"]["applicability"], finding["fix"]["message"])
    return found


def test_each_helper_gets_the_fix_its_signature_allows() -> None:
    found = _report(FIXTURES, "--isolated", "signatures")
    assert sorted(found) == sorted(EXPECTED)
    for function, (applicability, message) in EXPECTED.items():
        assert found[function][0] == applicability, (function, found[function])
        assert re.search(message, found[function][1]), (function, found[function])


def test_a_caller_the_run_does_not_lint_leaves_the_helper_to_a_person(tmp_path: Path) -> None:
    """With the other callers excluded (in the helper's package, and in another package of the
    module), --fix --unsafe-fixes changes neither helper, and the module still builds."""
    root = copy_corpus(tmp_path)
    (root / ".imagetag-lint.toml").write_text('exclude = ["signatures/tools/", "signatures/scheduler_legacy.go"]\n')
    found = _report(root, "signatures")
    assert found["SetupScheduler"] == (
        "display-only",
        (
            "`deployScheduler` is also called in signatures/scheduler_legacy.go, which this run does not "
            "lint; add an `imageName string` parameter to it and update every call by hand"
        ),
    )
    assert found["SetupWebhook"][0] == "display-only"
    assert "`Webhook` is also called in signatures/tools/main.go, which this run does not lint" in found["SetupWebhook"][1]
    before = {p: p.read_bytes() for p in (root / "signatures").rglob("*.go")}
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
        patch.chdir(root)
        main(["--fix", "--unsafe-fixes", "--exit-zero", "--no-cache", "--quiet", "signatures"])
    after = {p: p.read_bytes() for p in before}
    for name in ("scheduler.go", "scheduler_legacy.go", "values.go", "deploy/deploy.go", "tools/main.go"):
        path = root / "signatures" / name
        assert after[path] == before[path], name
    assert after[root / "signatures" / "variadic.go"] != before[root / "signatures" / "variadic.go"]  # the rest is fixed
    for command in (["build", "./signatures/..."], ["vet", "./signatures/..."]):
        result = run_go(command, root)
        assert result.returncode == 0, result.stderr
    assert gofmt_unformatted(root / "signatures") == ""
