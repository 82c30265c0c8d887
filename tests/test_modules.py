"""A tree of several Go modules is linted one module at a time: each module's findings, fixes
and fingerprints are the ones a run on that module alone gives, and a module's syntax trees go
before the next module is parsed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from samples import stdout_of
from support import FIXTURES, TESTS

from imagetag_lint.fingerprint import enclosing_function_name
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import ROOTS, parse

REPO = TESTS.parent
STAGING = "staging/src/example.com/billing"

# root module: an `Image:` of the repository the other module builds (a run on the root module
# alone sees no build of it); a finding suppressed and a suppression left unused
LEGACY = 'package e2e\n\nimport "example.com/shop-e2e/infra"\n\nvar legacy = infra.Container{Name: "legacy", Image: "acme/ledger:v1"}\n'
LEDGER = """package e2e

import (
	"io"

	"example.com/billing/infra"
)

func buildLedger(w io.Writer) (string, error) {
	return infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "acme/ledger", Dockerfile: "Dockerfile"}, w)
}
"""


def make_tree(root: Path) -> Path:
    """examples/kind-e2e at the root and again as a second module under staging/."""
    shutil.copytree(REPO / "examples" / "kind-e2e", root)
    staging = root / STAGING
    shutil.copytree(REPO / "examples" / "kind-e2e", staging)
    for path in staging.rglob("*"):
        if path.is_file():
            path.write_text(path.read_text().replace("example.com/shop-e2e", "example.com/billing"))
    (root / "e2e" / "legacy.go").write_text(LEGACY)
    (staging / "e2e" / "ledger.go").write_text(LEDGER)
    return root


def suppress(root: Path) -> tuple[str, int]:
    """Suppress the root module's first IMG001 by a trailing comment, and leave an unused
    suppression on the package line of the same file: (file, row of the suppressed finding)."""
    first = next(f for f in sarif(root, ["e2e", "infra"]) if f[0] == "IMG001")
    path = root / first[1]
    lines = path.read_text().split("\n")
    lines[first[2] - 1] += " //imagetaglint:ignore IMG001 // smoke run, nothing deployed"
    lines[0] += " //imagetaglint:ignore IMG003 // stale"
    path.write_text("\n".join(lines))
    return first[1], first[2]


def sarif(root: Path, paths: list[str]) -> list[tuple[str, str, int, str]]:
    """(rule, file, row, fingerprint) of each finding, sorted."""
    report = json.loads(stdout_of(root, [*paths, "--output-format", "sarif", "--no-cache"]))
    return sorted(
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            next(iter(result["partialFingerprints"].values())),
        )
        for result in report["runs"][0]["results"]
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "tree")


def test_each_module_reports_what_a_run_on_it_alone_reports(tree: Path) -> None:
    suppressed = suppress(tree)
    whole = sarif(tree, ["."])
    alone = sorted(sarif(tree, ["e2e", "infra"]) + sarif(tree, [STAGING]))
    assert whole == alone
    files = {f[1] for f in whole}
    assert any(name.startswith(STAGING) for name in files) and any(name.startswith("e2e/") for name in files)
    # the build of `acme/ledger` is in the other module: the root's `Image:` of it is no finding
    assert not [f for f in whole if f[1] == "e2e/legacy.go"]
    # the root module's trees were let go before the gate: its suppressions still apply
    assert not [f for f in whole if f[0] == "IMG001" and (f[1], f[2]) == suppressed]
    assert [f for f in whole if f[0] == "IMG100" and (f[1], f[2]) == (suppressed[0], 1)]


def test_fix_edits_each_module_as_a_run_on_it_alone_does(tmp_path: Path) -> None:
    whole, alone = make_tree(tmp_path / "whole"), make_tree(tmp_path / "alone")
    stdout_of(whole, [".", "--fix", "--unsafe-fixes", "--no-cache"])
    stdout_of(alone, ["e2e", "infra", "--fix", "--unsafe-fixes", "--no-cache"])
    stdout_of(alone, [STAGING, "--fix", "--unsafe-fixes", "--no-cache"])
    fixed = {p.relative_to(whole): p.read_bytes() for p in whole.rglob("*.go")}
    assert fixed == {p.relative_to(alone): p.read_bytes() for p in alone.rglob("*.go")}
    assert fixed[Path("e2e/setup.go")] != (REPO / "examples/kind-e2e/e2e/setup.go").read_bytes()
    assert fixed[Path(STAGING, "e2e/setup.go")] != fixed[Path("e2e/setup.go")]  # fixed, in its own module


def test_a_module_s_trees_go_before_the_next_module(tree: Path) -> None:
    from imagetag_lint.files import discover
    from imagetag_lint.lint import lint_paths
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    discovered, _ = discover([str(tree)], tree)
    result = lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    files = [f for f in result.sources.values() if isinstance(f, SourceFile)]
    assert {Path(f.filename).parts[0] for f in files} == {"e2e", "staging"}
    assert all(f.parsed is None for f in files)
    assert result.findings
    assert not ROOTS  # the last module's trees too: the report is written without them


def test_the_verdicts_of_files_alike_are_held_once(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole-tree run keeps every file's verdict: a clean file's holds its quoted imports only,
    and equal verdicts are one object, so what the run holds per file does not grow with them."""
    from imagetag_lint import lint
    from imagetag_lint.files import discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    for index in range(3):
        (tree / "e2e" / f"clean{index}.go").write_text(
            'package e2e\n\n// helpers\nimport (\n\t"io"\n\n\t"example.com/shop-e2e/infra"\n)\n\nvar _ = infra.X\nvar _ io.Reader\n'
        )
    discovered, _ = discover([str(tree)], tree)
    held: list[list[lint.Scan]] = []
    units = lint._units

    def spy(modules: lint.ModuleMap, items: list[lint.Discovered], scans: list[lint.Scan], first: str | None) -> list[Sequence[int]]:
        held.append(scans)
        return units(modules, items, scans, first)

    monkeypatch.setattr(lint, "_units", spy)
    lint.lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    clean = [scan for item, scan in zip(discovered, held[0]) if item.display.startswith("e2e/clean")]
    assert clean[0] == (lint.Prefilter.CLEAN, b'"io" "example.com/shop-e2e/infra"', None, False)
    assert all(scan is clean[0] for scan in clean)


