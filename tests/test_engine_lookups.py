"""The engine's lookups that read bytes instead of walking nodes: each gives what a walk of the
tree gives (engine/containers.py: a variable's visible type; golang/syntax.py: return statements
and a file's calls; engine/locality.py and engine/commands.py: the generator and `exec` calls
found from their words; engine/run.py: the elements of some of the image fields), and the
shortcuts that skip a lookup whose answer is known (whether a call has arguments, a function's
call count, a method of a type of no package of the module, an origin asked again, build sites
after a load of files apart, whether an image is local)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from imagetag_lint.engine.containers import variable_type
from imagetag_lint.engine.run import FileFacts, FlowRun, call_count
from imagetag_lint.engine.values import origin
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, parse, text
from imagetag_lint.golang.project import Project
from imagetag_lint.golang.syntax import (
    arguments,
    call_expressions,
    has_arguments,
    returns,
)
from imagetag_lint.rules import load_rule_set


def _nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _function(source: str, name: str) -> Node:
    root = parse(source.encode()).root_node
    return next(n for n in _nodes(root) if n.type == "function_declaration" and (n.child_by_field_name("name") or n).text == name.encode())


def _marked_uses(function: Node) -> list[Node]:
    """The identifiers `o` on the lines marked `// ask`."""
    source = function.text or b""
    asked = []
    for node in _nodes(function):
        if node.type == "identifier" and text(node) == "o":
            line_end = source.find(b"\n", node.end_byte - function.start_byte)
            if b"// ask" in source[node.end_byte - function.start_byte : line_end]:
                asked.append(node)
    return asked


TYPES = """package e2e

type A struct{ Image string }
type B struct{ Image string }

func use(string) {}

func f(p B) {
	use(p.Image)
	o := A{}
	use(o.Image) // ask A
	if true {
		o := &B{}
		use(o.Image) // ask B
	}
	use(o.Image) // ask B
	go func() {
		o := A{}
		use(o.Image) // ask A
	}()
	use(o.Image) // ask B
	{
		var o A
		use(o.Image) // ask A
	}
	x, o := 1, make([]B, 1)
	use(o.Image) // ask A
	_ = x
}
"""


def test_a_variable_has_the_type_of_its_last_typed_declaration_before_it_in_its_functions() -> None:
    """The walk's answer: the nearest typed declaration before the use, in the closure first and
    then in the function around it, whatever block it sits in; an untyped `:=` changes nothing."""
    run = FlowRun(Project(), load_rule_set().flow)
    function = _function(TYPES, "f")
    answers = []
    for use in _marked_uses(function):
        declared = variable_type(run, use)
        answers.append(text(declared) if declared is not None else None)
    assert answers == ["A", "B", "B", "A", "B", "A", "A"]


def test_a_parameter_gives_its_declared_type() -> None:
    run = FlowRun(Project(), load_rule_set().flow)
    function = _function("package e2e\n\nfunc f(o *Options) {\n\tuse(o.Image) // ask\n}\n", "f")
    (use,) = _marked_uses(function)
    declared = variable_type(run, use)
    assert declared is not None and text(declared) == "*Options"


RETURNS = """package e2e

// return in a comment
func f(a int) (string, error) {
	if a == 0 {
		return "zero", nil
	}
	g := func() string {
		return "closure"
	}
	s := "return"
	/* return */
	for i := 0; i < a; i++ {
		if i == 3 {
			return g(), nil
		}
	}
	return s, nil
}
"""


def _walked_returns(body: Node) -> list[Node]:
    found, stack = [], [body]
    while stack:
        node = stack.pop()
        if node.type == "return_statement":
            found.append(node)
        elif node.type != "func_literal":
            stack.extend(node.named_children)
    return found


BARE_RETURNS = """package e2e

var h func() error

func f(a int) (s string, err error) {
	if a == 0 { return }
	g := func() (x string) {
		k := func ( ) error { return nil }
		_ = k
		return
	}
	var run func() error // func in a comment
	_ = run
	t := "func() { return }"
	if a == 1 {
		return(t), nil
	}
	s = g()
	return
}
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(RETURNS, ["return s, nil", "return g(), nil", 'return "zero", nil'], id="comments-strings-closures"),
        pytest.param(BARE_RETURNS, ["return", "return(t), nil", "return"], id="bare-returns-func-types"),
    ],
)
def test_returns_are_the_function_s_own_last_first(source: str, expected: list[str]) -> None:
    body = _function(source, "f").child_by_field_name("body")
    assert body is not None
    found = list(returns(body))
    assert [text(s) for s in found] == expected
    assert [s.id for s in found] == [s.id for s in _walked_returns(body)]
    assert [s.id for s in returns(body)] == [s.id for s in found]  # asked again: the same answer


