"""The persistent cache: where it lives, what it trusts, and that it never changes a result."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import chdir
from support import copy_corpus, go_module

from imagetag_lint import reads
from imagetag_lint.cache import DIRECTORY_NAME, ENVIRONMENT_VARIABLE
from imagetag_lint.cache.runs import RunCache
from imagetag_lint.cache.store import MAGIC, CacheDir
from imagetag_lint.cli import main

SETUP = '''package e2e

import (
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func Setup(w io.Writer) error {
	_, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "shop"}, w)
	if err != nil {
		return err
	}
	return k8s.Apply(nil, k8s.Container{Name: "shop", Image: "localhost/shop:e2e"})
}
'''

CLEAN = '''package util

// Sum adds two numbers.
func Sum(a, b int) int { return a + b }
'''


@pytest.fixture(autouse=True)
def _no_cache_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "m").mkdir()
    return go_module(tmp_path / "m", {"e2e/setup.go": SETUP, "util/sum.go": CLEAN, "util/more.go": CLEAN})


class Runs:
    """Every RunCache the command line makes, so a test can ask what the last one did."""

    def __init__(self) -> None:
        self.made: list[RunCache] = []

    @property
    def last(self) -> RunCache:
        return self.made[-1]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Runs]:
    seen = Runs()
    original = RunCache.__init__

    def init(self: RunCache, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        seen.made.append(self)

    monkeypatch.setattr(RunCache, "__init__", init)
    yield seen


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files tree-sitter parsed, run after run."""
    from imagetag_lint import lint as pipeline

    count = [0]
    original = pipeline.parse

    def counting(source: bytes) -> object:
        count[0] += 1
        return original(source)

    monkeypatch.setattr(pipeline, "parse", counting)
    return count