def test_the_modules_files_are_listed_at_a_word_a_file(tree: Path) -> None:
    """The files of each module are listed for the whole run: as machine words, not as an int
    object and a pointer per file of a large tree."""
    import tracemalloc

    from imagetag_lint import lint
    from imagetag_lint.files import ModuleMap, Scanner, discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    for index in range(600):
        (tree / "e2e" / f"clean{index}.go").write_text("package e2e\n")
    options = LintOptions(rule_set=load_rule_set())
    discovered, _ = discover([str(tree)], tree)
    scanner = Scanner(lint.Prefilter(options.rule_set.flow), options.max_file_bytes)
    scans = [scanner((d.path, d.display)) for d in discovered]
    modules = ModuleMap()
    lint._units(modules, discovered, scans, None)  # the go.mod files, read once
    tracemalloc.start()
    try:
        units = lint._units(modules, discovered, scans, None)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(units) == 2 and sum(map(len, units)) == len(discovered) > 600
    assert held < 12 * len(discovered)


def test_a_finished_module_keeps_only_the_sources_the_report_reads(tree: Path) -> None:
    """A module's files that no finding names and that hold no suppression comment are not
    kept once the module is linted: the run does not grow with the modules before it."""
    from imagetag_lint.files import discover
    from imagetag_lint.lint import lint_paths
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    suppressed_file, _ = suppress(tree)
    discovered, _ = discover([str(tree)], tree)
    result = lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    named = {f.filename for f in result.findings}
    named |= {r.span.filename for f in result.findings for r in f.related}
    named |= {e.filename for f in result.findings if f.fix is not None for e in f.fix.edits}
    assert set(result.sources) == named | {suppressed_file}
    staging = tree / STAGING  # a run on that module alone keeps every file it parsed, here more
    alone = lint_paths(discover([str(staging)], staging)[0], LintOptions(rule_set=load_rule_set()), staging)
    kept = {name.removeprefix(STAGING + "/") for name in result.sources if name.startswith(STAGING)}
    assert kept < set(alone.sources)