CALLS = """package e2e

import "time"

func f(x int) func(int) int { return nil }

func g() {
	_ = time.Since(time.Now()).Round(time.Second)
	_ = f(1)(2)
	_ = make([]string, len("(("))
	_ = new(int)
	_ = []byte("x") // a conversion, not a call
	_ = (f)(3)
	_ = string('(') /* ( */
	_ = func() int { return len(`(`) }()
	_ = f (4)
	_ = f /* ( */ (5)
	_ = f(
		6)
}
"""

BROKEN = """package e2e

func g() {
	f(1, h(2)
	k(3)
}
"""

TESTS = Path(__file__).parent


def _walked_calls(root: Node) -> list[Node]:
    return [node for node in _nodes(root) if node.type == "call_expression"]


def _corpus() -> list[Path]:
    return sorted(p for d in ("fixtures/go", "realistic") for p in (TESTS / d).rglob("*.go"))


@pytest.mark.parametrize("source", [pytest.param(CALLS, id="nested-strings-comments"), pytest.param(BROKEN, id="syntax-error")])
def test_a_file_s_calls_are_the_walk_s_calls_in_tree_order(source: str) -> None:
    root = parse(source.encode()).root_node
    found = call_expressions(root, source.encode())
    assert [n.id for n in found] == [n.id for n in _walked_calls(root)]
    assert len(found) == (15 if source == CALLS else 3)
    assert not any(text(n).startswith("[]byte") for n in found)
    for declaration in (n for n in root.named_children if n.type == "function_declaration"):  # a function's own calls
        assert [n.id for n in call_expressions(declaration, source.encode())] == [n.id for n in _walked_calls(declaration)]


def test_every_corpus_file_s_calls_are_the_walk_s_calls() -> None:
    files = _corpus()
    assert len(files) > 50
    for path in files:
        source = path.read_bytes()
        root = parse(source).root_node
        assert [n.id for n in call_expressions(root, source)] == [n.id for n in _walked_calls(root)], path


class _File:
    """What `exec_calls` reads of a file and a function: their bytes, tree and node."""

    def __init__(self, source: bytes, tree: object, node: Node) -> None:
        self.source, self.tree, self.node = source, tree, node
        self.file = self


GENERATORS = """package p

func f() {
	a := GenerateCartImageName("cart")
	b := names.GenerateCartImageName(a)
	c := generateImageName[string](b)
	d := x.y.GenerateImageName(c, "x")
	e := (GenerateImageName)(d)
	var GenerateImageName2 = "GenerateImageName" // a variable and a string
	_ = RegenerateImageName(e) + GenerateImageNames(GenerateImageName2)
	exec.Command("podman", "build", "-t", a).Run()
	_ = execCommand(exec.CommandContext(ctx, "kind", "load", "docker-image", b))
	_ = os.exec.Command("x") // a selector on a selector
}
"""


@pytest.mark.parametrize(
    "patterns",
    [(r"^[Gg]enerate\w*ImageName$",), ("ImageName",), ("Name$",), ("New", "^Get"), (r"^[a-z_]\w+?Name$",), (r"Ima?geName$",)],
)
def test_the_generator_calls_found_from_their_words_are_those_the_calls_give(patterns: tuple[str, ...]) -> None:
    """`locality._generator_calls` looks up only the words that hold what the patterns spell out:
    the same calls, in the same order, as asking the name of every call (on a sample with generic,
    qualified and parenthesized calls, and on the corpus)."""
    from imagetag_lint.engine.locality import _call_named_at, _word_at, _words_holding
    from imagetag_lint.golang.syntax import callee
    from imagetag_lint.rules import ImageFlow

    flow = ImageFlow(generator_patterns=patterns)
    literals = flow.generator_literals()
    assert literals is not None
    found_any = 0
    for source in [GENERATORS.encode(), *(p.read_bytes() for p in _corpus())]:
        root = parse(source).root_node
        if root.has_error or not source.isascii():
            continue  # those files ask every call
        expected = [c for c in call_expressions(root, source) if flow.is_generator(callee(c)[1])]
        found = [
            call
            for start in _words_holding(source, literals)
            if flow.is_generator(_word_at(source, start)) and (call := _call_named_at(root, start)) is not None
        ]
        found.sort(key=lambda c: (c.start_byte, -c.end_byte))
        assert [c.id for c in found] == [c.id for c in expected]
        found_any += len(found)
    assert found_any > 0


@pytest.mark.parametrize("pattern", [r"^gen.*$", "a|b", r"^[^x]+$", "(?i)generate", r"Image\b", "é", r"^[A-Z]", r"^G\w+e$"])
def test_a_generator_pattern_that_spells_out_too_little_is_not_looked_up_by_words(pattern: str) -> None:
    from imagetag_lint.rules import ImageFlow

    assert ImageFlow(generator_patterns=(pattern,)).generator_literals() is None
    assert ImageFlow(generator_patterns=("^Generate", pattern)).generator_literals() is None
    assert ImageFlow(generator_patterns=(r"^[Gg]en\w*Ima?geName$",)).generator_literals() == (b"geName",)


