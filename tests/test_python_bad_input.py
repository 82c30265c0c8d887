"""Python files that Python does not compile, or that libcst cannot read, are one warning line
each and are not analysed: never a crash (libcst's native parser dies on some), never minutes
of parsing, and a sibling read only for context never takes a run down."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from imagetag_lint.cli import main

BUILD = 'import subprocess\nsubprocess.run(["docker", "build", "-t", "localhost/x:1", "."])\n'
CLEAN_TEST = (
    "from kubernetes import client\n\n\ndef test_ok(core):\n"
    '    core.create_namespaced_pod("d", client.V1Container(name="a", image="redis:7"))\n'
)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A run in a process of its own: a crash of a native parser is a signal, not an exception."""
    command = [sys.executable, "-m", "imagetag_lint", "--no-cache", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", "not valid Python: 3:205: too many nested parentheses"),
        ("x = " + " + ".join(["1"] * 8000) + "\n", "not valid Python: "),
        ("x = " + " + ".join(['"a"'] * 50000) + "\n", "not valid Python: "),
    ],
    ids=["parentheses", "plus", "long-expression"],
)
def test_what_python_rejects_is_a_warning_not_a_crash(tmp_path: Path, body: str, problem: str) -> None:
    (tmp_path / "bad.py").write_text(BUILD + body)
    done = _run(tmp_path, "bad.py")
    assert done.returncode == 0, done.stderr
    [warning] = done.stderr.splitlines()
    assert warning.startswith(f"imagetag-lint: warning: bad.py: {problem}")
    assert warning.endswith("; not analysed")
    assert done.stdout == "No findings in 1 file; 1 file not analysed.\n"


def test_a_broken_sibling_never_takes_a_one_file_run_down(tmp_path: Path) -> None:
    (tmp_path / "generated_deep.py").write_text(BUILD + "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "generated_sum.py").write_text(BUILD + "x = " + " + ".join(["1"] * 8000) + "\n")
    (tmp_path / "generated_chain.py").write_text(BUILD + "x = " + " + ".join(["1"] * 1000) + "\n")
    (tmp_path / "test_ok.py").write_text(CLEAN_TEST)
    done = _run(tmp_path, "test_ok.py")
    assert (done.returncode, done.stdout, done.stderr) == (0, "All checks passed in 1 file.\n", "")


@pytest.mark.parametrize(
    "body",
    [
        "x = " + " + ".join(["1"] * 1000) + "\n",
        "x = " + " and ".join(["a"] * 600) + "\n",
        "if x:\n    pass\n" + "elif x:\n    pass\n" * 600,
    ],
    ids=["sum", "and", "elif"],
)
def test_valid_python_nested_deeper_than_libcst_reads_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    compile(BUILD + body, "deep.py", "exec")  # Python reads it
    (tmp_path / "deep.py").write_text(BUILD + body)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "deep.py"]) == 0
    out, err = capsys.readouterr()
    assert err == "imagetag-lint: warning: deep.py: nested more than 250 levels deep, too deeply for libcst to read; not analysed\n"
    assert out == "No findings in 1 file; 1 file not analysed.\n"


def test_nesting_within_the_limit_is_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deep.py").write_text(BUILD + "x = " + " + ".join(["1"] * 200) + "\n")
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "deep.py"]) == 0
    assert capsys.readouterr() == ("All checks passed in 1 file.\n", "")


def test_a_syntax_error_is_placed_where_python_places_it_and_the_file_is_not_called_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "syntax_err.py").write_text('import subprocess\ndef f(:\n    subprocess.run(["docker", "build", "-t", "x", "."])\n')
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "syntax_err.py"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("imagetag-lint: warning: syntax_err.py: not valid Python: 2:7: ")
    assert out == "No findings in 1 file; 1 file not analysed.\n"


def test_valid_python_libcst_cannot_read_is_not_called_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "x = (" + " ".join(['"a"'] * 5000) + ")\n"  # implicit concatenation: Python reads it
    compile(BUILD + body, "implicit.py", "exec")
    (tmp_path / "implicit.py").write_text(BUILD + body)
    monkeypatch.chdir(tmp_path)
    main(["--no-cache", "implicit.py"])
    out, err = capsys.readouterr()
    assert "not valid Python" not in err
    assert err == "" or err.startswith("imagetag-lint: warning: implicit.py: libcst cannot read it: ")


