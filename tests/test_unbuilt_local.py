"""A `localhost/` reference loaded into Kind that no file of the Go module builds is an IMG003.
The evidence is searched in the bytes of the whole module, so a one-file run (pre-commit) and a
run on the whole tree give the same answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import copy_corpus

from imagetag_lint.cli import main

SETUP = "unbuilt/setup.go"


def unbuilt_rows(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path, *paths: str) -> set[int]:
    monkeypatch.chdir(root)
    main(["--isolated", "--output-format", "json", "--exit-zero", *paths])
    found = json.loads(capsys.readouterr().out)
    return {f["location"]["row"] for f in found if f["filename"] == SETUP and "no file of this Go module builds" in f["message"]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_corpus(tmp_path_factory.mktemp("unbuilt"))


def test_one_file_and_the_whole_module_agree(
    corpus: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = unbuilt_rows(capsys, monkeypatch, corpus, SETUP)
    assert alone == unbuilt_rows(capsys, monkeypatch, corpus, ".") == {17, 25}  # phantom, specter


def test_a_build_in_a_script_or_another_package_is_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_corpus(tmp_path)
    (root / "hack" / "build-ghost.sh").unlink()  # nothing builds the ghost now
    (root / "unbuilt" / "relay" / "relay.go").write_text("package relay\n")  # nor the relay
    assert unbuilt_rows(capsys, monkeypatch, root, SETUP) == {17, 25, 30, 38}


def test_a_service_word_handed_to_a_builder_is_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A builder may format `phantom` into `localhost/kubernaut-phantom:<tag>`: say nothing."""
    root = copy_corpus(tmp_path)
    (root / "unbuilt" / "relay" / "phantom.go").write_text(
        'package relay\n\nimport "example.com/e2e/infrastructure"\n\n'
        'var phantomImage = infrastructure.GenerateInfraImageName("phantom")\n'
    )
    assert unbuilt_rows(capsys, monkeypatch, root, SETUP) == {25}
