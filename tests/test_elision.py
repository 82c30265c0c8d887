"""Siblings parsed without their literal tables (golang/elision.py): which lines are skipped, that
the rest of the tree is the one a whole parse gives, and that a one-file run reports the same."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import TESTS

import imagetag_lint.lint as lint_module
from imagetag_lint.cli import main
from imagetag_lint.golang.elision import data_runs, key_only_words, refused_runs
from imagetag_lint.golang.parser import Node, Tree, keep, parse, parse_skipping

TABLES = TESTS / "fixtures" / "elision"
AVOIDED = (b"mage", b"//imagetaglint:")

SETUP = b"""package infra

func setup(namespace string) {
	settings := map[string]string{
		"setting.0000": "template=8031",
		"replicas":     3,
	}
	env := []EnvVar{
		{Name: "LOG_LEVEL", Value: "debug"},
		{Name: "REGION", Value: "eu-1"},
	}
	apply(settings, env, []string{
		"--namespace",
		namespace,
	})
}
"""


def _skipped(source: bytes) -> list[bytes]:
    return [source[start:end] for start, end, _ in data_runs(source, AVOIDED)]


@pytest.mark.parametrize(
    ("line", "skipped"),
    [
        pytest.param(b'\t\t"setting.0000": "template=8031",\n', True, id="map-entry"),
        pytest.param(b'\t\t"retries": -3,\n', True, id="map-entry-number"),
        pytest.param(b'\t\t{Name: "LOG_LEVEL", Value: "debug"},\n', True, id="struct-element"),
        pytest.param(b'\t\t"--namespace",\n', False, id="call-argument-or-element"),
        pytest.param(b'\t\t"image": "localhost/api:e2e",\n', False, id="image-word"),
        pytest.param(b'\t\t{Name: "api", Image: "localhost/api:e2e"},\n', False, id="image-field"),
        pytest.param(b'\t\t{Name: name, Value: "debug"},\n', False, id="identifier-value"),
        pytest.param(b'\t\t"enabled": true,\n', False, id="predeclared-name"),
        pytest.param(b'\t\t"greeting": "say \\"hi\\"",\n', False, id="escaped-string"),
        pytest.param(b'\t\t"key": value(),\n', False, id="call"),
        pytest.param(b'\t\t"key": "value", // why\n', False, id="comment"),
        pytest.param(b'\t\t{Name: "UPSTREAM", Value: "api.shop.svc:8443"},\n', False, id="string-with-colon"),
        pytest.param(b'\t\t"mirror": "registry.example.com/api",\n', False, id="string-with-slash"),
        pytest.param(b'\t\t"pinned": "api@sha256",\n', False, id="string-with-at"),
    ],
)
def test_a_line_of_literals_is_skipped(line: bytes, skipped: bool) -> None:
    source = b"package p\n\nvar _ = x{\n" + line + b"}\n"
    assert _skipped(source) == ([line] if skipped else [])


def test_lines_with_an_avoided_word_split_a_run() -> None:
    source = b'package p\n\nvar _ = x{\n\t"a": "1",\n\t"image": "2",\n\t"b": "3",\n\t"c": "4",\n}\n'
    assert _skipped(source) == [b'\t"a": "1",\n', b'\t"b": "3",\n\t"c": "4",\n']


def _nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _shape(tree: Tree, runs: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Every node of the tree outside the runs, as (type, start, end)."""
    return [
        (node.type, node.start_byte, node.end_byte)
        for node in _nodes(tree.root_node)
        if not any(start <= node.start_byte and node.end_byte <= end for start, end in runs)
    ]


def test_the_rest_of_the_tree_is_the_whole_parse_s() -> None:
    runs = data_runs(SETUP, AVOIDED)
    assert [SETUP[start:end].count(b"\n") for start, end, _ in runs] == [2, 2]
    spans = [(start, end) for start, end, _ in runs]
    partial = parse_skipping(SETUP, spans)
    assert refused_runs(partial, runs, AVOIDED) == []
    assert partial.root_node.text == SETUP  # node text still reads the whole source
    assert _shape(partial, spans) == _shape(parse(SETUP), spans)
    assert not any(node.type == "keyed_element" for node in _nodes(partial.root_node))


