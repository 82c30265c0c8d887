"""A deploy helper that takes a registry sidecar's image beside the app's: the steps and the fix of
a dropped build give the built name to the argument holding the build's fixed image only
(`sidecars/`; the golden `.fixed` file holds the edits)."""

from __future__ import annotations

import pytest
from support import FIXTURES, finding_at


@pytest.mark.parametrize(
    ("row", "helper", "image"),
    [(24, "deployWithProxy", "localhost/kubernaut-tollgate:e2e"), (62, "renderPod", "localhost/kubernaut-turnstile:e2e")],
    ids=["arguments", "unkeyed-template-data"],
)
def test_the_pass_step_names_the_app_image_not_the_sidecar(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, row: int, helper: str, image: str
) -> None:
    finding = finding_at(capsys, monkeypatch, "sidecars", row)
    assert finding["steps"][1].startswith(f"pass: call `{helper}` with ")
    assert finding["steps"][1].endswith(f'instead of `"{image}"`')
    assert finding["fix"]["applicability"] == "safe"
    line = (FIXTURES / "sidecars" / "sidecars.go").read_text(encoding="utf-8").splitlines()[row + 2]
    start = line.index(f'"{image}"') + 1
    replaced = [e for e in finding["fix"]["edits"] if e["location"]["row"] == row + 3]
    assert [(e["location"]["column"], e["end_location"]["column"]) for e in replaced] == [(start, start + len(image) + 2)]
