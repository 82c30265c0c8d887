"""Inputs and outputs that are not what they seem: `--fix -` for an editor, FIFOs, symbolic
links as report files, a full standard output."""

from __future__ import annotations

import re

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import SETUP_GO, chdir, write_module

from imagetag_lint.cli import main


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_module(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fix_stdin(capsysbinary: pytest.CaptureFixture[bytes], source: bytes, *args: str) -> tuple[int, bytes, str]:
    code = main(["-", "--stdin-filename", "e2e/setup.go", "--fix", "--isolated", *args], stdin=io.BytesIO(source))
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


# -- --fix - always prints the source ---------------------------------------------------------------

DISPLAY_ONLY = SETUP_GO.replace(
    "\tif _, err := infrastructure.BuildAndLoadImageToKind(cfg, w); err != nil {\n\t\treturn err\n\t}\n",
    "\tgo infrastructure.BuildAndLoadImageToKind(cfg, w)\n",
)


SELF_CONTAINED = SETUP_GO.replace('"example.com/e2e/infrastructure"\n', '"example.com/e2e/infrastructure"\n\t"example.com/e2e/k8s"\n') + (
    "\nfunc deployDataStorage(ctx context.Context) error {\n"
    '\treturn k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-test"})\n}\n'
)


def test_stdin_fix_prints_the_fixed_source(module: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    (module / "e2e" / "deploy.go").unlink()
    code, out, _ = fix_stdin(capsysbinary, SELF_CONTAINED.encode())
    assert code == 0
    assert out.startswith(b"package e2e\n") and out != SELF_CONTAINED.encode()
    assert b"BuildAndLoadImageToKind(cfg, w)\n\tif err != nil" in out


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(b"package e2e\n\nfunc Clean() {}\n", id="nothing-to-fix"),
        pytest.param(DISPLAY_ONLY.encode(), id="display-only"),
        pytest.param(SETUP_GO.encode().replace(b"return err\n\t}\n", b"return err\n\t\n", 1), id="syntax-error"),
        pytest.param(b"package e2e\n\x00\x01\x02binary", id="binary"),
        pytest.param(b"package e2e\n// \xff\xfe not UTF-8\n", id="undecodable"),
        pytest.param(b"", id="empty"),
    ],
)
def test_stdin_fix_prints_the_source_unchanged_when_it_fixes_nothing(
    module: Path, capsysbinary: pytest.CaptureFixture[bytes], source: bytes
) -> None:
    code, out, err = fix_stdin(capsysbinary, source)
    assert out == source
    findings = [line for line in err.splitlines() if re.match(r"e2e/setup\.go:\d+:\d+: IMG\d{3} ", line)]
    assert code == (2 if "error:" in err else 1 if findings else 0)
    assert all(line.startswith("imagetag-lint: ") for line in err.splitlines() if line not in findings)