def test_a_run_outside_a_function_body_is_parsed_whole() -> None:
    source = b'package p\n\nvar settings = map[string]string{\n\t"a": "1",\n}\n'
    runs = data_runs(source, AVOIDED)
    assert runs
    tree = parse_skipping(source, [(start, end) for start, end, _ in runs])
    assert refused_runs(tree, runs, AVOIDED) == runs


def test_a_literal_with_an_image_field_keeps_its_lines() -> None:
    """A fix that edits an image element looks at its neighbours (how gofmt aligns them)."""
    source = b'package p\n\nfunc f() {\n\t_ = map[string]string{\n\t\t"app":   "api",\n\t\t"image": "x",\n\t}\n\t_ = map[string]string{\n\t\t"a": "1",\n\t}\n}\n'
    runs = data_runs(source, AVOIDED)
    assert [source[start:end] for start, end, _ in runs] == [b'\t\t"app":   "api",\n', b'\t\t"a": "1",\n']
    tree = parse_skipping(source, [(start, end) for start, end, _ in runs])
    assert refused_runs(tree, runs, AVOIDED) == runs[:1]


@pytest.mark.parametrize(
    "table",
    [
        pytest.param(b'\t\t"app": "catalog"\n\t\t"tier": "backend",\n', id="missing-comma-before"),
        pytest.param(b'\t\t"app": "catalog", // why\n\t\t"tier": "backend",\n', id="comment-before"),
        pytest.param(b'\t\t"catalog": 08,\n', id="octal-digit"),
        pytest.param(b'\t\t"catalog": 007,\n', id="leading-zero"),
        pytest.param(b'\t\t"catalog": "\xff\xfe",\n', id="not-utf8"),
        pytest.param(b'\t\t"catalog": "a\x01b",\n', id="control-character"),
    ],
)
def test_no_line_is_skipped_that_could_hide_a_syntax_error(table: bytes) -> None:
    source = b"package p\n\nfunc f() {\n\t_ = map[string]string{\n" + table + b"\t}\n}\n"
    assert _skipped(source) == []


def test_a_file_that_executes_a_template_keeps_its_tables() -> None:
    """`tmpl.Execute(&buf, map[string]string{"Ref": "shop-api"})`: the data fills `image: {{ .Ref }}`."""
    source = b'package p\n\nfunc f() {\n\t_ = t.Execute(w, map[string]string{\n\t\t"Ref": "shop-api",\n\t})\n}\n'
    assert _skipped(source) == []
    assert _skipped(source.replace(b"Execute", b"Run")) == [b'\t\t"Ref": "shop-api",\n']


@pytest.mark.parametrize(
    ("other", "key_only"),
    [
        pytest.param(b"func f(x T) { _ = T{Name: 1}; _ = x.Name }", True, id="keys-and-fields"),
        pytest.param(b'const banner = "Name"', True, id="in-a-string"),
        pytest.param(b"func f(Name string) {}", False, id="parameter"),
        pytest.param(b"func f() { Name := 1; _ = Name }", False, id="variable"),
        pytest.param(b"func Name() {}", False, id="function"),
        pytest.param(b"const (\n\tName = 1\n)", False, id="constant"),
        pytest.param(b"type T struct{ Name string }", False, id="struct-field"),
        pytest.param(b"// Name is a key", False, id="comment"),
    ],
)
def test_a_key_is_key_only_when_no_file_declares_its_word(other: bytes, key_only: bool) -> None:
    table = b'package p\n\nvar _ = []T{\n\t{Name: "a"},\n}\n'
    sources = [table, b"package p\n\n" + other + b"\n"]
    assert key_only_words({b"Name"}, sources) == ({b"Name"} if key_only else set())


def test_a_dot_import_keeps_every_key() -> None:
    sources = [b'package p\n\nimport . "example.com/names"\n\nvar _ = []T{\n\t{Name: "a"},\n}\n']
    assert key_only_words({b"Name"}, sources) == set()


def _lint(target: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    monkeypatch.chdir(TABLES)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["--output-format", "json", "--exit-zero", "--no-cache", target])
    found: list[dict[str, object]] = json.loads(out.getvalue())
    return found


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    code = main(["--no-cache", *args])
    out, err = capsys.readouterr()
    return code, out, err


GUARDED = TABLES / "guarded"
MODES = [["--output-format", "json"], [], ["--fix", "--diff"], ["--fix", "--unsafe-fixes", "--diff"]]


