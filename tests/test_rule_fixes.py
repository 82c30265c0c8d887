"""Each rule's findings carry their fix; one repair of a dropped build resolves the findings it
rewrites, which carry the same fix, wherever the rule that reports them runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import (
    DEPLOY_IMAGE_LINE,
    SETUP_BUILD_LINE,
    lint_json,
    run_cli,
    write_module,
)


def _by_code(findings: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(f["code"]): f for f in findings}


def test_the_repair_of_a_dropped_build_is_the_fix_of_the_fixed_text_it_rewrites(tmp_path: Path) -> None:
    _, findings = lint_json(["--exit-zero", "."], write_module(tmp_path))
    _, alone = lint_json(["--exit-zero", "--select", "IMG002", "."], tmp_path)
    assert [f["code"] for f in findings] == ["IMG001"]  # the fixed text is the drop's related place
    dropped, fixed_text = _by_code(findings)["IMG001"], _by_code(alone)["IMG002"]
    assert (dropped["filename"], dropped["location"]["row"]) == ("e2e/setup.go", SETUP_BUILD_LINE)  # type: ignore[index]
    assert (fixed_text["filename"], fixed_text["location"]["row"]) == ("e2e/deploy.go", DEPLOY_IMAGE_LINE)  # type: ignore[index]
    fix = dropped["fix"]
    assert fix is not None and fix == fixed_text["fix"]
    assert fix["applicability"] == "safe"  # type: ignore[index]
    edited = {(e["filename"], e["location"]["row"]) for e in fix["edits"]}  # type: ignore[index]
    assert ("e2e/deploy.go", DEPLOY_IMAGE_LINE) in edited  # the Image field takes the new parameter
    assert ("e2e/setup.go", SETUP_BUILD_LINE) in edited  # the build's result is captured


@pytest.mark.parametrize("selected", ["IMG001", "IMG002"])
def test_the_shared_fix_does_not_depend_on_which_rule_runs(tmp_path: Path, selected: str) -> None:
    _, everything = lint_json(["--exit-zero", "."], write_module(tmp_path))
    _, alone = lint_json(["--exit-zero", "--select", selected, "."], tmp_path)
    assert _by_code(alone)[selected]["fix"] == _by_code(everything)["IMG001"]["fix"]  # one repair, whoever reports it


def test_one_applied_repair_fixes_both_findings(tmp_path: Path) -> None:
    code, out, err = run_cli(["--fix", "."], write_module(tmp_path))
    assert code == 0, out + err
    assert lint_json(["."], tmp_path) == (0, [])
    assert "k8s.Container{Image: imageName}" in (tmp_path / "e2e" / "deploy.go").read_text()
    assert "return deployDataStorage(ctx, datastorageImage)" in (tmp_path / "e2e" / "setup.go").read_text()
