"""Bad input: one clear line on stderr that names the file and the problem, and the run goes on.

A file that cannot be linted is an error (exit 2) but the other files are still linted and their
findings reported. A file with a syntax error is linted as far as it parses, with a warning; it
does not change the exit code. A broken configuration stops the run before any linting.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from samples import SETUP_BUILD_LINE, SETUP_GO, write_module

from imagetag_lint.cli import main

REPORTED = {("e2e/setup.go", SETUP_BUILD_LINE, "IMG001")}  # the drop; the stale deploy is its related place
ERROR = "imagetag-lint: error: "
WARNING = "imagetag-lint: warning: "


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_module(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, set[tuple[str, int, str]], list[str]]:
    """(exit code, findings as (file, row, code), stderr lines) of a JSON run."""
    code = main(["--output-format", "json", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    findings: list[dict[str, Any]] = json.loads(out)
    return code, {(f["filename"], f["location"]["row"], f["code"]) for f in findings}, err.splitlines()


# -- files that cannot be linted --------------------------------------------------------------

UNREADABLE_FILES = [
    pytest.param(b"package e2e\x00\x00\x01", "binary file (contains NUL bytes); not linted", id="nul-bytes"),
    pytest.param(
        "package e2e\n".encode("utf-16"), "binary file (contains NUL bytes); not linted", id="utf-16"
    ),
    pytest.param(
        b"package e2e\n\n// caf\xe9\n", "not valid UTF-8 (byte 0xe9 at offset 19); not linted", id="latin-1"
    ),
    pytest.param(
        b"package e2e\n\nvar s = \"\xc3\"\n", "not valid UTF-8 (byte 0xc3 at offset 22); not linted", id="cut-utf-8"
    ),
]


@pytest.mark.parametrize(("content", "problem"), UNREADABLE_FILES)
@pytest.mark.parametrize("where", ["named", "walked"])
def test_unlintable_file(
    module: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str, where: str
) -> None:
    """Named on the command line, or found in the package being linted (and read for its names)."""
    directory = module / ("bad" if where == "named" else "e2e")
    directory.mkdir(exist_ok=True)
    (directory / "bad.go").write_bytes(content)
    name = directory.relative_to(module).as_posix() + "/bad.go"
    args = ["e2e", name] if where == "named" else ["."]
    code, findings, err = lint(capsys, *args)
    assert (code, findings) == (2, REPORTED)
    assert err == [f"{ERROR}{name}: {problem}"]


@pytest.mark.parametrize(
    ("make", "name", "problem"),
    [
        pytest.param(lambda root: None, "missing.go", "no such file or directory", id="missing"),
        pytest.param(lambda root: None, "gone/", "no such file or directory", id="missing-directory"),
        pytest.param(
            lambda root: (root / "dangling.go").symlink_to(root / "nowhere.go"),
            "dangling.go",
            "broken symbolic link",
            id="broken-symlink",
        ),
        pytest.param(
            lambda root: (root / "self.go").symlink_to(root / "self.go"),
            "self.go",
            "broken symbolic link",
            id="symlink-to-itself",
        ),
        pytest.param(lambda root: os.mkfifo(root / "pipe.go"), "pipe.go", "not a regular file or directory", id="fifo"),
    ],
)
def test_bad_path(module: Path, capsys: pytest.CaptureFixture[str], make: Any, name: str, problem: str) -> None:
    make(module)
    code, findings, err = lint(capsys, "e2e", name)
    assert (code, findings) == (2, REPORTED)
    assert err == [f"{ERROR}{name}: {problem}"]


def test_several_bad_paths_give_one_line_each(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "bin.go").write_bytes(b"\0")
    code, findings, err = lint(capsys, "missing.go", "e2e", "bin.go")
    assert (code, findings) == (2, REPORTED)
    assert sorted(err) == [
        f"{ERROR}bin.go: binary file (contains NUL bytes); not linted",
        f"{ERROR}missing.go: no such file or directory",
    ]


@pytest.mark.parametrize("where", ["named", "walked"])
def test_unreadable_file(
    module: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # The tests run as root, so chmod would not stop a read: refuse this one path instead.
    locked = module / "e2e" / "locked.go"
    locked.write_text(SETUP_GO.replace("SetupDataStorage", "SetupLocked"), encoding="utf-8")
    real_open = os.open

    def refusing_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.path.abspath(os.fspath(path)) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    code, findings, err = lint(capsys, *(["e2e/locked.go", "e2e"] if where == "named" else ["."]))
    assert (code, findings) == (2, REPORTED)
    assert err == [f"{ERROR}e2e/locked.go: cannot read: permission denied"]


def test_a_directory_named_like_a_go_file_is_a_directory(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Go allows a package directory called x.go: it is walked, not read as a file."""
    (module / "e2e" / "x.go").mkdir()
    assert lint(capsys, ".") == (1, REPORTED, [])
    assert lint(capsys, "e2e/x.go") == (0, set(), [])
    inner = SETUP_GO.replace("package e2e", "package inner")
    (module / "e2e" / "x.go" / "inner.go").write_text(inner, encoding="utf-8")
    assert lint(capsys, "e2e/x.go") == (1, {("e2e/x.go/inner.go", SETUP_BUILD_LINE, "IMG001")}, [])
    assert lint(capsys, ".")[:2] == (1, REPORTED | {("e2e/x.go/inner.go", SETUP_BUILD_LINE, "IMG001")})