@pytest.mark.parametrize("target", [".", "e2e/templates/setup.go", "e2e/comma/setup.go", "e2e/octal/setup.go"])
def test_template_data_and_syntax_errors_report_what_a_whole_parse_reports(
    target: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Template data (`"Ref": "shop-orders",` fills `image: {{ .Ref }}`) stays in the parse, and
    a table beside a syntax error (a missing comma, `08`) does not hide the error's warning."""
    partial = [_run([*mode, target], GUARDED, monkeypatch, capsys) for mode in MODES]
    monkeypatch.setattr(lint_module, "data_runs", lambda *args: [])
    monkeypatch.setattr(lint_module, "skippable", lambda *args: {})
    whole = [_run([*mode, target], GUARDED, monkeypatch, capsys) for mode in MODES]
    assert partial == whole
    _, out, err = partial[1]
    if target in (".", "e2e/templates/setup.go"):
        assert "with the fixed image `shop-orders`" in out and "shopOrdersImage," in partial[2][1]
    if target in (".", "e2e/comma/setup.go"):
        assert "e2e/comma/setup.go:13:3: syntax error" in err
    if target in (".", "e2e/octal/setup.go"):
        assert "e2e/octal/setup.go:13:15: syntax error" in err


@pytest.mark.parametrize("target", sorted(p.relative_to(TABLES).as_posix() for p in (TABLES / "infra").glob("*.go")))
def test_a_one_file_run_reports_what_a_whole_parse_reports(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    skipped: list[bytes] = []

    def recording(source: bytes, spans: list[tuple[int, int]]) -> Tree:
        skipped.extend(source[start:end] for start, end in spans)
        return parse_skipping(source, spans)

    monkeypatch.setattr(lint_module, "parse_skipping", recording)
    partial = _lint(target, monkeypatch)
    monkeypatch.setattr(lint_module, "data_runs", lambda *args: [])
    monkeypatch.setattr(lint_module, "skippable", lambda *args: {})
    whole = _lint(target, monkeypatch)
    assert partial == whole
    # tables are reported code in deploy.go, parsed whole; labels.go needs no parse at all
    if target in ("infra/names.go", "infra/setup_api.go"):
        text = b"".join(skipped)
        assert b'"setting.0000"' in text and b'{Name: "LOG_LEVEL"' in text
        assert b"step:" not in text  # `step` is a variable of labels() too


def test_a_one_file_run_reads_its_package_once_for_the_key_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file's tables and then its siblings' ask which field keys the package uses as names:
    a key is looked up in the package's files once."""
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    for name in ("api", "web"):
        (tmp_path / f"setup_{name}.go").write_text(
            f'package e2e\n\nimport (\n\t"os/exec"\n\n\tcorev1 "k8s.io/api/core/v1"\n)\n\nfunc setup{name}() []corev1.EnvVar {{\n'
            f'\t_ = exec.Command("podman", "build", "-t", "localhost/{name}:e2e", ".").Run()\n\treturn []corev1.EnvVar{{\n'
            '\t\t{Name: "LOG_LEVEL", Value: "debug"},\n\t\t{Name: "REGION", Value: "eu-1"},\n\t}\n}\n'
        )
    reads: list[str] = []
    package_sources = lint_module.Linter._package_sources

    def counting(linter: lint_module.Linter, directory: str, siblings: dict[str, bytes]) -> list[bytes]:
        reads.append(directory)
        return package_sources(linter, directory, siblings)

    monkeypatch.setattr(lint_module.Linter, "_package_sources", counting)
    skipped = _recording(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "setup_api.go"]) == 0
    assert _left_out(skipped).count(b'{Name: "LOG_LEVEL"') == 2  # the file's table and its sibling's
    assert reads == [str(tmp_path)]


def _recording(monkeypatch: pytest.MonkeyPatch) -> dict[bytes, list[bytes]]:
    """Record, for each source the lint parses, the lines its last parse left out (a file may
    be parsed again with lines back)."""
    skipped: dict[bytes, list[bytes]] = {}

    attempts: dict[int, tuple[bytes, list[bytes]]] = {}  # partial trees, by id, before one is kept

    def recording(source: bytes, spans: list[tuple[int, int]]) -> Tree:
        tree = parse_skipping(source, spans)
        attempts[id(tree)] = (source, [source[start:end] for start, end in spans])
        return tree

    def kept(tree: Tree) -> Tree:
        source, lines = attempts[id(tree)]
        skipped[source] = lines
        return keep(tree)

    def whole(source: bytes) -> Tree:
        skipped[source] = []
        return parse(source)

    monkeypatch.setattr(lint_module, "parse_skipping", recording)
    monkeypatch.setattr(lint_module, "keep", kept)
    monkeypatch.setattr(lint_module, "parse", whole)
    return skipped


def _left_out(skipped: dict[bytes, list[bytes]]) -> bytes:
    return b"".join(line for lines in skipped.values() for line in lines)


def test_a_whole_tree_run_reports_what_a_whole_parse_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    skipped = _recording(monkeypatch)
    partial = _lint("infra", monkeypatch)
    text = _left_out(skipped)
    # the linted files themselves are parsed without their tables
    assert b'"setting.0000": "template=8031"' in text and b'{Name: "REGION", Value: "eu-1"}' in text
    assert b"step:" not in text  # `step` is a variable of labels() too
    monkeypatch.setattr(lint_module, "data_runs", lambda *args: [])
    monkeypatch.setattr(lint_module, "skippable", lambda *args: {})
    whole = _lint("infra", monkeypatch)
    assert partial == whole
    assert [f["code"] for f in whole] == ["IMG002"]


def test_an_environment_named_image_stays_in_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    (tmp_path / "env.go").write_text(
        'package e2e\n\nimport "os/exec"\n\nfunc env() []EnvVar {\n'
        '\t_ = exec.Command("podman", "build", "-t", "localhost/api:e2e", ".").Run()\n\treturn []EnvVar{\n'
        '\t\t{Name: "LOG_LEVEL", Value: "debug"},\n\t}\n}\n\nfunc tags() []EnvVar {\n\treturn []EnvVar{\n'
        '\t\t{Name: "REGION", Value: "eu-1"},\n\t\t{Name: "IMAGE_TAG", Value: "e2e"},\n\t}\n}\n'
        '\ntype EnvVar = struct{ Key string }\n\nfunc (e EnvVar) Set(value string) { e.Key = value }\n'
    )
    skipped = _recording(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        main(["--exit-zero", "--no-cache", "--select", "IMG001,IMG002,IMG003", "."])
    lines = _left_out(skipped)
    assert b"LOG_LEVEL" in lines and b"IMAGE_TAG" not in lines
    assert b"REGION" not in lines  # a fix of an image element looks at its neighbours


def test_a_key_another_file_declares_brings_the_lines_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The early parse of a linted file cannot see its package; once all are read, a key word
    that another file uses as a name (a constant `Region`) puts its lines back in the tree."""
    (tmp_path / "go.mod").write_text("module example.com/e2e\n\ngo 1.22\n")
    table = '\t\t{Region: "eu-1", Zone: "a"},\n\t\t{Region: "eu-2", Zone: "b"},\n'
    (tmp_path / "zones.go").write_text(
        'package e2e\n\nimport (\n\t"os/exec"\n\n\t"example.com/places"\n)\n\nfunc zones() []places.Place {\n'
        '\t_ = exec.Command("podman", "build", "-t", "localhost/api:e2e", ".").Run()\n'
        "\treturn []places.Place{\n" + table + "\t}\n}\n"
    )
    (tmp_path / "region.go").write_text('package e2e\n\nconst Region = "eu-1"\n')
    skipped = _recording(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        main(["--exit-zero", "--no-cache", "."])
    assert b"Region:" not in _left_out(skipped)
    (tmp_path / "region.go").write_text('package e2e\n\nconst banner = "Region"\n')
    skipped.clear()
    with contextlib.redirect_stdout(io.StringIO()):
        main(["--exit-zero", "--no-cache", "."])
    assert _left_out(skipped) == table.encode()


def test_the_fixture_has_a_finding_to_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [f["code"] for f in _lint("infra/setup_api.go", monkeypatch)] == ["IMG002"]


def test_the_fixture_files_are_where_the_tests_look() -> None:
    assert sorted(p.name for p in Path(TABLES / "infra").glob("*.go")) == ["deploy.go", "labels.go", "names.go", "setup_api.go"]