def test_the_exec_calls_found_from_their_words_are_the_exec_calls_of_the_function() -> None:
    from imagetag_lint.engine.commands import exec_calls
    from imagetag_lint.golang.syntax import callee

    checked = 0
    for source in [GENERATORS.encode(), *(p.read_bytes() for p in _corpus())]:
        tree = parse(source)
        calls = call_expressions(tree.root_node, source)
        for node in _nodes(tree.root_node):
            if node.type not in ("function_declaration", "method_declaration"):
                continue
            inside = [c for c in calls if node.start_byte <= c.start_byte < node.end_byte]
            expected = [c for c in inside if source.startswith(b"exec", c.start_byte) and callee(c)[0] == "exec"]
            found = [c for c in exec_calls(_File(source, tree, node)) if callee(c)[0] == "exec"]  # type: ignore[arg-type]
            assert [c.id for c in found] == [c.id for c in expected]
            checked += len(found)
    assert checked > 20


def test_the_elements_of_some_fields_are_those_of_every_field_with_those_keys() -> None:
    """`FileFacts.keyed_of` looks up only the keys asked for: the elements `keyed` has for them,
    in the same order, whether `keyed` was read before or not (on the corpus)."""
    from imagetag_lint.golang.model import package_name, read_imports

    flow = load_rule_set().flow
    fields = tuple(sorted({f.encode() for f in (*flow.image_fields, *flow.build_name_fields)}))
    asked = tuple(f.encode() for f in flow.build_name_fields)
    found_any = 0
    for path in _corpus():
        source = path.read_bytes()
        tree = parse(source)
        root = tree.root_node
        file = SourceFile(
            filename=path.name, directory=str(path.parent), source=source, parsed=tree,
            package=package_name(root), imports=read_imports(root), reported=True,
        )
        first, second = FileFacts(file, fields, []), FileFacts(file, fields, [])
        alone = first.keyed_of(asked)
        expected = [(k.id, v.id) for k, v in second.keyed if (k.text or b"") in asked]
        assert [(k.id, v.id) for k, v in alone] == expected, path
        assert [(k.id, v.id) for k, v in second.keyed_of(asked)] == expected, path
        found_any += len(expected)
    assert found_any > 5


ARGUMENTS = """package p

func f() {
	g()
	g(1)
	g(/* none */)
	g(/* first */ 1)
	g(
		// a comment alone
	)
	g(h(), 2)
}
"""


def test_a_call_has_arguments_when_its_argument_list_holds_more_than_comments() -> None:
    root = parse(ARGUMENTS.encode()).root_node
    calls = call_expressions(root, ARGUMENTS.encode())
    assert [has_arguments(c) for c in calls] == [False, True, False, True, False, True, False]
    for path in _corpus():
        source = path.read_bytes()
        for call in call_expressions(parse(source).root_node, source):
            assert has_arguments(call) == bool(arguments(call)), (path, text(call))


COUNTED = {
    "a.go": """package e2e

type T struct{}

func (T) Deploy(string) {}

func Deploy(string) {}

func f(t T) {
	Deploy("a")
	t.Deploy("b")
	Deploy(name())
	other("c")
}
""",
    "b.go": """package e2e

func name() string { return "n" }

func other(string) {}

func g() {
	Deploy(name())
	defer other(name())
}
""",
}


def test_a_function_s_call_count_is_the_number_of_calls_of_its_package_that_may_run_it() -> None:
    """Counting only the calls of its name gives what resolving every call of the package gives."""
    project = Project()
    for name, source in COUNTED.items():
        project.add_file(SourceFile(name, "/m", source.encode(), parse(source.encode()), "e2e", {}))
    run = FlowRun(project, load_rule_set().flow)
    functions = list(project.functions())
    every_call = [(call, file) for file in project.files() for call in call_expressions(file.tree.root_node, file.source)]
    for function in functions:
        resolved = sum(function in project.resolve_call(call, file) for call, file in every_call)
        assert call_count(run, function) == resolved, function.name
    assert {f.name + ("()" if f.receiver else ""): call_count(run, f) for f in functions} == {
        "Deploy": 3, "Deploy()": 1, "f": 0, "name": 3, "other": 2, "g": 0,
    }