def test_a_syntax_error_beside_a_long_chain_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    body = "x = " + " + ".join(["1"] * 8000) + "\ndef f(:\n    pass\n"
    (tmp_path / "bad.py").write_text(BUILD + body)
    done = _run(tmp_path, "bad.py")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("imagetag-lint: warning: bad.py: not valid Python: ")
    assert done.stdout == "No findings in 1 file; 1 file not analysed.\n"


def test_syntax_newer_than_the_running_python_is_still_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.12's type parameters: a linter run by 3.11 reads them through libcst."""
    (tmp_path / "test_new.py").write_text(
        "import subprocess\nfrom kubernetes import client\n\n\ndef build[T]():\n"
        '    tag = "localhost/api:e2e"\n    subprocess.run(["docker", "build", "-t", tag, "."])\n    return tag\n\n\n'
        "def test_x(core):\n    build()\n"
        '    core.create_namespaced_pod("d", client.V1Container(name="a", image="localhost/api:dev"))\n'
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "test_new.py"]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("test_new.py:12:5: IMG001 ")


@pytest.mark.parametrize(
    ("block", "levels", "found"),
    [("if", 3, ["IMG002"]), ("if", 30, []), ("for", 30, [])],
    ids=["few-ifs", "many-ifs", "many-loops"],
)
def test_a_variable_set_again_in_many_nested_blocks_is_analysed(tmp_path: Path, block: str, levels: int,
                                                                found: list[str]) -> None:
    """Each assignment reads the variable again (`image = ... if x else image`): the ways through
    30 nested blocks are joined once per read, not once per way per level of nesting. Through a
    few `if`s every way is the fixed reference; past the depth the flow follows, and in a loop,
    where a way comes back to the read itself, the value is not known."""
    lines = [BUILD, "def test_deep(core, xs):", '    image = "localhost/x:1"']
    for level in range(levels):
        indent = "    " * (level + 1)
        header = f"if x{level}:" if block == "if" else f"for x{level} in xs:"
        lines += [f"{indent}{header}", f'{indent}    image = "localhost/x:1" if x{level} else image']
    lines.append('    core.create_namespaced_pod("d", {"spec": {"containers": [{"image": image}]}})')
    (tmp_path / "test_deep.py").write_text("\n".join(lines) + "\n")
    done = _run(tmp_path, "--output-format", "json-lines", "test_deep.py")
    assert done.stderr == ""
    assert [json.loads(line)["code"] for line in done.stdout.splitlines()] == found


LATIN_1_COMMENT = b"import subprocess\n# caf\xe9\n" + BUILD.encode()
LATIN_1_DECLARED = b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + BUILD.encode()


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (LATIN_1_COMMENT, "not valid UTF-8 (byte 0xe9 at offset 23); not linted"),
        (LATIN_1_DECLARED, "not valid UTF-8 (byte 0xe9 at offset 31); not linted"),
        (BUILD.encode() + b"x = 1\0\n", "binary file (contains NUL bytes); not linted"),
    ],
    ids=["latin-1-comment", "coding-declaration", "nul"],
)
def test_bytes_on_stdin_are_the_same_error_as_on_disk(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch,
    source: bytes, problem: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "test_x.py").write_bytes(source)
    line = f"imagetag-lint: error: test_x.py: {problem}\n".encode()
    assert main(["--no-cache", "test_x.py"]) == 2
    assert capsysbinary.readouterr().err == line
    assert main(["--stdin-filename", "test_x.py", "-"], io.BytesIO(source)) == 2
    assert capsysbinary.readouterr().err == line
    # an editor replaces its buffer with what --fix prints: the input, unchanged
    assert main(["--fix", "--stdin-filename", "test_x.py", "-"], io.BytesIO(source)) == 2
    printed = capsysbinary.readouterr()
    assert (printed.out, printed.err) == (source, line)


def test_a_coding_line_libcst_follows_is_named_in_the_warning(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """UTF-8 bytes under a `coding: latin-1` line: libcst decodes them as the line says, so its
    text is not the bytes positions point into; on disk and on stdin alike."""
    monkeypatch.chdir(tmp_path)
    source = "# -*- coding: latin-1 -*-\n# café\n".encode() + BUILD.encode()
    (tmp_path / "test_x.py").write_bytes(source)
    line = (b"imagetag-lint: warning: test_x.py: libcst cannot read it: it decodes the file as its coding line says "
            b"(iso-8859-1), not as UTF-8; not analysed\n")
    assert main(["--no-cache", "test_x.py"]) == 0
    assert capsysbinary.readouterr().err == line
    assert main(["--stdin-filename", "test_x.py", "-"], io.BytesIO(source)) == 0
    assert capsysbinary.readouterr().err == line
