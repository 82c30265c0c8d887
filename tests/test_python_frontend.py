"""The Python front-end's pieces: prefilter and second pass, configured producers, parse errors,
minimal edits from the codemod, and the `[python]` table of image-flow.toml."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.python.lint import lint_python_sources
from imagetag_lint.rules import RuleSet, load_rule_set, parse_flow


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    return load_rule_set()


def _sources(**files: str) -> dict[str, bytes]:
    return {name.replace("__", "/") + ".py": textwrap.dedent(text).encode() for name, text in files.items()}


HARNESS = """
    import subprocess
    from kubernetes import client

    def build_app():
        tag = "localhost/app:" + str(id(object()))
        subprocess.run(["docker", "build", "-t", tag, "."], check=True)
        return tag

    def deploy(api, image):
        api.create_namespaced_pod("default", client.V1Container(name="app", image=image))
"""


def test_files_without_a_token_are_not_parsed(rule_set: RuleSet) -> None:
    result = lint_python_sources(_sources(util="def add(a, b):\n    return a + b\n"), rule_set)
    assert (result.parsed, result.findings) == ([], [])


def test_a_caller_with_no_token_of_its_own_is_read_in_the_second_pass(rule_set: RuleSet) -> None:
    caller = """
        from harness import build_app, deploy

        def test_app(api):
            build_app()
            deploy(api, "localhost/app:v1")
    """
    result = lint_python_sources(_sources(harness=HARNESS, test_app=caller, util="X = 1\n"), rule_set)
    assert sorted(result.parsed) == ["harness.py", "test_app.py"]
    (drop,) = result.findings
    assert (drop.filename, drop.span.start.row, drop.code) == ("test_app.py", 5, "IMG001")
    assert [(r.span.start.row, r.message) for r in drop.related] == [
        (6, "the deployment here gets `localhost/app:v1` instead (a string literal)")
    ]


def test_configured_producers_need_no_body(rule_set: RuleSet) -> None:
    test = """
        from e2e.kind import build_and_load_image_to_kind
        from kubernetes import client

        def test_app(api):
            _ = build_and_load_image_to_kind("app")
            api.create_namespaced_pod("default", client.V1Container(name="app", image="localhost/app:dev"))
    """
    codes = [(f.span.start.row, f.code) for f in lint_python_sources(_sources(test_x=test), rule_set).findings]
    assert codes == [(6, "IMG001")]  # the fixed image on line 7 is its related place


def test_a_file_that_is_not_python_is_an_error_and_the_rest_is_linted(rule_set: RuleSet) -> None:
    sources = _sources(harness=HARNESS, broken="def deploy(:\n    image = 'x'\n")
    result = lint_python_sources(sources, rule_set)
    assert [(e.filename, e.problem.split(":")[0]) for e in result.errors] == [("broken.py", "not valid Python")]


def test_select_limits_the_codes(rule_set: RuleSet) -> None:
    caller = """
        from harness import build_app, deploy

        def test_app(api):
            build_app()
            deploy(api, "localhost/app:v1")
    """
    sources = _sources(harness=HARNESS, test_app=caller)
    assert [f.code for f in lint_python_sources(sources, rule_set, frozenset({"IMG002"})).findings] == ["IMG002"]


@pytest.mark.parametrize(
    ("before", "after", "edits"),
    [
        pytest.param("a = 1\nb = 2\n", "a = 1\nb = 3\n", [(10, 11, "3")], id="one-character"),
        pytest.param("f()\ng(x)\n", "y = f()\ng(y)\n", [(0, 0, "y = "), (6, 7, "y")], id="two-lines"),
        pytest.param("f(\n    a,\n)\n", "f(\n    a,\n    b,\n)\n", [(10, 10, "    b,\n")], id="inserted-line"),
        pytest.param("s = 'é'\nf()\n", "s = 'é'\ny = f()\n", [(9, 9, "y = ")], id="bytes-not-characters"),
    ],
)
def test_edits_between_are_minimal_byte_ranges(before: str, after: str, edits: list[tuple[int, int, str]]) -> None:
    from imagetag_lint.fix.edits import apply_edits
    from imagetag_lint.python.codemod import edits_between
    from imagetag_lint.python.source import PythonFile

    file = PythonFile("m.py", before.encode())
    found = edits_between(file, after)
    assert [(e.start_byte, e.end_byte, e.content) for e in found] == edits
    assert apply_edits(before.encode(), found) == after.encode()


def test_the_python_table_rejects_unknown_keys() -> None:
    with pytest.raises(ImagetagLintError, match=r"\[python\]: unknown key 'producer'"):
        parse_flow({"python": {"producer": []}}, "rules/image-flow.toml")
    with pytest.raises(ImagetagLintError, match="bad regular expression"):
        parse_flow({"python": {"generator-patterns": ["("]}}, "rules/image-flow.toml")


def test_python_files_without_a_token_do_not_import_libcst(tmp_path: Path) -> None:
    program = textwrap.dedent("""
        import sys
        from imagetag_lint.python.lint import lint_python_sources
        from imagetag_lint.rules import load_rule_set
        lint_python_sources({"a.py": b"def f():\\n    return 1\\n"}, load_rule_set())
        print("libcst" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("source", "wanted"),
    [
        pytest.param(b'kind = str(record.get("kind", "other"))\n', False, id="kind-as-a-dict-key"),
        pytest.param(b'card = {"title": t, "image": url}\n', False, id="image-key-without-containers"),
        pytest.param(b'run(["kind", "load", "docker-image", tag])\n', True, id="kind-load"),
        pytest.param(b'run(["docker", "build", "-t", tag, "."])\n', True, id="docker-build"),
        pytest.param(b'spec = {"containers": [{"image": name}]}\n', True, id="image-key-in-containers"),
        pytest.param(b'MANIFEST = """\n  - image: app:dev\n"""\n', True, id="yaml-image-line"),
        pytest.param(b'run(f"docker build -t {tag} .", shell=True)\n', True, id="docker-build-shell-line"),
        pytest.param(b'os.system("kind load docker-image " + tag)\n', True, id="kind-load-shell-line"),
        pytest.param(b'"""Run docker to see the logs."""\n', False, id="docker-in-prose"),
        pytest.param(b'kind_cluster.kubectl("apply", "-f", "-", input=manifest)\n', True, id="pytest-kind-kubectl-apply"),
        pytest.param(b'kind_cluster.kubectl("get", "pods")\n', False, id="pytest-kind-kubectl-get"),
    ],
)
def test_the_prefilter_wants_harness_tokens_only(source: bytes, wanted: bool) -> None:
    from imagetag_lint.python.prefilter import wants

    assert wants(source) is wanted


