"""Properties: no input makes the linter or the fixer fall over, and fixes never break the parse.

`main` turns any unexpected exception into exit 2 with an `internal error` line, so "never
raises" is checked on stderr: no internal error, no traceback, every line a known kind.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from samples import chdir, write_module
from support import FIXTURES

from imagetag_lint.cli import main
from imagetag_lint.golang import parser
from imagetag_lint.golang.parser import parse

# The conftest's profile sets the example count (more on CI); the slow properties take a share.
EXAMPLES = settings.default.max_examples
FEW = max(10, EXAMPLES // 2)  # the --fix properties copy the corpus and run twice

FIXTURE_FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.go"))
PACKAGES = sorted({name.rsplit("/", 1)[0] for name in FIXTURE_FILES} - {"infrastructure", "k8s", "constants/images"})
FIXTURE_LINES = sorted({line for name in FIXTURE_FILES for line in (FIXTURES / name).read_bytes().splitlines(True)})

# Pieces of the code the rules look for, so random text reaches the parser and the analyses.
GO_TOKENS = [
    "package e2e\n", "import (\n", '"example.com/e2e/infrastructure"\n', ")\n", "func ", "Setup", "(", ")",
    "{", "}", "\n", "\t", " ", ",", ";", ":=", "=", "_", "err", "image", "name", "w", "ctx", "return ",
    "if ", "for ", "go ", "defer ", "var ", "const ", "nil", "infrastructure.", "BuildAndLoadImageToKind",
    "BuildImageForKind", "LoadImageToKind", "GenerateInfraImageName", "BuildImageWithTag",
    "ImageBuildConfig{ImageName: \"svc\"}", "k8s.Container{", "Image:", "ImagePullPolicy:", "k8s.PullNever",
    '"localhost/svc:e2e"', '"postgres:16-alpine"', "`", "image: ", "%s", "%*d", "\\n", '"', "fmt.Sprintf(",
    "fmt.Fprintf(w, ", "Must(", "Expect(", ").Error()", "//imagetaglint:ignore IMG001 // r\n",
    "//imagetaglint:file-ignore IMG002\n", "// want IMG001\n", "é", "\r\n", "\ufeff",
]  # fmt: skip


def go_soup() -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from(GO_TOKENS), max_size=120).map(lambda parts: "".join(parts).encode())


@contextlib.contextmanager
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def check_no_crash(code: int, err: str) -> None:
    assert code in (0, 1, 2), code
    assert "internal error" not in err and "Traceback" not in err, err
    for line in err.splitlines():
        assert line.startswith(("imagetag-lint: error: ", "imagetag-lint: warning: ")), line
    if code == 2:
        assert "imagetag-lint: error: " in err


def lint_stdin(source: bytes, filename: str, cwd: Path) -> tuple[int, str]:
    with chdir(cwd), captured() as (out, err):
        code = main(
            ["-", "--stdin-filename", filename, "--output-format", "json", "--exit-zero", "--isolated"],
            stdin=io.BytesIO(source),
        )
    check_no_crash(code, err.getvalue())
    findings = json.loads(out.getvalue())
    assert isinstance(findings, list)
    assert code == (2 if "imagetag-lint: error: " in err.getvalue() else 0)  # --exit-zero: only input errors fail
    return code, err.getvalue()


# -- (a) arbitrary bytes --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def empty_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("empty")


@settings(max_examples=EXAMPLES)
@given(source=st.one_of(st.binary(max_size=4000), go_soup(), go_soup().map(lambda b: b.replace(b"\n", b"\0", 1))))
def test_arbitrary_bytes_never_crash(empty_directory: Path, source: bytes) -> None:
    lint_stdin(source, "x.go", empty_directory)


@settings(max_examples=EXAMPLES)
@given(source=go_soup())
def test_arbitrary_go_looking_text_in_a_real_package_never_crashes(source: bytes) -> None:
    """Named as a file of the corpus, the text is linted with that package's siblings from disk."""
    lint_stdin(b"package sequential\n" + source, "sequential/extra.go", FIXTURES)