def test_a_method_call_in_a_file_that_imports_no_package_of_the_module_asks_no_type() -> None:
    """Only a type of a package of the module has methods the analysis reads: without such an
    import the answer is none, and no variable's type is looked up."""
    source = b'package e2e\n\nimport "bytes"\n\nfunc f(b *bytes.Buffer) {\n\tb.WriteString("x")\n}\n'
    project = Project()
    file = SourceFile("a.go", "/m", source, parse(source), "e2e", {"bytes": "bytes"})
    project.add_file(file)
    asked: list[Node] = []
    project.type_of = lambda identifier: asked.append(identifier)  # type: ignore[func-returns-value]
    (call,) = call_expressions(file.tree.root_node, source)
    assert project.resolve_call(call, file) == ()
    assert asked == []


def test_an_origin_is_found_once_per_project_generation() -> None:
    """Several rules ask where the same sink's value comes from: the answer is kept until a file
    is loaded (which may declare the constant an expression reads)."""
    source = b'package e2e\n\nfunc f() {\n\tuse(image)\n}\n'
    project = Project()
    file = SourceFile("a.go", "/m", source, parse(source), "e2e", {})
    project.add_file(file)
    run = FlowRun(project, load_rule_set().flow)
    (function,) = project.functions()
    (call,) = call_expressions(file.tree.root_node, source)
    (read,) = arguments(call)
    first = origin(run, read, file, function)
    assert first.kind == "unknown" and origin(run, read, file, function) is first
    constant = b'package e2e\n\nconst image = "localhost/app:e2e"\n'
    project.add_file(SourceFile("b.go", "/m", constant, parse(constant), "e2e", {}))
    assert origin(run, read, file, function).text == "localhost/app:e2e"


def _go(project: Project, directory: str, source: str) -> None:
    package = source.split()[1]
    project.add_file(SourceFile(f"{directory}/{len(project.added)}.go", directory, source.encode(), parse(source.encode()), package, {}))


def test_files_loaded_apart_reach_no_function_of_another_directory() -> None:
    """The build sites of a package survive a load of files that no code outside their directory
    names or imports, and that name no function of elsewhere (engine inferences cross by name)."""
    project = Project()
    _go(project, "/m/infra", "package infra\n\nfunc Build() {}\n")
    _go(project, "/m/backup", "package backup\n\nfunc helper() {}\n")
    since = project.generation
    _go(project, "/m/backup", "package backup\n\nfunc stream() { helper() }\n")
    assert project.added_apart(since, "/m/infra")
    assert not project.added_apart(since, "/m/backup")  # the package itself changed
    _go(project, "/m/backup", "package backup\n\nfunc rebuild() { Build() }\n")
    assert not project.added_apart(since, "/m/infra")  # a new caller of a function of elsewhere

    project = Project()
    _go(project, "/m/infra", "package infra\n\nfunc Build() { stream() }\n")
    since = project.generation
    _go(project, "/m/backup", "package backup\n\nfunc stream() {}\n")
    assert not project.added_apart(since, "/m/infra")  # infra names the new function


def test_whether_an_image_is_local_is_decided_once_per_project_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    from imagetag_lint.analysis.image_flow import ImageFlowIndex
    from imagetag_lint.engine import locality

    asked: list[str] = []
    decide = locality.is_local_image
    monkeypatch.setattr(locality, "is_local_image", lambda run, image, pull_never=False: asked.append(image) or decide(run, image, pull_never))
    project = Project()
    index = ImageFlowIndex(project, load_rule_set().flow)
    assert index.is_local_image("localhost/app:e2e") and index.is_local_image("localhost/app:e2e")
    assert not index.is_local_image("nginx:1.25")
    assert asked == ["localhost/app:e2e", "nginx:1.25"]
    _go(project, "/m/e2e", "package e2e\n\nfunc f() {}\n")
    assert index.is_local_image("localhost/app:e2e") and asked[-1] == "localhost/app:e2e"


def test_a_generator_s_returns_make_each_call_s_reference_from_its_arguments() -> None:
    """`generated_images` reads a generator's `return fmt.Sprintf(...)` statements once and fills
    them with each call's arguments: a return whose text has no repository path is passed over."""
    from imagetag_lint.engine import locality
    from imagetag_lint.engine.run import FlowRun

    project = Project()
    _go(
        project,
        "/m/e2e",
        """package e2e

import "fmt"

const registry = "localhost"

func GenerateImageName(svc string, local bool) string {
	if local {
		return fmt.Sprintf("%s:%s", svc, tag())
	}
	return fmt.Sprintf("%s/shop-%s:%d", registry, svc, stamp())
}

func f() {
	_ = GenerateImageName("cart", true)
	_ = GenerateImageName("api", false)
	_ = GenerateImageName("cart", false)
	_ = GenerateImageName(name(), false)
}
""",
    )
    made = locality.generated_images(FlowRun(project, load_rule_set().flow))
    assert made == {
        "shop-api": ("localhost/shop-api:<tag>", "GenerateImageName"),
        "shop-cart": ("localhost/shop-cart:<tag>", "GenerateImageName"),
    }
