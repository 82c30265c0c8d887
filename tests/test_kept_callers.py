"""A deploy helper with another caller: the drop's fix hands that caller the fixed text it deployed
before (README, step 3), so it still deploys an image no build makes. The IMG001 says so before
`--fix` runs: the call is a related place, and step 3 names it (`fixtures/go/keptcallers`)."""

from __future__ import annotations

import json

import pytest
from support import FIXTURES

from imagetag_lint.cli import main


def findings(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: str) -> list[dict[str, object]]:
    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", path])
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def test_the_other_caller_is_a_related_place(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    [finding] = findings(capsys, monkeypatch, "keptcallers")
    related = finding["related"]
    assert isinstance(related, list)
    kept = [r for r in related if r["location"]["row"] == 24]
    assert [r["message"] for r in kept] == [
        "`RedeployTenants` also calls `deployTenants` here; step 3 passes it the fixed image "
        "`localhost/kubernaut-tenants:e2e`, so it still deploys that image: the build at "
        "keptcallers/tenants.go:16 (`infrastructure.BuildAndLoadImageToKind`) names only the repository "
        "`kubernaut-tenants`, so the builder chooses the tag"
    ]


def test_step_three_names_the_other_call_site_and_the_fix_stays_safe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    [finding] = findings(capsys, monkeypatch, "keptcallers")
    steps = finding["steps"]
    assert isinstance(steps, list)
    assert steps[2] == (
        "parameter: add `imageName string` to `deployTenants` (keptcallers/tenants.go:28) and update all 2 call "
        "sites; the other call site, in `RedeployTenants` (keptcallers/tenants.go:24), gets "
        "`localhost/kubernaut-tenants:e2e` and still deploys that fixed image"
    )
    fix = finding["fix"]
    assert isinstance(fix, dict) and fix["applicability"] == "safe"


def test_a_caller_whose_own_drop_is_fixed_is_not_named(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`sequential/`: two drops deploy through `deployDataStorage`; each fix passes its own built
    name, so neither names the other's call, while the third caller, which builds nothing, is named."""
    found = findings(capsys, monkeypatch, "sequential")
    by_row = {f["location"]["row"]: f for f in found if f["code"] == "IMG001"}  # type: ignore[index]
    for row, other in ((51, 91), (87, 54)):
        related = by_row[row]["related"]
        assert isinstance(related, list)
        kept = [r["location"]["row"] for r in related if "also calls" in r["message"]]
        assert other not in kept and 164 in kept
