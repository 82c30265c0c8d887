"""`--write-baseline` / `--baseline`: known findings are recorded by fingerprint; only new ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from samples import DEPLOY_GO, SETUP_GO, found, lint_json, run_cli, write_module

IMAGE = '\treturn k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-test"})\n'
SECOND_DEPLOY = """
func deployGateway(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-gateway"})
}
"""
THIRD_DEPLOY = SECOND_DEPLOY.replace("Gateway", "Third").replace("e2e-gateway", "e2e-third")
# The drop in setup.go names the first fixed image as its related place (one finding, IMG001); the
# gateway's fixed image is no drop's: an IMG002 of its own, on line 14.
DEPLOYS = DEPLOY_GO + SECOND_DEPLOY


@pytest.fixture
def baselined(tmp_path: Path) -> Path:
    write_module(tmp_path, {"e2e/deploy.go": DEPLOYS})
    code, out, err = run_cli(["--write-baseline", "baseline.json"], tmp_path)
    assert (code, out, err) == (0, "Wrote 2 findings to baseline.json.\n", "")
    return tmp_path


def test_known_findings_pass(baselined: Path) -> None:
    code, out, _ = run_cli(["--baseline", "baseline.json"], baselined)
    assert code == 0
    assert out == "All checks passed in 4 files (2 known in baseline.json not shown).\n"


def test_a_new_finding_fails_and_is_the_only_one_reported(baselined: Path) -> None:
    write_module(baselined, {"e2e/deploy.go": DEPLOYS + THIRD_DEPLOY})
    code, findings = lint_json(["--baseline", "baseline.json"], baselined)
    assert code == 1
    assert found(findings) == {("e2e/deploy.go", 18, "IMG002")}


@pytest.mark.parametrize(
    "moved",
    [
        pytest.param(
            DEPLOYS.replace("func deploy", "// A comment.\n//\n// Two more lines.\nfunc deploy"), id="comments-above"
        ),
        pytest.param(DEPLOYS.replace("func deploy", "func unrelated() {}\n\nfunc deploy"), id="function-above"),
        pytest.param(DEPLOYS.replace("\treturn k8s.Apply", "\t_ = 1\n\treturn k8s.Apply"), id="statement-above"),
        pytest.param(DEPLOYS.replace("{Image: ", "{Image:    "), id="whitespace-in-the-line"),
        pytest.param(DEPLOYS + "\n", id="trailing-newlines"),
    ],
)
def test_fingerprints_survive_code_moving(baselined: Path, moved: str) -> None:
    write_module(baselined, {"e2e/deploy.go": moved})
    code, out, _ = run_cli(["--baseline", "baseline.json"], baselined)
    assert (code, out.splitlines()[-1]) == (0, "All checks passed in 4 files (2 known in baseline.json not shown).")


def test_a_changed_finding_is_new_and_its_entry_stale(baselined: Path) -> None:
    write_module(baselined, {"e2e/deploy.go": DEPLOYS.replace("e2e-gateway", "e2e-other")})
    code, out, _ = run_cli(["--baseline", "baseline.json", "-q"], baselined)
    assert code == 1 and "e2e/deploy.go:14:45: IMG002" in out
    code, out, _ = run_cli(["--baseline", "baseline.json"], baselined)
    assert out.splitlines()[-2] == (
        "Found 1 finding in 1 file (4 linted; 1 known in baseline.json not shown; "
        "1 entry of baseline.json no longer found: rewrite it with --write-baseline)."
    )


def test_only_entries_the_run_could_see_are_stale(baselined: Path) -> None:
    write_module(baselined, {"e2e/deploy.go": DEPLOYS.replace(SECOND_DEPLOY, "")})
    code, out, _ = run_cli(["--baseline", "baseline.json", "--select", "IMG002"], baselined)
    # the gateway's entry, not the IMG001 one; without IMG001 the fixed image on line 10 is reported alone
    assert code == 1 and out.splitlines()[-2] == (
        "Found 1 finding in 1 file (4 linted; "
        "1 entry of baseline.json no longer found: rewrite it with --write-baseline)."
    )
    code, out, _ = run_cli(["--baseline", "baseline.json", "e2e/setup.go"], baselined)
    assert (code, out) == (0, "All checks passed in 1 file (1 known in baseline.json not shown).\n")


def test_look_alike_findings_are_counted(tmp_path: Path) -> None:
    twice = DEPLOY_GO.replace(IMAGE, IMAGE.replace("return", "_ =") + IMAGE)
    write_module(tmp_path, {"e2e/deploy.go": twice})
    assert run_cli(["--write-baseline", "b.json", "--select", "IMG002"], tmp_path)[0] == 0
    entries = json.loads((tmp_path / "b.json").read_text())["findings"]
    assert len({e["fingerprint"] for e in entries}) == 2  # same text, same function: the occurrence differs
    write_module(tmp_path, {"e2e/deploy.go": twice + SECOND_DEPLOY})
    code, findings = lint_json(["--baseline", "b.json", "--select", "IMG002"], tmp_path)
    assert (code, found(findings)) == (1, {("e2e/deploy.go", 15, "IMG002")})


def test_baseline_paths_are_relative_to_the_baseline_file(baselined: Path) -> None:
    entries = json.loads((baselined / "baseline.json").read_text())["findings"]
    assert [(e["filename"], e["line"], e["code"]) for e in entries] == [
        ("e2e/deploy.go", 14, "IMG002"),
        ("e2e/setup.go", 13, "IMG001"),
    ]
    assert set(entries[0]) == {"filename", "line", "code", "fingerprint", "message"}
    code, out, _ = run_cli(["--baseline", "../baseline.json", "."], baselined / "e2e")
    assert code == 0, out


def test_writing_twice_gives_the_same_file(baselined: Path) -> None:
    first = (baselined / "baseline.json").read_bytes()
    run_cli(["--write-baseline", "baseline.json"], baselined)
    assert (baselined / "baseline.json").read_bytes() == first


def test_suppressed_and_ignored_findings_are_not_recorded(tmp_path: Path) -> None:
    setup = SETUP_GO.replace("\tif _, err", "\t//imagetaglint:ignore IMG001 // r\n\tif _, err")
    write_module(tmp_path, {"e2e/setup.go": setup})
    assert run_cli(["--write-baseline", "b.json", "--ignore", "IMG002"], tmp_path)[1] == "Wrote 0 findings to b.json.\n"


def test_config_names_the_baseline(baselined: Path) -> None:
    (baselined / ".imagetag-lint.toml").write_text('baseline = "baseline.json"\n')
    assert run_cli([], baselined)[0] == 0
    (baselined / "baseline.json").unlink()
    code, _, err = run_cli([], baselined)
    assert code == 2 and "baseline.json: baseline file not found" in err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "baseline file not found (create it with --write-baseline b.json)", id="missing"),
        pytest.param("{", "not valid JSON", id="not-json"),
        pytest.param('{"findings": []}', "not an imagetag-lint baseline", id="not-a-baseline"),
        pytest.param('{"imagetag-lint-baseline": 1, "findings": {}}', "'findings' must be an array", id="not-a-list"),
        pytest.param(
            '{"imagetag-lint-baseline": 1, "findings": [{"filename": "a.go", "code": "IMG001", "fingerprnt": "x"}]}',
            "findings[0]: unknown key 'fingerprnt'",
            id="unknown-key",
        ),
    ],
)
def test_bad_baseline_files(tmp_path: Path, content: str | None, problem: str) -> None:
    write_module(tmp_path)
    if content is not None:
        (tmp_path / "b.json").write_text(content)
    code, out, err = run_cli(["--baseline", "b.json"], tmp_path)
    assert (code, out) == (2, "")
    assert err.startswith("imagetag-lint: error: b.json: ") and problem in err
    assert len(err.splitlines()) == 1


def test_write_baseline_with_baseline_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run_cli(["--write-baseline", "a.json", "--baseline", "b.json"], tmp_path)
    assert code == 2 and "--write-baseline" in err