def test_stdin_fix_says_what_is_left_on_stderr_and_exits_1(module: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, err = fix_stdin(capsysbinary, DISPLAY_ONLY.encode())
    assert out == DISPLAY_ONLY.encode()  # the buffer is unchanged: its fix is by hand
    assert code == 1
    assert re.search(r"^e2e/setup\.go:\d+:\d+: IMG00\d ", err, re.MULTILINE)


def test_stdin_fix_of_a_binary_input_says_why_on_stderr(module: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, _, err = fix_stdin(capsysbinary, b"package e2e\n\x00")
    assert code == 2
    assert "imagetag-lint: error: e2e/setup.go: binary file" in err


@settings(max_examples=max(10, settings.default.max_examples // 3), deadline=None)
@given(source=st.binary(max_size=300) | st.text(max_size=300).map(lambda text: ("package e2e\n" + text).encode()))
def test_stdin_fix_never_prints_less_than_the_source(tmp_path_factory: pytest.TempPathFactory, source: bytes) -> None:
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8")
    with chdir(tmp_path_factory.getbasetemp()), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(err):
        code = main(["-", "--fix", "--isolated"], stdin=io.BytesIO(source))
    stdout.flush()
    # 1: findings remain (`//imagetaglint:` alone is an IMG100 that no edit settles)
    assert code in (0, 1, 2), err.getvalue()
    assert out.getvalue() == source  # nothing here can be fixed: the source comes back unchanged


# -- FIFOs and other files that are not regular -------------------------------------------------------


def test_a_fifo_in_a_walked_tree_is_skipped(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(module / "e2e" / "pipe.go")
    assert main(["--isolated", "--output-format", "json", "."]) == 1
    assert "pipe.go" not in capsys.readouterr().out


def test_a_fifo_named_on_the_command_line_is_an_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(module / "pipe.go")
    assert main(["--isolated", "pipe.go"]) == 2
    assert "imagetag-lint: error: pipe.go: not a regular file or directory" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--baseline", "fifo"], "fifo: cannot read baseline: not a regular file (a FIFO, socket or device)"),
        (["--config", "fifo"], "fifo: not a regular file"),
    ],
    ids=["baseline", "config"],
)
def test_a_fifo_as_a_baseline_or_config_is_an_error(
    module: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    os.mkfifo(module / "fifo")
    assert main([*args, "e2e"]) == 2
    assert f"imagetag-lint: error: {message}" in capsys.readouterr().err


def test_a_fifo_in_a_rule_directory_is_an_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "rules").mkdir()
    os.mkfifo(module / "rules" / "IMG001.toml")
    (module / ".imagetag-lint.toml").write_text('rule-dirs = ["rules"]\n')
    assert main(["e2e"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("imagetag-lint: error: ") and err.endswith(
        "IMG001.toml: cannot read: not a regular file (a FIFO, socket or device)\n"
    )


def test_a_fifo_as_go_mod_is_an_error(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "go.mod").unlink()
    os.mkfifo(module / "go.mod")
    assert main(["--isolated", "e2e/setup.go"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("imagetag-lint: error: ") and err.endswith("go.mod: not a regular file (a FIFO, socket or device)\n")


# -- --output-file ----------------------------------------------------------------------------------


def test_output_file_refuses_a_symbolic_link(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = module / "elsewhere.txt"
    elsewhere.write_text("precious\n")
    (module / "report.sarif").symlink_to(elsewhere)
    assert main(["--isolated", "--output-format", "sarif", "--output-file", "report.sarif", "e2e"]) == 2
    err = capsys.readouterr().err
    assert err == "imagetag-lint: error: report.sarif: is a symbolic link; the report is not written through it\n"
    assert elsewhere.read_text() == "precious\n"
    assert (module / "report.sarif").is_symlink()


def test_output_file_refuses_a_dangling_symbolic_link(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "report.sarif").symlink_to(module / "created-elsewhere.txt")
    assert main(["--isolated", "--output-format", "sarif", "--output-file", "report.sarif", "e2e"]) == 2
    assert not (module / "created-elsewhere.txt").exists()
    assert "is a symbolic link" in capsys.readouterr().err


def test_output_file_refuses_a_fifo_with_no_reader(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(module / "report.sarif")
    assert main(["--isolated", "--output-format", "sarif", "--output-file", "report.sarif", "e2e"]) == 2
    assert "report.sarif: is a FIFO with no reader" in capsys.readouterr().err


def test_write_baseline_refuses_a_symbolic_link(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "baseline.json").symlink_to(module / "elsewhere.json")
    assert main(["--isolated", "--write-baseline", "baseline.json", "e2e"]) == 2
    assert not (module / "elsewhere.json").exists()


def test_output_file_still_writes_a_regular_file(module: Path) -> None:
    (module / "report.sarif").write_text("old and longer than nothing\n" * 1000)
    assert main(["--isolated", "--output-format", "sarif", "--output-file", "report.sarif", "e2e"]) == 1
    assert (module / "report.sarif").read_text().startswith("{")


# -- a full standard output ------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full is a Linux device")
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_a_full_stdout_is_one_line_and_exit_2(module: Path, output_format: str) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-c", "from imagetag_lint.cli import entry; entry()", "--isolated",
             "--output-format", output_format, "e2e"],
            check=False, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "imagetag-lint: error: cannot write to standard output: No space left on device\n"
