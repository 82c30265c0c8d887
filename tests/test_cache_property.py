"""The cache never changes a result: cold, warm, and after random edits to random files of the
corpus, a cached run prints what a --no-cache run prints and exits the same way."""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import chdir
from support import FIXTURES, TESTS, go_module

from imagetag_lint.cache import ENVIRONMENT_VARIABLE
from imagetag_lint.cache.runs import RunCache
from imagetag_lint.cli import main

EXAMPLES = max(8, settings.default.max_examples // 10)  # each example lints the whole corpus three times (~6 s)

GENERATED_SETUP = '''package suite{n}

import (
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

const shop = "localhost/shop{n}:e2e"

func Setup{n}(w io.Writer) error {{
	image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{{ImageName: "shop{n}"}}, w)
	if err != nil {{
		return err
	}}
	_ = image
	return k8s.Apply(nil, k8s.Container{{Name: "shop", Image: shop}})
}}
'''


# a wrapper of the builder, and clean files: one calls the wrapper (the lint finds it by its
# import header and parses it), the others nothing the lint looks at
WRAPPER = '''package wrap

import (
	"io"

	"example.com/m/infrastructure"
)

func Build(w io.Writer) (string, error) {
	return infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "wrapped"}, w)
}
'''

CALLER = '''package caller

import "example.com/m/wrap"

func Run() {
	_, _ = wrap.Build(nil)
}
'''

HELPER = '''package util{n}

// Add{n} adds.
func Add{n}(a, b int) int {{ return a + b + {n} }}
'''

CLEAN_LINES = ["// a note\n", "func more() int { return 1 }\n", "var counter = 0\n", "\n", "type pair struct{ a, b int }\n"]


@pytest.fixture(scope="module")
def corpus() -> Iterator[Path]:
    """The Go fixtures, the realistic suite and a small generated module, side by side."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(FIXTURES, root / "fixtures", ignore=shutil.ignore_patterns("*.fixed", "*.md"))
        shutil.copytree(TESTS / "realistic", root / "realistic", ignore=shutil.ignore_patterns("*.md"))
        (root / "generated").mkdir()
        generated = {f"suite{n}/setup.go": GENERATED_SETUP.format(n=n) for n in range(4)}
        generated.update({f"util{n}/add.go": HELPER.format(n=n) for n in range(4)})
        go_module(root / "generated", {**generated, "wrap/wrap.go": WRAPPER, "caller/caller.go": CALLER})
        yield root


def _lines_of_the_corpus() -> list[str]:
    paths = sorted(FIXTURES.rglob("*.go")) + sorted((TESTS / "realistic").rglob("*.go"))
    return sorted({line for path in paths for line in path.read_text(encoding="utf-8").splitlines(True)})


LINES = _lines_of_the_corpus()

ACTIONS = ["insert", "delete-line", "replace-line", "copy-over", "new-file", "remove-file"]
# edits that keep a clean file clean (most edits of a large tree), or make it a candidate, and
# edits of the files other than Go ones a module search reads (a build script)
CLEAN_ACTIONS = ["clean-edit", "clean-edit", "clean-new", "clean-remove", "make-candidate", "script"]

# (what to do, which file, which line or other file, a line of Go)
EDIT = st.tuples(
    st.sampled_from(ACTIONS + CLEAN_ACTIONS),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(LINES),
)


def _clean(path: Path) -> bool:
    """Clean for the prefilter, near enough: the edits below keep it so, or mean not to."""
    return b"mage" not in path.read_bytes() and b"imagetag-lint" not in path.read_bytes()


def _apply_clean(root: Path, files: list[Path], edit: tuple[str, int, int, str]) -> None:
    action, which, where, line = edit
    if action == "script":
        scripts = sorted(
            p for p in root.rglob("*")
            if p.is_file() and p.suffix in {".sh", ".yaml", ".yml", ""} and "." not in p.relative_to(root).parts[0][:1]
        )
        if scripts:
            script = scripts[which % len(scripts)]
            if where % 2:
                script.unlink()
            else:
                script.write_text(script.read_text(errors="replace") + "docker build -t localhost/ghost:e2e .\n")
        return
    clean = [p for p in files if _clean(p)]
    if not clean:
        return
    path = clean[which % len(clean)]
    text = path.read_text(encoding="utf-8")
    if action == "clean-edit":
        path.write_text(text + CLEAN_LINES[where % len(CLEAN_LINES)], encoding="utf-8")
    elif action == "clean-new":
        (path.parent / f"clean{where % 5}.go").write_text(text.split("\n", 1)[0] + "\n\nvar x = 1\n", encoding="utf-8")
    elif action == "clean-remove":
        path.unlink()
    elif action == "make-candidate":
        path.write_text(text + "\n" + line, encoding="utf-8")


def _apply(root: Path, edit: tuple[str, int, int, str]) -> None:
    action, which, where, line = edit
    files = sorted(root.rglob("*.go"))
    if not files:
        return
    if action in CLEAN_ACTIONS:
        _apply_clean(root, files, edit)
        return
    path = files[which % len(files)]
    lines = path.read_text(encoding="utf-8").splitlines(True)
    at = where % (len(lines) + 1)
    if action == "insert":
        lines.insert(at, line)
    elif action == "delete-line" and lines:
        del lines[at % len(lines)]
    elif action == "replace-line" and lines:
        lines[at % len(lines)] = line
    elif action == "copy-over":
        lines = files[where % len(files)].read_text(encoding="utf-8").splitlines(True)
    elif action == "new-file":
        target = files[where % len(files)].parent / f"added{which % 7}.go"
        target.write_text("".join(lines), encoding="utf-8")
        return
    elif action == "remove-file":
        path.unlink()
        return
    path.write_text("".join(lines), encoding="utf-8")


def _lint(root: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with chdir(root), redirect_stdout(out), redirect_stderr(err):
        code = main(["--output-format", "json", *args])
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, max_size=4))
def test_cached_runs_print_what_uncached_runs_print(
    corpus: Path, edits: list[tuple[str, int, int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    made: list[RunCache] = []
    original = RunCache.__init__

    def init(self: RunCache, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(RunCache, "__init__", init)
    for edit in edits:
        _apply(corpus, edit)
    expected = _lint(corpus, ".", "--no-cache")
    assert "internal error" not in expected[2]
    assert _lint(corpus, ".") == expected  # after the edits: the cache from the examples before
    assert _lint(corpus, ".") == expected and not made[-1].linted  # unchanged: answered from the cache
    # the text report shows the count of files checked, which a clean file added or removed changes
    assert _lint(corpus, ".", "--output-format", "text") == _lint(corpus, ".", "--output-format", "text", "--no-cache")
    # the one-file runs of pre-commit read beyond their input: the same holds for them
    one = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.go"))[len(edits) * 7 % 50 :][:1]
    assert _lint(corpus, *one, "--no-cache") == _lint(corpus, *one) == _lint(corpus, *one)