def test_file_over_the_size_limit(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / ".imagetag-lint.toml").write_text("max-file-size = 1048576\n", encoding="utf-8")
    (module / "e2e" / "huge.go").write_text("package e2e\n" + "// padding\n" * 100_000, encoding="utf-8")
    code, findings, err = lint(capsys, ".")
    assert (code, findings) == (2, REPORTED)
    assert err == [f"{ERROR}e2e/huge.go: file is larger than 1 MiB; not linted"]


def test_file_over_a_small_size_limit_names_the_limit(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / ".imagetag-lint.toml").write_text("max-file-size = 1000\n", encoding="utf-8")
    (module / "e2e" / "big.go").write_text("package e2e\n" + "// padding\n" * 200, encoding="utf-8")
    code, findings, err = lint(capsys, ".")
    assert (code, findings) == (2, REPORTED)
    (line,) = err
    assert line.startswith(f"{ERROR}e2e/big.go: file is larger than ")
    assert re.search(r"\b1000\b", line) and "0 MiB" not in line


# -- syntax errors, empty and huge files --------------------------------------------------------

BROKEN_TAIL = """\
package e2e

import (
	"io"

	"example.com/e2e/infrastructure"
)

func SetupBroken(w io.Writer) error {
	cfg := infrastructure.ImageBuildConfig{ImageName: "broken"}
	_, err := infrastructure.BuildAndLoadImageToKind(cfg, w)
	return err
}

func Oops( {
"""


@pytest.mark.parametrize(
    ("source", "warning_at", "expected"),
    [
        pytest.param(BROKEN_TAIL, 15, {("e2e/broken.go", 11, "IMG001")}, id="broken-after-the-build"),
        pytest.param(
            BROKEN_TAIL.replace("func Oops( {\n", "") + "\nfunc Later() {\n\tx := \n}\n",
            17,
            {("e2e/broken.go", 11, "IMG001")},
            id="missing-expression",
        ),
        pytest.param(
            BROKEN_TAIL.replace("func Oops( {\n", "").replace("func SetupBroken", "func Oops( {\n\nfunc SetupBroken"),
            9,
            set(),  # whether the build is still seen depends on the parser's recovery
            id="broken-before-the-build",
        ),
    ],
)
def test_syntax_error_is_analysed_as_far_as_it_parses(
    module: Path, capsys: pytest.CaptureFixture[str], source: str, warning_at: int, expected: set[Any]
) -> None:
    (module / "e2e" / "broken.go").write_text(source, encoding="utf-8")
    code, findings, err = lint(capsys, "e2e")
    # findings in the other files, and whatever the broken file still shows
    assert expected <= findings and REPORTED <= findings
    assert code == 1  # a syntax error is a warning, not an input error
    (line,) = err
    assert re.fullmatch(rf"{WARNING}e2e/broken\.go:\d+:\d+: syntax error; analysed as far as it parses", line)
    assert f"e2e/broken.go:{warning_at}:" in line  # the line of the first error