@pytest.mark.parametrize(
    ("line", "words"),
    [
        pytest.param('f"docker build -t {tag} api/"', ["docker", "build", "-t", "<tag>", "api/"], id="f-string"),
        pytest.param('"podman build -t " + tag + " ."', ["podman", "build", "-t", "<tag>", "."], id="concatenation"),
        pytest.param('"kind load docker-image {}".format(tag)', ["kind", "load", "docker-image", "<tag>"], id="format"),
        pytest.param('"a {1} {0}".format(x, y)', ["a", "<y>", "<x>"], id="numbered-fields"),
        pytest.param('f"docker build -t localhost/api:{tag} ."', ["docker", "build", "-t", "localhost/api:…", "."],
                     id="text-around-an-expression"),
        pytest.param('f"echo {{literal}} {x}"', ["echo", "{literal}", "<x>"], id="escaped-braces"),
    ],
)
def test_shell_lines_are_split_into_words(line: str, words: list[str]) -> None:
    import libcst as cst

    from imagetag_lint.python.values import shell_words

    found = shell_words(cst.parse_expression(line))
    assert found is not None
    shown = [text if text is not None else f"<{cst.Module([]).code_for_node(node)}>" if node is not None else head + "…"
             for text, node, head in found]
    assert shown == words


def test_the_benchmark_tree_gives_its_planted_findings(tmp_path: Path, rule_set: RuleSet) -> None:
    """Two suites with the same helper names: calls resolve to the helpers beside the test."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    try:
        import generate_python
    finally:
        sys.path.pop(0)
    manifest = generate_python.generate(tmp_path / "tree", files=700, seed=3)
    sources = {p.relative_to(tmp_path / "tree").as_posix(): p.read_bytes() for p in (tmp_path / "tree").rglob("*.py")}
    result = lint_python_sources(sources, rule_set)
    planted = {(p["path"], p["line"], p["rule"]) for p in manifest["planted"]}
    assert len(planted) == 6
    assert {(f.filename, f.span.start.row, f.code) for f in result.findings} == planted
    assert len(result.parsed) == manifest["e2e_files"]


def test_deeply_nested_code_is_a_problem_not_a_crash(rule_set: RuleSet) -> None:
    chain = " + ".join(['"a"'] * 1000)  # Python reads it; libcst's parser recurses too deeply
    source = f'import subprocess\nX = {chain}\nsubprocess.run(["docker", "build", "-t", X, "."])\n'
    result = lint_python_sources({"deep.py": source.encode()}, rule_set)
    problem = "nested more than 250 levels deep, too deeply for libcst to read"
    assert [(e.filename, e.problem) for e in result.errors] == [("deep.py", problem)]


def test_long_implicit_concatenations_are_read_without_recursion() -> None:
    import libcst as cst

    from imagetag_lint.python.syntax import string_value

    node = cst.parse_expression("(" + " ".join(['"ab"'] * 2000) + ")")
    assert string_value(node) == "ab" * 2000


def test_a_helper_called_under_an_alias_gets_the_image_at_that_call(rule_set: RuleSet) -> None:
    """The fix adds a parameter to a helper that hardcodes the image: its call sites are found
    through `import ... as`, or the fixed code would call it without the new argument."""
    harness = HARNESS + """
    def _deploy_fixed(api):
        api.create_namespaced_pod("default", client.V1Container(name="app", image="localhost/app:latest"))
    """
    caller = """
        from harness import build_app, _deploy_fixed as deploy_fixed

        def test_app(api):
            build_app()
            deploy_fixed(api)
    """
    sources = _sources(harness=harness, test_app=caller)
    (drop,) = lint_python_sources(sources, rule_set).findings
    assert drop.fix is not None
    edits = {(e.filename, e.start.row, e.content) for e in drop.fix.edits}
    assert ("test_app.py", 6, ", image") in edits and ("harness.py", 13, ", image") in edits


def test_a_nested_builder_resolves_in_its_module(rule_set: RuleSet) -> None:
    test = """
        import subprocess
        from kubernetes import client

        def test_app(api):
            def build():
                tag = "localhost/app:" + str(id(object()))
                subprocess.run(["docker", "build", "-t", tag, "."], check=True)
                return tag

            build()
            api.create_namespaced_pod("default", client.V1Container(name="app", image="localhost/app:dev"))
    """
    codes = [(f.span.start.row, f.code) for f in lint_python_sources(_sources(test_x=test), rule_set).findings]
    assert codes == [(11, "IMG001")]