# -- (b) mutated fixtures -------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, source: bytes, byte_level: bool = True) -> bytes:
    """source after one to three random edits: lines or byte ranges deleted, duplicated, inserted."""
    kinds = ["delete-lines", "duplicate-lines", "insert-line", "swap-lines"]
    if byte_level:
        kinds += ["delete-bytes", "duplicate-bytes", "insert-bytes"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(kinds))
        if kind.endswith("-bytes"):
            start = draw(st.integers(0, len(source)))
            end = draw(st.integers(start, min(len(source), start + 64)))
            if kind == "delete-bytes":
                source = source[:start] + source[end:]
            elif kind == "duplicate-bytes":
                source = source[:end] + source[start:end] + source[end:]
            else:
                filler = draw(st.one_of(st.binary(max_size=8), st.sampled_from(GO_TOKENS).map(str.encode)))
                source = source[:start] + filler + source[start:]
            continue
        lines = source.splitlines(keepends=True)
        start = draw(st.integers(0, len(lines)))
        end = draw(st.integers(start, min(len(lines), start + 12)))
        if kind == "delete-lines":
            lines[start:end] = []
        elif kind == "duplicate-lines":
            lines[end:end] = lines[start:end]
        elif kind == "insert-line":
            lines.insert(start, draw(st.sampled_from(FIXTURE_LINES)))
        elif end > start:  # swap-lines: the range and the line after it
            lines[start : end + 1] = lines[end : end + 1] + lines[start:end]
        source = b"".join(lines)
    return source


@st.composite
def mutated_fixture(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(FIXTURE_FILES))
    return name, draw(mutated((FIXTURES / name).read_bytes()))


@settings(max_examples=EXAMPLES)
@given(case=mutated_fixture())
def test_mutated_fixtures_never_crash(case: tuple[str, bytes]) -> None:
    name, source = case
    lint_stdin(source, name, FIXTURES)


# -- (c) --fix on mutated packages never breaks the parse ------------------------------------------


def syntax_errors(source: bytes) -> int:
    """ERROR and MISSING nodes in the tree-sitter parse."""
    return sum(1 for _ in parser.syntax_errors(parse(source)))


def go_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.go"))}


@st.composite
def mutated_package(draw: st.DrawFn, byte_level: bool = False) -> tuple[str, dict[str, bytes]]:
    """A package of the corpus with one or two of its files mutated (line by line unless byte_level)."""
    package = draw(st.sampled_from(PACKAGES))
    names = [n for n in FIXTURE_FILES if n.rsplit("/", 1)[0] == package]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    return package, {n: draw(mutated((FIXTURES / n).read_bytes(), byte_level)) for n in chosen}


@contextlib.contextmanager
def corpus_copy(changes: dict[str, bytes]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="imagetag-lint-fix-") as directory:
        root = Path(directory) / "corpus"
        shutil.copytree(FIXTURES, root, ignore=shutil.ignore_patterns("*.fixed", "*.md"))
        for name, content in changes.items():
            (root / name).write_bytes(content)
        yield root


def fix(root: Path, *args: str) -> tuple[int, str]:
    with chdir(root), captured() as (_, err):
        code = main(["--fix", "--unsafe-fixes", "--exit-zero", "--quiet", "--isolated", *args])
    check_no_crash(code, err.getvalue())
    return code, err.getvalue()


@settings(max_examples=FEW, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.one_of(mutated_package(), mutated_package(byte_level=True)))
def test_fix_never_adds_a_syntax_error(case: tuple[str, dict[str, bytes]]) -> None:
    package, changes = case
    with corpus_copy(changes) as root:
        before = go_files(root)
        fix(root, package)
        after = go_files(root)
    assert after.keys() == before.keys()
    for name, source in after.items():
        if source == before[name]:
            continue
        errors_before, errors_after = syntax_errors(before[name]), syntax_errors(source)
        if errors_before == 0:
            assert errors_after == 0, f"--fix broke {name}, which parsed:\n{source.decode(errors='replace')}"
        assert errors_after <= errors_before, name