def test_a_later_module_s_sources_are_read_at_its_turn(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the first module is linted, the verdicts of the other modules' files hold no
    source: each is read again when its module's turn comes."""
    from imagetag_lint import lint
    from imagetag_lint.files import Scanner, discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.parallel import Settled
    from imagetag_lint.rules import load_rule_set

    options = LintOptions(rule_set=load_rule_set())
    discovered, _ = discover([str(tree)], tree)
    scanner = Scanner(lint.Prefilter(options.rule_set.flow), options.max_file_bytes)
    verdicts = [scanner((d.path, d.display)) for d in discovered]
    assert sum(v[2] is not None for v in verdicts) > 4
    held_at_each_turn: list[set[str]] = []
    taken = lint._lint_taken

    def spy(linter: lint.Linter) -> lint.LintResult:
        held_at_each_turn.append({d.display for d, v in zip(discovered, verdicts) if v[2] is not None})
        return taken(linter)

    monkeypatch.setattr(lint, "_lint_taken", spy)
    result = lint.lint_paths(discovered, options, tree, pending=Settled(verdicts))
    first, second = held_at_each_turn
    assert first and all(not name.startswith("staging/") for name in first)
    assert not second  # the first module's are let go too, and the second's were read again
    assert {f.filename for f in result.findings if f.filename.startswith("staging/")}


def test_a_finished_module_s_kept_sources_wait_compressed_for_the_report(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a later module is linted, the files kept of the modules before it hold no source
    (it waits compressed); the report gets every one back as it is on disk."""
    import gc

    from imagetag_lint import lint
    from imagetag_lint.files import discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    discovered, _ = discover([str(tree)], tree)
    sizes_at_each_turn: list[dict[str, int]] = []
    taken = lint._lint_taken

    def spy(linter: lint.Linter) -> lint.LintResult:
        files = [o for o in gc.get_objects() if isinstance(o, SourceFile) and o not in linter.project.files()]
        sizes_at_each_turn.append({f.filename: len(f.source) for f in files})
        return taken(linter)

    monkeypatch.setattr(lint, "_lint_taken", spy)
    result = lint.lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    first, second = sizes_at_each_turn
    assert not first
    assert second and set(second.values()) == {0}
    assert set(second) < set(result.sources)
    for name, file in result.sources.items():
        assert file.source == (tree / name).read_bytes()
        assert isinstance(file, SourceFile) and file.position(len(file.source)).row == file.source.count(b"\n") + 1


def test_a_finished_module_s_directory_lookups_go_with_it(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The go.mod lookups that split the files by module (one per directory of the tree) are the
    first module's linter's, and go with it."""
    import gc

    from imagetag_lint import lint
    from imagetag_lint.files import ModuleMap, discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    discovered, _ = discover([str(tree)], tree)
    maps_at_each_turn: list[int] = []
    taken = lint._lint_taken

    def spy(linter: lint.Linter) -> lint.LintResult:
        gc.collect()
        maps_at_each_turn.append(sum(isinstance(o, ModuleMap) for o in gc.get_objects()))
        return taken(linter)

    monkeypatch.setattr(lint, "_lint_taken", spy)
    lint.lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    assert maps_at_each_turn == [1, 1]


def test_a_go_tree_s_inputs_are_listed_once(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Python inputs, the readers and the lint take the run's list of inputs as it is:
    a tree of thousands of files holds no copies of it for the whole run."""
    from imagetag_lint import lint, options

    lists: list[object] = []
    start_scan, lint_paths = options.start_scan, lint.lint_paths

    def scan_spy(discovered: list[lint.Discovered], *args: object) -> object:
        lists.append(discovered)
        return start_scan(discovered, *args)  # type: ignore[arg-type]

    def lint_spy(discovered: list[lint.Discovered], *args: object) -> lint.LintResult:
        lists.append(discovered)
        return lint_paths(discovered, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(options, "start_scan", scan_spy)
    monkeypatch.setattr(lint, "lint_paths", lint_spy)
    assert stdout_of(tree, ["--no-cache", "--output-format", "json", "--exit-zero"])
    assert len(lists) == 2 and lists[0] is lists[1]


def tree_enclosing_function_name(file: SourceFile, start: int, end: int) -> str:
    """What the name was before files kept an outline: read from the tree, the root's first
    child that contains start or starts after it (tree-sitter's `first_child_for_byte`, whose
    Python binding crashes on some offsets between two children)."""
    node = next((child for child in file.tree.root_node.children if child.end_byte > start), None)
    if node is None or node.type not in ("function_declaration", "method_declaration"):
        return ""
    if not node.start_byte <= start <= end <= node.end_byte:
        return ""
    name, receiver = node.child_by_field_name("name"), node.child_by_field_name("receiver")
    prefix = " ".join((receiver.text or b"").decode().split()) + " " if receiver is not None else ""
    return prefix + ((name.text or b"").decode() if name is not None else "")


def test_the_outline_names_the_enclosing_function_as_the_tree_does() -> None:
    for path in sorted(FIXTURES.rglob("*.go"))[:120]:
        source = path.read_bytes()
        file = SourceFile(path.name, str(path.parent), source, parse(source), "p", {})
        released = SourceFile(path.name, str(path.parent), source, parse(source), "p", {})
        released.release()
        for start in range(0, len(source) + 1, 7):
            for end in (start, min(len(source), start + 40)):
                expected = tree_enclosing_function_name(file, start, end)
                assert enclosing_function_name(released, start, end) == expected, (path, start, end)
        assert released.parsed is None


WRAPPER = """package loose

import "io"

type ImageBuildConfig struct{ ImageName string }

func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":e2e", nil
}

func BuildShop(w io.Writer) (string, error) {
	return BuildAndLoadImageToKind(ImageBuildConfig{ImageName: "shop"}, w)
}
"""

# names no builder, no image: the prefilter finds it clean, and only its package's wrapper makes it a finding
CALLER = """package loose

import "io"

func Setup(w io.Writer) error {
	_, err := BuildShop(w)
	return err
}
"""


def test_files_outside_any_module_are_linted_together_beside_a_module(tmp_path: Path) -> None:
    """A module (`shop/`, first in the walk) beside a directory under no go.mod: the clean caller
    of the loose package's wrapper is linted with that package, not with the module."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "examples" / "kind-e2e", root / "shop")
    (root / "z" / "loose").mkdir(parents=True)
    (root / "z" / "loose" / "wrap.go").write_text(WRAPPER)
    (root / "z" / "loose" / "caller.go").write_text(CALLER)
    whole = sarif(root, ["."])
    assert whole == sorted(sarif(root, ["shop"]) + sarif(root, ["z"]))
    assert [f for f in whole if f[:3] == ("IMG001", "z/loose/caller.go", 6)]


def test_a_cached_run_of_several_modules_reports_what_an_uncached_one_does(tree: Path, tmp_path: Path) -> None:
    suppress(tree)
    expected = stdout_of(tree, [".", "--output-format", "sarif", "--no-cache"])
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert stdout_of(tree, [".", "--output-format", "sarif", *cache]) == expected  # fills the cache
    assert stdout_of(tree, [".", "--output-format", "sarif", *cache]) == expected  # answered from it
    (tree / STAGING / "e2e" / "ledger.go").write_text(LEDGER.replace("acme/ledger", "acme/journal"))
    assert stdout_of(tree, [".", "--output-format", "sarif", *cache]) == stdout_of(
        tree, [".", "--output-format", "sarif", "--no-cache"]
    )


DEPLOY = """package deploy

import "io"

type Container struct{ Name, Image string }

func BuildAndLoadImageToKind(name string, w io.Writer) (string, error) {
	return "localhost/" + name + ":e2e", nil
}

func apply(c Container) error { return nil }

// DeployAPI deploys the api; another module calls it too.
func DeployAPI() error {
	return apply(Container{Name: "api", Image: "localhost/api:e2e"})
}

func Setup(w io.Writer) error {
	if _, err := BuildAndLoadImageToKind("api", w); err != nil {
		return err
	}
	return DeployAPI()
}
"""

SMOKE = """package check

import "example.com/shop/deploy"

// Redeploy runs the api again after a smoke test.
func Redeploy() error {
	return deploy.DeployAPI()
}
"""


@pytest.mark.parametrize("smoke_has_an_image", [False, True])
def test_a_caller_in_another_module_makes_the_parameter_fix_one_for_a_person(
    tmp_path: Path, smoke_has_an_image: bool
) -> None:
    """Imports resolve within a module, so a call of the exported helper from another module of
    the run is not followed: a fix that adds a parameter would break that module's build."""
    root = tmp_path / "tree"
    (root / "deploy").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/shop\n\ngo 1.22\n")
    (root / "deploy" / "deploy.go").write_text(DEPLOY)
    (root / "smoke" / "check").mkdir(parents=True)
    (root / "smoke" / "go.mod").write_text(
        "module example.com/smoke\n\ngo 1.22\n\nrequire example.com/shop v0.0.0\n\nreplace example.com/shop => ../\n"
    )
    (root / "smoke" / "check" / "check.go").write_text(SMOKE)
    if smoke_has_an_image:  # a file the prefilter keeps: the smoke module is linted on its own
        (root / "smoke" / "check" / "probe.go").write_text(
            'package check\n\ntype Container struct{ Name, Image string }\n\nvar probe = Container{Name: "probe", Image: "busybox:1.36"}\n'
        )
    found = json.loads(stdout_of(root, [".", "--output-format", "json", "--no-cache"]))
    drop = next(f for f in found if f["code"] == "IMG001")
    assert drop["fix"]["applicability"] == "display-only"
    assert drop["fix"]["message"].startswith("smoke/check/check.go, in another Go module of the run,")
    stdout_of(root, [".", "--fix", "--unsafe-fixes", "--no-cache"])
    assert (root / "deploy" / "deploy.go").read_text() == DEPLOY


def test_the_files_found_are_held_at_a_few_bytes_a_file(tree: Path) -> None:
    """The list of inputs lasts the whole run: it holds each file's name and a few numbers, not
    a file object and a path string per file of a large tree, and gives the same files."""
    import gc
    import tracemalloc

    from imagetag_lint.files import Discovered, discover

    for index in range(600):
        (tree / "e2e" / f"clean{index}.go").write_text("package e2e\n")
    expected = sorted(
        (Discovered(str(path), path.relative_to(tree).as_posix()) for path in tree.rglob("*.go") if "testdata" not in path.parts),
        key=lambda d: d.display,
    )
    gc.collect()
    tracemalloc.start()
    try:
        discovered, _ = discover([str(tree)], tree)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert list(discovered) == expected and len(discovered) > 600
    assert held < 40 * len(discovered)
    assert discovered[7] == expected[7] and discovered[-1] == expected[-1]
    assert discovered[1::3] == expected[1::3]
    with pytest.raises(IndexError):
        discovered[len(expected)]


def test_a_file_named_from_outside_the_tree_keeps_its_name() -> None:
    from imagetag_lint.files import Discovered, DiscoveredFiles, PathList

    files = [Discovered("/r/e2e/a.go", "e2e/a.go"), Discovered("/r/e2e/b.go", "../r/e2e/b.go"), Discovered("/s/c.go", "/s/c.go")]
    held = DiscoveredFiles(files)
    assert list(held) == files and [held[i] for i in range(3)] == files
    assert [f.display for f in held] == ["e2e/a.go", "../r/e2e/b.go", "/s/c.go"]
    assert list(PathList(["/a/b/c.go", "/a/b/d.go", "/a/e.go", "f.go"])) == ["/a/b/c.go", "/a/b/d.go", "/a/e.go", "f.go"]


def test_a_module_s_linter_holds_a_byte_a_file_for_the_others(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a module's linter knows of the run's other files (`Linter.others`) tells its own files
    apart by a byte each, not by a set of int objects, while its trees take the memory."""
    from imagetag_lint import lint
    from imagetag_lint.files import discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    discovered, _ = discover([str(tree)], tree)
    members: list[object] = []
    others: list[set[str]] = []
    taken = lint._lint_taken

    def spy(linter: lint.Linter) -> lint.LintResult:
        members.append(linter.others.args[2])  # type: ignore[attr-defined]
        others.append({display for _, display, _ in linter.others()})
        return taken(linter)

    monkeypatch.setattr(lint, "_lint_taken", spy)
    lint.lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    assert all(isinstance(held, bytearray) and len(held) == len(discovered) for held in members)
    first, second = others
    assert first and all(name.startswith("staging/") for name in first)
    assert second and not any(name.startswith("staging/") for name in second)


def test_a_go_tree_is_told_apart_from_one_with_python_files() -> None:
    from imagetag_lint.files import Discovered, DiscoveredFiles, any_python

    go = [Discovered("/r/e2e/a.go", "e2e/a.go"), Discovered("/r/e2e/b.pyre.go", "e2e/b.pyre.go")]
    assert not any_python(DiscoveredFiles(go)) and not any_python(go)
    mixed = [*go, Discovered("/r/tests/test_a.py", "tests/test_a.py")]
    assert any_python(DiscoveredFiles(mixed)) and any_python(mixed)


def test_the_report_finds_an_input_s_path_by_its_name(tmp_path: Path) -> None:
    """Without a dict of every input: the inputs are listed by display name, and a report asks
    for a few."""
    from imagetag_lint.files import Discovered, DiscoveredFiles, DisplayPaths, discover, display_paths

    for name in ("b/z.go", "a/y.go", "a/x.go", "c.go"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("package p\n")
    discovered, _ = discover([str(tmp_path)], tmp_path)
    paths = display_paths(discovered)
    assert isinstance(paths, DisplayPaths)
    assert dict(paths) == {name: str(tmp_path / name) for name in ("a/x.go", "a/y.go", "b/z.go", "c.go")}
    assert paths.get("b/z.go") == str(tmp_path / "b" / "z.go") and paths.get("b/a.go") is None and "zz.go" not in paths
    unordered = [Discovered("/r/b.go", "b.go"), Discovered("/r/a.go", "a.go")]
    assert display_paths(DiscoveredFiles(unordered)) == {"b.go": "/r/b.go", "a.go": "/r/a.go"}


def test_a_linter_keeps_one_table_of_its_clean_files(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files the prefilter found clean are most of a large tree: a linter keeps them in the
    one table that holds their imports, not in a set besides."""
    import sys

    from imagetag_lint import lint
    from imagetag_lint.files import discover
    from imagetag_lint.options import LintOptions
    from imagetag_lint.rules import load_rule_set

    for index in range(600):
        (tree / "e2e" / f"clean{index}.go").write_text("package e2e\n")
    discovered, _ = discover([str(tree)], tree)
    per_clean_file: list[float] = []
    taken = lint._lint_taken

    def spy(linter: lint.Linter) -> lint.LintResult:
        clean = len(linter._clean_reported)
        tables = [v for v in vars(linter).values() if isinstance(v, (set, dict)) and len(v) >= clean > 0]
        per_clean_file.append(sum(map(sys.getsizeof, tables)) / max(clean, 1))
        return taken(linter)

    monkeypatch.setattr(lint, "_lint_taken", spy)
    lint.lint_paths(discovered, LintOptions(rule_set=load_rule_set()), tree)
    assert per_clean_file[0] < 50  # a set besides the table more than tripled it
