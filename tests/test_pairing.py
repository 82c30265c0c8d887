"""A dropped build is paired only with a deploy call that can use its name, and never by guess."""

from __future__ import annotations

import json
import os

import pytest
from support import TESTS, run_go

from imagetag_lint.cli import main

PAIRING = TESTS / "fixtures" / "pairing"


def findings(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    cwd = os.getcwd()
    os.chdir(PAIRING)
    try:
        main(["--isolated", "--output-format", "json", "--exit-zero", "."])
    finally:
        os.chdir(cwd)
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def deployed_at(finding: dict[str, object]) -> list[int]:
    related = finding["related"]
    assert isinstance(related, list)
    return [r["location"]["row"] for r in related if "deployed here" in r["message"]]


def test_the_fixture_builds() -> None:
    done = run_go(["vet", "./..."], PAIRING)
    assert done.returncode == 0, done.stderr


def test_a_deploy_call_before_the_build_is_never_its_deployment(capsys: pytest.CaptureFixture[str]) -> None:
    cart = next(f for f in findings(capsys) if f["code"] == "IMG001" and f["location"]["row"] == 25)  # type: ignore[index]
    assert deployed_at(cart) == [28]  # deployCart, not runMigrations (line 22), which comes before the build


def test_two_dropped_builds_and_one_deploy_call_are_not_paired_by_guess(capsys: pytest.CaptureFixture[str]) -> None:
    two = [f for f in findings(capsys) if f["code"] == "IMG001" and f["location"]["row"] in (32, 35)]  # type: ignore[index]
    assert len(two) == 2
    assert all(deployed_at(f) == [] for f in two)


def test_the_tag_of_a_built_name_names_no_service() -> None:
    """`localhost/app:latest` builds `app`: its tag must not match a helper of another service
    whose image is tagged `latest` (nor a generator's `e2e-<tag>`)."""
    from imagetag_lint.analysis.pairing import names_service

    assert names_service("localhost/shop-gateway:e2e-<tag>", "deployGateway")
    assert not names_service("localhost/app:latest", "localhost/billing:latest")
    assert not names_service("localhost/shop-gateway:e2e-<tag>", "localhost/ledger:e2e")