def lint(cwd: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with chdir(cwd):
        code = main(["--output-format", "json", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_warm_run_answers_from_the_cache_and_parses_nothing(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, parses: list[int]
) -> None:
    _age(module)
    cold = lint(module, "--no-cache", capsys=capsys)
    assert not (module / DIRECTORY_NAME).exists()  # --no-cache writes nothing
    first = lint(module, capsys=capsys)
    assert runs.last.linted and parses[0] > 0
    before = parses[0]
    warm = lint(module, capsys=capsys)
    assert not runs.last.linted and runs.last.reads == 0 and parses[0] == before
    assert cold == first == warm
    assert {f["code"] for f in json.loads(warm[1])} == {"IMG001"}  # the stale deploy is its related place


def test_the_text_report_from_the_cache_shows_the_same_code_frames(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    with chdir(module):
        cold = main(["--no-cache", "--color", "never"]), capsys.readouterr()
        main(["--color", "never"])
        capsys.readouterr()
        warm = main(["--color", "never"]), capsys.readouterr()
    assert not runs.last.linted
    assert warm == cold
    assert "^^^" in cold[1].out


def test_the_cache_directory_is_tagged_and_ignored_by_git(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lint(module, capsys=capsys)
    cache = module / DIRECTORY_NAME
    assert (cache / ".gitignore").read_text() == "*\n"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_the_cache_sits_beside_the_config_file(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / ".imagetag-lint.toml").write_text('select = ["IMG001"]\n')
    lint(module / "e2e", ".", capsys=capsys)
    assert (module / DIRECTORY_NAME).is_dir() and not (module / "e2e" / DIRECTORY_NAME).exists()


def test_the_environment_variable_and_the_option_choose_the_directory(
    module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "from-env"))
    lint(module, capsys=capsys)
    assert (tmp_path / "from-env" / "CACHEDIR.TAG").is_file() and not (module / DIRECTORY_NAME).exists()
    lint(module, "--cache-dir", str(tmp_path / "from-option"), capsys=capsys)
    assert (tmp_path / "from-option" / "CACHEDIR.TAG").is_file()


def test_an_unwritable_cache_directory_is_a_warning(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = module / "not-a-directory"
    blocker.write_text("")
    cold = lint(module, "--no-cache", capsys=capsys)
    code, out, err = lint(module, "--cache-dir", str(blocker / "cache"), capsys=capsys)
    assert (code, out) == cold[:2]
    assert err.count("imagetag-lint: warning:") == 1 and "cannot write the cache" in err and "Traceback" not in err


def _damaged(data: bytes) -> list[tuple[str, bytes]]:
    head = len(MAGIC) + 16
    return [
        ("empty", b""),
        ("truncated", data[: len(data) // 2]),
        ("header only", data[:head]),
        ("flipped byte", data[:-1] + bytes([data[-1] ^ 0xFF])),
        ("another format", b"imagetag-lint-cache 0\n" + data[len(MAGIC) :]),
        ("garbage", os.urandom(len(data))),
    ]


@pytest.mark.parametrize("which", ["run", "table"])
def test_a_damaged_entry_is_ignored_and_rebuilt(
    module: Path, which: str, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    cold = lint(module, "--no-cache", capsys=capsys)
    lint(module, capsys=capsys)
    cache = module / DIRECTORY_NAME
    (entry,) = (cache / "runs").iterdir() if which == "run" else cache.glob("files-*")
    good = entry.read_bytes()
    for name, data in _damaged(good):
        entry.write_bytes(data)
        assert lint(module, capsys=capsys) == cold, name
        assert runs.last.linted == (which == "run"), name  # a damaged run entry is a miss
        assert entry.read_bytes() != data, name  # and written again
        assert lint(module, capsys=capsys) == cold and not runs.last.linted, name


def test_a_foreign_entry_with_a_valid_checksum_is_not_trusted(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """An entry made for another key (another tree's, copied in its place) or of another shape."""
    cold = lint(module, "--no-cache", capsys=capsys)
    lint(module, capsys=capsys)
    store = CacheDir(module / DIRECTORY_NAME)
    (name,) = [f"runs/{p.name}" for p in (module / DIRECTORY_NAME / "runs").iterdir()]
    form, key, clean, deps, listings, data = store.read(name)
    findings = data[0]
    for payload in [
        (form, b"another key.....", clean, deps, listings, data),  # the right place, another key
        (form + 1, key, clean, deps, listings, data),
        (form, key, (clean[0], b"other clean files"), deps, listings, data),
        (form, key, ("two", None), deps, listings, data),
        (form, key, clean, deps, listings, ([("x",)], [], [], [], 0)),
        (form, key, clean, deps, listings, ([], [], [1], [], 0)),
        [1, 2, 3],
        {"a": "b"},
        None,
    ]:
        store.write(name, payload)
        assert lint(module, capsys=capsys) == cold, payload
        assert runs.last.linted, payload
    assert findings  # the payloads above would have hidden them


def test_an_edit_that_keeps_a_file_clean_reuses_the_entry_and_parses_nothing(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, parses: list[int]
) -> None:
    for index in range(20):
        (module / "util" / f"f{index}.go").write_text(CLEAN.replace("Sum", f"Sum{index}"))
    _age(module)
    lint(module, capsys=capsys)
    parsed = parses[0]
    edited = module / "util" / "f3.go"
    edited.write_text(CLEAN.replace("Sum", "Total") + "\nfunc Twice(a int) int { return 2 * a }\n")
    _age(module, only=edited, offset=1)
    assert lint(module, capsys=capsys) == lint(module, "--no-cache", capsys=capsys)
    assert parses[0] == 2 * parsed  # the --no-cache run's parses
    lint(module, capsys=capsys)
    # of the inputs only the edited file is read again, and found clean: nothing to lint
    edited.write_text(CLEAN.replace("Sum", "Plus"))
    _age(module, only=edited, offset=2)
    assert lint(module, capsys=capsys)[:2] == lint(module, "--no-cache", capsys=capsys)[:2]
    assert not runs.last.linted and runs.last.reads == 1 and parses[0] == 3 * parsed
    # an edit that makes it a candidate (a builder's name) lints again
    edited.write_text(SETUP.replace("package e2e", "package util"))
    _age(module, only=edited, offset=3)
    assert lint(module, capsys=capsys) == lint(module, "--no-cache", capsys=capsys)
    assert runs.last.linted


def test_a_clean_file_added_or_removed_reuses_the_entry_with_the_count_corrected(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, parses: list[int]
) -> None:
    def text() -> str:
        with chdir(module):
            main([])
        return capsys.readouterr().out

    first = text()
    before = parses[0]
    (module / "util" / "added.go").write_text(CLEAN.replace("Sum", "Added"))
    with_added = text()
    assert not runs.last.linted and parses[0] == before
    assert with_added == _uncached_text(module, capsys) and with_added != first  # the count
    (module / "util" / "more.go").unlink()
    (module / "util" / "added.go").unlink()
    assert text() == _uncached_text(module, capsys) and not runs.last.linted


def _uncached_text(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    with chdir(root):
        main(["--no-cache"])
    return capsys.readouterr().out


def test_a_new_sibling_or_an_edited_import_outside_the_inputs_is_seen(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """A one-file run reads beyond its input (the packages it imports): those are checked too."""
    one = "e2e/setup.go"
    lint(module, one, capsys=capsys)
    assert not lint(module, one, capsys=capsys)[2] and not runs.last.linted
    infra = module / "infrastructure" / "infra.go"
    infra.write_text(infra.read_text().replace("func BuildAndLoadImageToKind", "func BuildAndLoadImageToKindOld"))
    _age(module, only=infra, offset=2)
    cold = lint(module, one, "--no-cache", capsys=capsys)
    assert lint(module, one, capsys=capsys) == cold and runs.last.linted
    (module / "infrastructure" / "more.go").write_text(
        "package infrastructure\n\nfunc BuildAndLoadImageToKind(cfg ImageBuildConfig, w any) (string, error) {\n"
        '\treturn "", nil\n}\n'
    )
    cold = lint(module, one, "--no-cache", capsys=capsys)
    assert lint(module, one, capsys=capsys) == cold and runs.last.linted


def test_the_read_log_keeps_digests_of_what_the_lint_read(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log lasts the whole lint (every module of a large tree): it keeps a digest of each
    file and listing it saw, never their bytes or names, and a later edit is still seen."""
    import imagetag_lint.cache.runs as cached

    logs: list[reads.ReadLog] = []
    start = cached.log_reads

    def logging(log: reads.ReadLog | None) -> None:
        if log is not None:
            logs.append(log)
        start(log)

    monkeypatch.setattr(cached, "log_reads", logging)
    one = "e2e/setup.go"
    lint(module, one, capsys=capsys)
    (log,) = logs
    seen = [*log.listings.values(), *log.walks.values(), *(found for _, _, found in log.dependencies())]
    assert log.files and log.listings and all(isinstance(s, bytes) and len(s) == 16 for s in seen if s is not None)
    whole = [path for path, limit, found in log.dependencies() if limit == -1 and found is not None]
    assert whole and all(isinstance(log.files[path], bytes) for path in whole)  # the digest alone, not a pair
    assert not lint(module, one, capsys=capsys)[2] and not runs.last.linted
    (module / "infrastructure" / "extra.go").write_text("package infrastructure\n")
    cold = lint(module, one, "--no-cache", capsys=capsys)
    assert lint(module, one, capsys=capsys) == cold and runs.last.linted


def test_a_rewrite_that_keeps_the_size_and_the_time_is_seen(
    module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Timestamps are coarse: a file written twice in one tick keeps its stat. A file changed
    moments before the run is read again on the next one, whatever its stat says."""
    setup = module / "e2e" / "setup.go"
    stat = setup.stat()
    lint(module, capsys=capsys)
    setup.write_text(SETUP.replace('"localhost/shop:e2e"', '"docker.io/shop:e2e"'))
    os.utime(setup, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert setup.stat().st_size == stat.st_size and setup.stat().st_ino == stat.st_ino
    assert lint(module, capsys=capsys) == lint(module, "--no-cache", capsys=capsys)


def test_a_rewrite_that_puts_the_old_time_back_is_seen(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cp -p`, `rsync -t` and `tar` put an old modification time back; the change time they
    cannot set tells the cache that the file changed."""
    _age(module)
    setup = module / "e2e" / "setup.go"
    stat = setup.stat()
    first = lint(module, capsys=capsys)
    setup.write_text(SETUP.replace('"localhost/shop:e2e"', '"localhost/shox:e2e"'))
    os.utime(setup, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (setup.stat().st_size, setup.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    again = lint(module, capsys=capsys)
    assert again == lint(module, "--no-cache", capsys=capsys) and again != first


def test_concurrent_runs_share_a_cache_safely(module: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop(ENVIRONMENT_VARIABLE, None)
    command = [sys.executable, "-m", "imagetag_lint", "--output-format", "json", "."]
    cold = subprocess.run([*command, "--no-cache"], cwd=module, env=env, capture_output=True, check=False)
    for _ in range(2):
        started = [subprocess.Popen(command, cwd=module, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
        for process in started:
            out, err = process.communicate(timeout=120)
            assert (process.returncode, out, err) == (cold.returncode, cold.stdout, cold.stderr)
    leftovers = [p.name for p in (module / DIRECTORY_NAME).rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_warm_run_imports_neither_the_parser_nor_rich(module: Path) -> None:
    program = (
        "import sys\nfrom imagetag_lint.cli import main\nmain(['--output-format', 'json', '.'])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != ENVIRONMENT_VARIABLE}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", program], cwd=module, env=env, capture_output=True, text=True, check=True)
    modules = set(done.stderr.split())
    assert "imagetag_lint.cache.runs" in modules
    assert not modules & {"tree_sitter", "rich", "libcst", "imagetag_lint.lint", "imagetag_lint.engine", "hashlib"}


def test_fix_and_stdin_runs_leave_the_cache_alone(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with chdir(module):
        main(["--stdin-filename", "e2e/setup.go", "-"], stdin=io.BytesIO(SETUP.encode()))
        main(["--diff", "."])
        main(["--fix", "."])
    capsys.readouterr()
    assert not (module / DIRECTORY_NAME).exists()


def _age(root: Path, only: Path | None = None, offset: int = 0) -> None:
    """Move file times a minute into the past (each file its own time), so that the cache
    trusts their stat as it would on a tree edited a while ago."""
    past = (os.stat(root).st_mtime_ns // 10**9 - 60) * 10**9
    paths = [only] if only is not None else sorted(root.rglob("*.go"))
    for index, path in enumerate(paths):
        stamp = past + (index + 1) * 1000 + offset * 10**6
        os.utime(path, ns=(stamp, stamp))


def test_a_packed_read_log_gives_back_what_it_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The log packs itself as it grows, and a lint of several modules packs it after each one:
    unpacked, it says what a log never packed says, each file at the most that any read saw of
    it, the first such read kept."""
    reads_made = [
        ("/m/a/go.mod", None, 4096), ("/m/b.go", b"one", -1), ("/m/c.go", b"x", 10),
        ("/m/a/go.mod", b"module a\n", 4096), ("/m/b.go", b"two", -1), ("/m/c.go", b"xy", -1), ("/m/d", None, reads.EXISTS),
        ("/m/c.go", b"z", 5), ("/m/d", b"", reads.EXISTS), ("/m/e.go", b"e", -1), ("/in.go", b"input", -1),
    ]
    whole, packed, grown = reads.ReadLog(["/in.go"]), reads.ReadLog(["/in.go"]), reads.ReadLog(["/in.go"])
    for number, (path, source, limit) in enumerate(reads_made):
        for log in (whole, packed, grown):
            monkeypatch.setattr(reads, "PACKED_ENTRIES", 4 if log is grown else 1000)
            log.read(path, source, limit)
            log.listed(f"/m/{number % 3}", [path])
            log.walked(f"/w/{number % 2}", [str(number)])
            assert len(log.files) + len(log.listings) + len(log.walks) < reads.PACKED_ENTRIES
        if number % 4 == 3:
            packed.pack()
            assert not packed.files and not packed.listings and not packed.walks
    for log in (packed, grown):
        log.unpack()
        assert log.dependencies() == whole.dependencies() and len(whole.dependencies()) == 5
        assert log.listings == whole.listings and log.walks == whole.walks


def test_a_lint_of_several_modules_packs_the_read_log_between_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the log holds of a finished module waits compressed while the next is linted."""
    from imagetag_lint import lint as linting

    tree = tmp_path / "tree"
    for root in (tree, tree / "staging" / "other"):
        root.mkdir(parents=True)
        go_module(root, {"e2e/setup.go": SETUP})
    held_at_each_turn: list[set[str]] = []
    taken = linting._lint_taken

    def spy(linter: linting.Linter) -> linting.LintResult:
        assert reads._log is not None
        held_at_each_turn.append({path for path in reads._log.files if os.path.basename(path) == "go.mod"})
        return taken(linter)

    monkeypatch.setattr(linting, "_lint_taken", spy)
    with chdir(tree):
        assert main([".", "--output-format", "json", "--exit-zero", "--cache-dir", str(tmp_path / "cache")]) == 0
    first, second = held_at_each_turn
    probed = str(tree / "e2e" / "go.mod")  # where the first module's files look for their module
    assert probed in first and probed not in second
    capsys.readouterr()


def test_the_read_log_is_off_outside_a_cached_lint() -> None:
    assert reads._log is None


def test_old_entries_are_pruned(module: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import imagetag_lint.cache.runs as cached

    monkeypatch.setattr(cached, "KEPT_RUNS", 3)
    monkeypatch.setattr(cached, "KEPT_TABLES", 2)
    selections = ["IMG001", "IMG002", "IMG003", "IMG001,IMG002", "IMG002,IMG003"]
    for select in selections:  # each selection is another key, and another per-file table
        lint(module, "--select", select, capsys=capsys)
    cache = module / DIRECTORY_NAME
    assert len(list((cache / "runs").iterdir())) == 3 and len(list(cache.glob("files-*"))) == 2
    last = lint(module, "--select", selections[-1], capsys=capsys)
    assert last == lint(module, "--select", selections[-1], "--no-cache", capsys=capsys)


def test_a_first_run_reads_its_inputs_in_forked_processes_with_the_same_result(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import imagetag_lint.cache.runs as cached

    for index in range(12):
        (module / "util" / f"f{index}.go").write_text(CLEAN.replace("Sum", f"Sum{index}"))
    _age(module)
    cold = lint(module, "--no-cache", capsys=capsys)
    monkeypatch.setattr(cached, "PARALLEL_MIN_FILES", 4)  # a large tree's first run: the readers fork
    assert lint(module, capsys=capsys) == cold and runs.last.reads == 17
    assert lint(module, capsys=capsys) == cold and not runs.last.linted and runs.last.reads == 0


def test_a_python_run_sees_a_conftest_appear_above_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """A Python file's findings depend on the fixtures of the conftest.py files above it, which
    are not inputs of a one-file run: a conftest.py that appears one directory up, and goes
    away again, must reach the cached result."""
    import shutil

    from support import TESTS

    suite = tmp_path / "project" / "suite"
    shutil.copytree(TESTS / "fixtures" / "python" / "fixtures", suite, ignore=shutil.ignore_patterns("other"))
    root, one = tmp_path / "project", "suite/test_operator.py"
    conftest = (suite / "conftest.py").read_text()
    (suite / "conftest.py").write_text(conftest.replace("def docker_image(", "def renamed_image("))
    without = lint(root, one, capsys=capsys)
    assert lint(root, one, capsys=capsys) == without and not runs.last.linted
    (root / "conftest.py").write_text(conftest)  # the fixture, one directory up
    above = lint(root, one, capsys=capsys)
    assert runs.last.linted and above == lint(root, one, "--no-cache", capsys=capsys)
    assert above != without and "IMG001" in above[1]
    (root / "conftest.py").unlink()
    assert lint(root, one, capsys=capsys) == without



def test_a_python_run_sees_an_imported_module_appear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """An import of a one-file run resolves to a module of another directory, which is not an
    input: a module that appears where the import looks must reach the cached result."""
    import shutil

    from support import TESTS

    root = tmp_path / "project"
    shutil.copytree(TESTS / "fixtures" / "python" / "imports", root / "imports")
    one = "imports/suite/test_lookalike.py"
    builds = root / "imports" / "shared" / "builds.py"
    source = builds.read_text()
    builds.unlink()  # `from .builds import build_app` finds nothing: no builder, no finding
    without = lint(root, one, capsys=capsys)
    assert lint(root, one, capsys=capsys) == without and not runs.last.linted
    builds.write_text(source)
    appeared = lint(root, one, capsys=capsys)
    assert runs.last.linted and appeared == lint(root, one, "--no-cache", capsys=capsys)
    assert appeared != without and "IMG001" in appeared[1]

def test_a_python_run_sees_a_module_appear_where_a_conftest_puts_sys_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """The builder of a one-file run is found in the directory its conftest.py adds to
    `sys.path`: a module that appears there, and a conftest.py that stops adding it, must reach
    the cached result."""
    import shutil

    from support import TESTS

    root = tmp_path / "project"
    shutil.copytree(TESTS / "fixtures" / "python" / "syspath", root / "syspath")
    one = "syspath/suite/test_suite.py"
    images = root / "syspath" / "lib" / "images.py"
    source = images.read_text()
    images.unlink()  # `from images import build_app` finds nothing: no builder, no finding
    without = lint(root, one, capsys=capsys)
    assert lint(root, one, capsys=capsys) == without and not runs.last.linted
    images.write_text(source)
    appeared = lint(root, one, capsys=capsys)
    assert runs.last.linted and appeared == lint(root, one, "--no-cache", capsys=capsys)
    assert appeared != without and "IMG001" in appeared[1]
    conftest = root / "syspath" / "suite" / "conftest.py"
    conftest.write_text(conftest.read_text().replace('/ "lib"', '/ "legacy"'))
    moved = lint(root, one, capsys=capsys)
    assert runs.last.linted and moved == lint(root, one, "--no-cache", capsys=capsys)
    assert "IMG001" not in moved[1]


@pytest.mark.parametrize(
    ("package", "one", "builder"),
    [
        pytest.param("syspath", "syspath/suite/test_suite.py", "syspath/lib/images.py", id="sys-path"),
        pytest.param("imports", "imports/suite/test_lookalike.py", "imports/shared/builds.py", id="package"),
    ],
)
def test_a_python_run_sees_an_edit_of_a_module_it_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runs: Runs, package: str, one: str, builder: str
) -> None:
    """The import search asks whether the module is a file before the lint reads all of it: the
    cached result depends on its bytes, not on its being there."""
    import shutil

    from support import TESTS

    root = tmp_path / "project"
    shutil.copytree(TESTS / "fixtures" / "python" / package, root / package)
    cold = lint(root, one, capsys=capsys)
    assert runs.last.linted and "IMG001" in cold[1]
    images = root / builder
    images.write_text(images.read_text().replace("    return tag", "    return None"))  # no builder now
    edited = lint(root, one, capsys=capsys)
    assert runs.last.linted and edited == lint(root, one, "--no-cache", capsys=capsys)
    assert edited != cold and "IMG001" not in edited[1]


WRAPPER = '''package wrap

import (
	"io"

	"example.com/m/infrastructure"
)

func Build(w io.Writer) (string, error) {
	return infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "wrapped"}, w)
}
'''


def test_a_clean_file_that_calls_a_wrapper_is_seen_when_it_appears(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """The lint looks for a wrapper's callers among the clean files by their import headers:
    then which clean files there are is part of what the result depends on."""
    go_module(module, {"wrap/wrap.go": WRAPPER})
    lint(module, capsys=capsys)
    (module / "caller").mkdir()
    (module / "caller" / "caller.go").write_text(
        'package caller\n\nimport "example.com/m/wrap"\n\nfunc Run() {\n\t_, _ = wrap.Build(nil)\n}\n'
    )
    cold = lint(module, "--no-cache", capsys=capsys)
    assert "caller/caller.go" in cold[1]  # the dropped result of the wrapper
    assert lint(module, capsys=capsys) == cold and runs.last.linted


def test_a_build_script_removed_from_the_module_is_seen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """A load of a local image is reported when no file of the module builds it: the files the
    search read, scripts among them, are part of what the result depends on."""
    root = copy_corpus(tmp_path)
    before = lint(root, "unbuilt/setup.go", capsys=capsys)
    (root / "hack" / "build-ghost.sh").unlink()
    cold = lint(root, "unbuilt/setup.go", "--no-cache", capsys=capsys)
    assert cold != before
    assert lint(root, "unbuilt/setup.go", capsys=capsys) == cold and runs.last.linted


def test_a_first_run_keeps_neither_sources_nor_the_table_while_it_lints(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key needs every input's digest, not its bytes: the verdicts keep no source (the lint
    reads a file again when it takes it), and the stored table, the verdicts and the clean
    inputs (kept as a count and a digest) are let go of while the trees take memory; the result
    is a cold run's, and the table on disk stays whole."""
    from imagetag_lint import lint as pipeline
    from imagetag_lint.files import PARSEABLE

    _age(module)
    cold = lint(module, "--no-cache", capsys=capsys)
    kept: list[tuple[list[bool], int]] = []
    read_inputs, taken = RunCache._read_inputs, pipeline._lint_taken

    def reading(self: RunCache, jobs: list[tuple[str, str]]) -> bool:
        done = read_inputs(self, jobs)
        kept.append(([scan[2] is not None for scan in self.scans.values() if scan[0] in PARSEABLE], 0))
        return done

    def linting(linter: pipeline.Linter) -> pipeline.LintResult:
        last = runs.last
        kept.append(([], len(last.table) + len(last.scans) + len(last.clean)))
        return taken(linter)

    monkeypatch.setattr(RunCache, "_read_inputs", reading)
    monkeypatch.setattr(pipeline, "_lint_taken", linting)
    assert lint(module, capsys=capsys) == cold and runs.last.linted
    (sources, _), (_, table) = kept
    assert sources and not any(sources)  # e2e/setup.go is parsed, and was read again
    assert table == 0
    assert lint(module, capsys=capsys) == cold and not runs.last.linted and runs.last.reads == 0


def test_a_table_entry_added_after_the_lint_joins_the_stored_table(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs
) -> None:
    """What the run learns after its lint (the baseline's digest) is saved with the entries
    stored before the lint, not in their place: the next run reads no input again."""
    _age(module)
    with chdir(module):
        main(["--write-baseline", "baseline.json", "--no-cache"])
    capsys.readouterr()
    first = lint(module, "--baseline", "baseline.json", capsys=capsys)
    assert runs.last.linted
    assert lint(module, "--baseline", "baseline.json", capsys=capsys) == first
    assert not runs.last.linted and runs.last.reads == 0


def test_an_input_edited_while_the_run_reads_it_stores_no_entry(
    module: Path, capsys: pytest.CaptureFixture[str], runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key holds an input's digest; the lint reads the input again when it parses it. An
    edit in between gives a result of other bytes than the key's: it is printed, never stored,
    so putting the old bytes back later lints again instead of answering for the edit."""
    _age(module)
    setup = module / "e2e" / "setup.go"
    original = setup.read_text()
    cold = lint(module, "--no-cache", capsys=capsys)
    read_inputs = RunCache._read_inputs

    def edited_meanwhile(self: RunCache, jobs: list[tuple[str, str]]) -> bool:
        done = read_inputs(self, jobs)
        setup.write_text(original.replace('"localhost/shop:e2e"', '"localhost/other:e2e"'))
        return done

    monkeypatch.setattr(RunCache, "_read_inputs", edited_meanwhile)
    raced = lint(module, capsys=capsys)
    assert runs.last.linted and "localhost/other:e2e" in raced[1]
    monkeypatch.setattr(RunCache, "_read_inputs", read_inputs)
    setup.write_text(original)
    _age(module)
    assert lint(module, capsys=capsys) == cold and runs.last.linted


def test_the_verdicts_read_for_the_key_bring_back_no_source(
    module: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the key is computed, no parseable input's bytes reach the run: each is put off
    where it is read (on a tree of several modules, every module's sources at once were the
    run's peak, and the memory they took stayed scattered), and the result is a cold run's."""
    from imagetag_lint.cache import runs as runs_module
    from imagetag_lint.files import PARSEABLE

    _age(module)
    cold = lint(module, "--no-cache", capsys=capsys)
    listed: list[bool] = []
    split = runs_module.Split

    class Watched(split):  # type: ignore[misc, valid-type]
        def results(self, on_result=None):  # type: ignore[no-untyped-def]
            def arrived(index, r):  # type: ignore[no-untyped-def]
                if r is not None and r[1] is not None and r[1][0] in PARSEABLE:
                    listed.append(r[1][2] is not None)
                return on_result(index, r)

            return super().results(arrived)

    monkeypatch.setattr(runs_module, "Split", Watched)
    assert lint(module, capsys=capsys) == cold
    assert listed and not any(listed)  # e2e/setup.go is parseable, and its bytes were not kept