CORRECT_THEN_BROKEN = """\
package e2e

import (
	"context"
	"io"

	"example.com/e2e/infrastructure"
	"example.com/e2e/k8s"
)

func SetupCorrect(ctx context.Context, w io.Writer) error {
	image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "ok"}, w)
	if err != nil {
		return err
	}
	return k8s.Apply(ctx, k8s.Container{Image: image})
}

func Oops( {
"""


def test_syntax_error_alone_does_not_fail_the_run(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "e2e" / "broken.go").write_text(CORRECT_THEN_BROKEN, encoding="utf-8")
    code, findings, err = lint(capsys, "e2e/broken.go")
    assert (code, findings) == (0, set())
    assert err == [f"{WARNING}e2e/broken.go:19:1: syntax error; analysed as far as it parses"]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        pytest.param("e2e/util.go", b"package e2e\n\nfunc half( {\n", id="go"),
        pytest.param("e2e/util.py", b"def half(:\n", id="python"),
    ],
)
@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_syntax_error_in_a_file_with_no_image_tokens_is_not_parsed(
    module: Path, capsys: pytest.CaptureFixture[str], name: str, source: bytes, stdin: bool
) -> None:
    """The prefilter skips files no rule can care about, on disk and on stdin alike: the linter
    is not a compiler, and such a file passes the checks (the README says so)."""
    (module / name).write_bytes(source)
    args = ["--stdin-filename", name, "-"] if stdin else [name]
    assert main(["--color", "never", *args], io.BytesIO(source)) == 0
    assert capsys.readouterr() == ("All checks passed in 1 file.\n", "")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\n\n", id="blank-lines"),
        pytest.param(b"\xef\xbb\xbf", id="only-a-bom"),
        pytest.param(b"package e2e\n", id="only-the-package-clause"),
        pytest.param(b"// Image: localhost/x:y\n", id="only-a-comment"),
    ],
)
def test_empty_file_lints_clean(module: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    (module / "e2e" / "empty.go").write_bytes(content)
    assert lint(capsys, "e2e/empty.go") == (0, set(), [])
    assert lint(capsys, "e2e") == (1, REPORTED, [])


TEN_MB = 10 * 1024 * 1024


def test_ten_megabytes_with_no_image_tokens(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = "".join(f"var v{i} = {i} + {i}*2 // arithmetic\n" for i in range(20_000))
    text = "package e2e\n\n" + lines * (TEN_MB // len(lines) + 1)
    (module / "e2e" / "cheap.go").write_text(text[: text.rindex("\n", 0, TEN_MB) + 1], encoding="utf-8")
    assert (module / "e2e" / "cheap.go").stat().st_size > TEN_MB - 100
    assert lint(capsys, "e2e") == (1, REPORTED, [])


REALISTIC_HEAD = """\
package e2e

import (
	"context"
	"io"

	"example.com/e2e/infrastructure"
	"example.com/e2e/k8s"
)

func SetupFirst(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "first"}, w); err != nil {
		return err
	}
	return nil
}
"""

REALISTIC_MIDDLE = """
func deploySecond(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Image: "localhost/second:e2e"})
}
"""

REALISTIC_TAIL = """
func SetupSecond(ctx context.Context, w io.Writer) error {
	infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "second"}, w)
	return deploySecond(ctx)
}
"""


def padding(count: int) -> str:
    comment = "// " + "Helpers below keep the suite readable; " * 3 + "\n"
    return "".join(f"\n{comment * 40}func helper{count}x{i}(a, b int) int {{\n\treturn a - b\n}}\n" for i in range(1100))


def test_ten_megabytes_of_realistic_code(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = padding(1), padding(2)
    text = REALISTIC_HEAD + first + REALISTIC_MIDDLE + second + REALISTIC_TAIL
    assert len(text) > TEN_MB - 100_000
    (module / "e2e" / "big.go").write_text(text, encoding="utf-8")
    middle = (REALISTIC_HEAD + first).count("\n") + 3
    tail = (REALISTIC_HEAD + first + REALISTIC_MIDDLE + second).count("\n") + 3
    code, findings, err = lint(capsys, "e2e/big.go")
    assert (code, err) == (1, [])
    assert findings == {("e2e/big.go", 12, "IMG001"), ("e2e/big.go", tail, "IMG001")}  # a drop names the middle one
    assert lint(capsys, "--select", "IMG002", "e2e/big.go")[1] == {("e2e/big.go", middle, "IMG002")}


DEEP_HEAD = """\
package e2e

import (
	"io"

	"example.com/e2e/infrastructure"
)

func Nested(w io.Writer) {
"""
DEPTH = 5_000
BUILD = "infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{}, w)"


@pytest.mark.parametrize(
    ("body", "row"),
    [
        pytest.param(
            "\tif true {\n" * DEPTH + f"\t_, _ = {BUILD}\n" + "\t}\n" * DEPTH, len(DEEP_HEAD.splitlines()) + DEPTH + 1,
            id="blocks-builder-at-the-bottom",
        ),
        pytest.param(
            "\tfunc() {\n" * 50 + "\t_ = " + "[]any{" * DEPTH + "1" + "}" * DEPTH + f"\n\t_, _ = {BUILD}\n" + "\t}()\n" * 50,
            len(DEEP_HEAD.splitlines()) + 52,
            id="expression-beside-the-builder",
        ),
        pytest.param(
            f"\t_, _ = {BUILD}\n\t_ = " + "(" * DEPTH + "1" + ")" * DEPTH + "\n",
            len(DEEP_HEAD.splitlines()) + 1,
            id="parentheses",
        ),
    ],
)
def test_deeply_nested_file(module: Path, capsys: pytest.CaptureFixture[str], body: str, row: int) -> None:
    (module / "e2e" / "deep.go").write_text(DEEP_HEAD + body + "}\n", encoding="utf-8")
    code, findings, err = lint(capsys, "e2e/deep.go")
    assert (code, findings, err) == (1, {("e2e/deep.go", row, "IMG001")}, [])


# -- symbolic links -----------------------------------------------------------------------------


def test_symlink_loops_and_twins_in_a_walked_directory(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Like the go tool, the walk does not follow symbolic links: no loops, no twin findings."""
    (module / "e2e" / "loop").symlink_to(module)
    (module / "e2e" / "self").symlink_to(module / "e2e" / "self")
    (module / "e2e" / "twin.go").symlink_to(module / "e2e" / "setup.go")
    (module / "e2e" / "dangling.go").symlink_to(module / "nowhere.go")
    (module / "a").mkdir()
    (module / "a" / "b").symlink_to(module / "c")
    (module / "c").mkdir()
    (module / "c" / "a").symlink_to(module / "a")
    assert lint(capsys, ".") == (1, REPORTED, [])
    assert lint(capsys, "e2e") == (1, REPORTED, [])


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["e2e", "k8s/../e2e"], id="dot-dot-directory"),
        pytest.param(["e2e", "e2e/../e2e/setup.go"], id="dot-dot-file"),
        pytest.param(["e2e", "e2e/twin.go"], id="symlinked-file"),
    ],
)
def test_one_file_named_two_ways_is_reported_once(
    module: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    (module / "e2e" / "twin.go").symlink_to(module / "e2e" / "setup.go")
    assert lint(capsys, *args) == (1, REPORTED, [])


# -- broken configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        pytest.param(
            ".imagetag-lint.toml",
            'select = ["IMG001"\nignore = []\n',
            re.compile(r"invalid TOML: .*line 2"),
            id="toml-syntax",
        ),
        pytest.param(
            "pyproject.toml",
            '[tool.imagetag-lint]\nselect = ["IMG001"]\nselect = ["IMG002"]\n',
            re.compile(r"invalid TOML: .*line 3"),
            id="toml-duplicate-key",
        ),
        pytest.param(".imagetag-lint.toml", 'selcet = ["IMG001"]\n', "unknown key 'selcet'", id="unknown-key"),
        pytest.param(
            ".imagetag-lint.toml",
            '[[consumers]]\nname = "Push"\nimage_arg = 1\n',
            "consumers[0]: unknown key 'image_arg'",
            id="unknown-nested-key",
        ),
        pytest.param(
            ".imagetag-lint.toml", 'max-file-size = "10MB"\n', "'max-file-size' must be an integer", id="wrong-type"
        ),
        pytest.param(
            ".imagetag-lint.toml", "exclude = [1, 2]\n", "'exclude' must be an array of strings", id="wrong-item-type"
        ),
        pytest.param(
            ".imagetag-lint.toml", "max-file-size = true\n", "'max-file-size' must be an integer", id="bool-for-int"
        ),
        pytest.param(
            ".imagetag-lint.toml",
            'local-prefixes = ["localhost/", ""]\n',
            "'local-prefixes' must not hold an empty string",
            id="empty-local-prefix",
        ),
        pytest.param(
            "pyproject.toml",
            '[tool.imagetag-lint]\nimage-fields = [""]\n',
            "[tool.imagetag-lint]: 'image-fields' must not hold an empty string",
            id="empty-image-field",
        ),
        pytest.param(
            ".imagetag-lint.toml",
            "[severity]\nIMG002 = 'fatal'\n",
            "'severity.IMG002' must be one of error, warning, note",
            id="bad-severity",
        ),
        pytest.param(
            ".imagetag-lint.toml",
            'rule-dirs = ["no-such-rules"]\n',
            ".imagetag-lint.toml: 'rule-dirs': no-such-rules: directory not found",
            id="rule-dirs",
        ),
    ],
)
def test_broken_config_names_the_file_and_the_key(
    module: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, problem: str | re.Pattern[str]
) -> None:
    (module / name).write_text(text, encoding="utf-8")
    code = main(["e2e"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")  # nothing was linted
    (line,) = err.splitlines()
    assert line.startswith(ERROR) and "Traceback" not in err
    if isinstance(problem, str):
        assert problem in line
    else:
        assert problem.search(line), line
    assert line.startswith(f"{ERROR}{name}: ")  # relative to the working directory


@pytest.mark.parametrize(
    ("name", "text", "key"),
    [
        pytest.param(".imagetag-lint.toml", "generator-patterns = ['^New(']\n", "generator-patterns", id="generator"),
        pytest.param(
            "pyproject.toml", "[tool.imagetag-lint]\nlocal-patterns = ['[a-']\n", "local-patterns", id="local-pattern"
        ),
    ],
)
def test_bad_regular_expression_names_the_file_and_the_key(
    module: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, key: str
) -> None:
    (module / name).write_text(text, encoding="utf-8")
    code = main(["e2e"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"{ERROR}{name}: ")
    assert "bad regular expression" in line
    assert f"'{key}'" in line


def test_config_that_is_not_utf8(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / ".imagetag-lint.toml").write_bytes(b'select = ["IMG001"] # caf\xe9\n')
    assert main(["e2e"]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}.imagetag-lint.toml: not valid UTF-8\n")