def without(name: str, first: str, last: str) -> bytes:
    """A corpus file without the lines from the one starting with `first` to the one with `last`."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    start = text.index(first)
    end = text.index("\n", text.index(last, start)) + 1
    return (text[:start] + text[end:]).encode()


# Found by the property: `dsImage` is captured but no longer read (its deploy call is gone).
IGNOREDPARAM_UNREAD = without(
    "ignoredparam/deploy.go", "\tif err != nil {\n\t\treturn err\n\t}\n\tif err := deployDataStorageService", "\t}\n\tgwImage"
)


@example(case=("ignoredparam", {"ignoredparam/deploy.go": IGNOREDPARAM_UNREAD}))
@settings(max_examples=FEW, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(case=mutated_package())
def test_a_second_fix_changes_nothing(case: tuple[str, dict[str, bytes]]) -> None:
    """The README's promise, on code it has never seen (but that parses): one run reaches a fixed point."""
    package, changes = case
    assume(all(syntax_errors(source) == 0 for source in changes.values()))
    with corpus_copy(changes) as root:
        fix(root, package)
        once = go_files(root)
        fix(root, package)
        assert go_files(root) == once


# Found by the property above on unparsable input: TestMain lacks its closing brace, so the
# parser nests TestDeploy inside it and both captured names look in scope at the deploy call.
UNCLOSED_TEST_MAIN = b"""\
package testfiles

import (
	"context"
	"os"
	"testing"

	"example.com/e2e/infrastructure"
)

func TestMain(m *testing.M) {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "kubernaut-datastorage"}, os.Stdout); err != nil {
		os.Exit(1)
	os.Exit(m.Run())
}

func TestDeploy(t *testing.T) {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "kubernaut-datastorage"}, os.Stdout); err != nil {
		t.Fatal(err)
	}
	if err := DeployDataStorage(context.Background(), "kubernaut-e2e", "localhost/kubernaut-datastorage:e2e"); err != nil {
		t.Fatal(err)
	}
}
"""


def test_fix_in_a_file_with_a_syntax_error_converges() -> None:
    with corpus_copy({"testfiles/suite_test.go": UNCLOSED_TEST_MAIN}) as root:
        runs = []
        for _ in range(3):
            fix(root, "testfiles")
            runs.append((root / "testfiles" / "suite_test.go").read_bytes())
    assert runs[0] == runs[1] == runs[2]
    assert b'"kubernaut-e2e", kubernautDatastorageImage)' not in runs[0]  # TestMain's name, not TestDeploy's


TWO_BUILDS = """\
package e2e

import (
	"context"
	"io"

	"example.com/e2e/infrastructure"
)

func SetupServices(ctx context.Context, w io.Writer) error {
	dsImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "{first}"}, w)
	ntImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "notification"}, w)
	if err != nil {
		return err
	}
	return deployNotification(ctx, ntImage)
}
"""

DEPLOY_NOTIFICATION = """\
package e2e

import (
	"context"

	"example.com/e2e/k8s"
)

func deployNotification(ctx context.Context, image string) error {
	return k8s.Apply(ctx, k8s.Container{Image: image})
}
"""


@pytest.mark.parametrize(
    "first",
    [
        pytest.param("datastorage", id="another-service"),  # deploys datastorage as notification
        pytest.param("notification", id="the-same-service-built-twice"),  # flips between the two names
    ],
)
def test_fix_leaves_a_deploy_call_that_gets_a_built_name(tmp_path: Path, first: str) -> None:
    setup = TWO_BUILDS.replace("{first}", first)
    write_module(tmp_path, {"e2e/setup.go": setup, "e2e/deploy.go": DEPLOY_NOTIFICATION})
    runs = []
    for _ in range(2):
        fix(tmp_path, "e2e")
        runs.append((tmp_path / "e2e" / "setup.go").read_text(encoding="utf-8"))
    assert "\treturn deployNotification(ctx, ntImage)\n" in runs[0]
    assert runs[0] == runs[1]


def test_fixture_lists_are_not_empty() -> None:
    assert len(FIXTURE_FILES) > 20 and len(PACKAGES) > 10 and len(FIXTURE_LINES) > 500
