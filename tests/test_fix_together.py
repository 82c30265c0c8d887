"""What the fixes of one round do together: an import their edits leave unused between them goes
(also through `--diff`, and for an aliased or a dot import), one still used stays, and two fixes
that would declare one name never share a round. The corpus's `sharedimports/` and
`ginkgosuite/twice_test.go` show the same on whole packages."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from samples import chdir
from support import go_module, run_go

from imagetag_lint.cli import main
from imagetag_lint.findings import Applicability, Finding, Fix
from imagetag_lint.fix.apply import Lint, fix_all
from imagetag_lint.fix.edits import edit
from imagetag_lint.fix.together import declared_twice
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.golang.parser import Node, parse
from imagetag_lint.lint import LintResult
from imagetag_lint.repair.imports import drop_imports_left_unused

IMAGES = 'package images\n\nconst API = "localhost/api:e2e-test"\n\nconst Cart = "localhost/cart:e2e-test"\n'

SETUP = """package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
)

func SetupAPI(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "api"}, w); err != nil {
		return err
	}
	return deployAPI(ctx)
}

func SetupCart(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "cart"}, w); err != nil {
		return err
	}
	return deployCart(ctx)
}
"""


def deploy(spec: str, qualifier: str, extra: str = "") -> str:
    """Two deploy helpers of one file, each reading one constant of the images package."""
    return f"""package e2e

import (
	"context"

	{spec}
	"example.com/m/k8s"
)

func deployAPI(ctx context.Context) error {{
	return k8s.Apply(ctx, k8s.Container{{Name: "api", Image: {qualifier}API}})
}}

func deployCart(ctx context.Context) error {{
	return k8s.Apply(ctx, k8s.Container{{Name: "cart", Image: {qualifier}Cart}})
}}
{extra}"""


def two_uses(tmp_path: Path, spec: str, qualifier: str, extra: str = "") -> Path:
    return go_module(tmp_path, {
        "images/images.go": IMAGES,
        "e2e/setup.go": SETUP,
        "e2e/deploy.go": deploy(spec, qualifier, extra),
    })  # fmt: skip


def run(root: Path, *args: str) -> str:
    out = io.StringIO()
    with chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["--isolated", "--no-cache", *args, "."])
    return out.getvalue()


@pytest.mark.parametrize(
    ("spec", "qualifier"),
    [
        pytest.param('"example.com/m/images"', "images.", id="named"),
        pytest.param('img "example.com/m/images"', "img.", id="aliased"),
    ],
)
def test_two_fixes_that_each_take_one_use_remove_the_import(tmp_path: Path, spec: str, qualifier: str) -> None:
    root = two_uses(tmp_path, spec, qualifier)
    run(root, "--fix")
    fixed = (root / "e2e/deploy.go").read_text()
    assert "example.com/m/images" not in fixed
    assert fixed.count("Image: imageName}") == 2
    assert run_go(["build", "./..."], root).returncode == 0, run_go(["build", "./..."], root).stderr


def test_the_diff_removes_the_import_too(tmp_path: Path) -> None:
    root = two_uses(tmp_path, '"example.com/m/images"', "images.")
    diff = run(root, "--diff")
    assert '-\t"example.com/m/images"\n' in diff
    assert "images.API" in (root / "e2e/deploy.go").read_text()  # --diff writes nothing


def test_an_import_another_function_still_reads_stays(tmp_path: Path) -> None:
    extra = "\nfunc apiRoute() string { return images.API + \"/route\" }\n"
    root = two_uses(tmp_path, '"example.com/m/images"', "images.", extra)
    run(root, "--fix")
    fixed = (root / "e2e/deploy.go").read_text()
    assert '"example.com/m/images"' in fixed
    assert fixed.count("Image: imageName}") == 2
    assert run_go(["build", "./..."], root).returncode == 0


GENERATED = """package e2e

import (
	"context"
	"io"

	. "{path}"
	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

func Setup(ctx context.Context, w io.Writer) error {{
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{{ImageName: "app"}}, w); err != nil {{
		return err
	}}
	return deploy(ctx, GenerateAppImageName("app"))
}}

func deploy(ctx context.Context, image string) error {{
	return k8s.Apply(ctx, k8s.Container{{Name: "app", Image: image}})
}}
"""
GENERATOR = "package {name}\n\nfunc GenerateAppImageName(s string) string {{ return s }}\n"


def test_a_fix_that_takes_the_last_use_of_a_dot_import_removes_it(tmp_path: Path) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": GENERATED.format(path="example.com/m/gen"), "gen/gen.go": GENERATOR.format(name="gen")})
    run(root, "--fix")
    fixed = (root / "e2e/setup.go").read_text()
    assert "example.com/m/gen" not in fixed
    assert "return deploy(ctx, appImage)" in fixed
    assert run_go(["build", "./..."], root).returncode == 0


def test_a_dot_import_the_run_cannot_read_makes_the_fix_by_hand(tmp_path: Path) -> None:
    """The package is another module's: the run cannot tell whether `GenerateAppImageName` was
    the last name the file used from it."""
    root = go_module(tmp_path, {
        "e2e/setup.go": GENERATED.format(path="example.org/ext"),
        "ext/go.mod": "module example.org/ext\n\ngo 1.22\n",
        "ext/gen.go": GENERATOR.format(name="ext"),
    })  # fmt: skip
    with (root / "go.mod").open("a") as handle:
        handle.write("\nrequire example.org/ext v0.0.0\n\nreplace example.org/ext => ./ext\n")
    assert run_go(["build", "./..."], root).returncode == 0
    [finding] = json.loads(run(root, "--output-format", "json", "--exit-zero"))
    assert finding["fix"]["applicability"] == "display-only"
    assert "imports example.org/ext with a dot and the fix removes `GenerateAppImageName`" in finding["fix"]["message"]


def test_a_dot_import_next_to_an_exported_name_of_the_package_itself_stays_safe(tmp_path: Path) -> None:
    """`. "strings"` (as Ginkgo suites dot-import ginkgo and gomega): the fix removes `AppImage`,
    a constant of the file's own package, which is no use of the dot import."""
    setup = SETUP.replace('"io"\n', '"io"\n\t. "strings"\n\n\t"example.com/m/k8s"\n').split("\nfunc SetupCart")[0]
    setup += '\nconst AppImage = "localhost/api:e2e-test"\n\nfunc deployAPI(ctx context.Context) error {\n'
    setup += '\treturn k8s.Apply(ctx, k8s.Container{Name: ToLower("API"), Image: AppImage})\n}\n'
    root = go_module(tmp_path, {"e2e/setup.go": setup})
    assert run_go(["build", "./..."], root).returncode == 0
    run(root, "--fix")
    fixed = (root / "e2e/setup.go").read_text()
    assert '. "strings"' in fixed and "Image: imageName" in fixed
    assert run_go(["build", "./..."], root).returncode == 0


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param(
            'import (\n\t"a/images"\n\t"a/k8s"\n)\n\nvar _ = k8s.X(images.API)\nvar _ = images.Cart\n',
            'import (\n\t"a/images"\n\t"a/k8s"\n)\n\nvar _ = k8s.X(name)\nvar _ = name\n',
            'import (\n\t"a/k8s"\n)\n\nvar _ = k8s.X(name)\nvar _ = name\n',
            id="last-uses-gone",
        ),
        pytest.param(
            'import img "a/images"\n\nvar _ = img.API\n',
            'import img "a/images"\n\nvar _ = name\n',
            "var _ = name\n",
            id="aliased-lone-import",
        ),
        pytest.param(
            'import (\n\t"context"\n\n\t"a/images"\n)\n\nvar _ = context.TODO(images.API)\n',
            'import (\n\t"context"\n\n\t"a/images"\n)\n\nvar _ = context.TODO(name)\n',
            'import (\n\t"context"\n)\n\nvar _ = context.TODO(name)\n',
            id="last-of-its-group",
        ),
        pytest.param(
            'import (\n\t"context"\n\n\t"a/images"\n\n\t"a/k8s"\n)\n\nvar _ = context.TODO(images.API, k8s.X)\n',
            'import (\n\t"context"\n\n\t"a/images"\n\n\t"a/k8s"\n)\n\nvar _ = context.TODO(name, k8s.X)\n',
            'import (\n\t"context"\n\n\t"a/k8s"\n)\n\nvar _ = context.TODO(name, k8s.X)\n',
            id="a-group-between-groups",
        ),
        pytest.param(
            'import (\n\t"a/images"\n)\n\nvar _ = images.API\n',
            'import (\n\t"a/images"\n)\n\nvar _ = name\n',
            "var _ = name\n",
            id="the-only-spec-of-a-list",
        ),
        pytest.param(
            'import (\n\t"a/images"\n)\n\nvar _ = images.API\nvar _ = images.Cart\n',
            'import (\n\t"a/images"\n)\n\nvar _ = name\nvar _ = images.Cart\n',
            'import (\n\t"a/images"\n)\n\nvar _ = name\nvar _ = images.Cart\n',
            id="still-used",
        ),
        pytest.param(
            'import (\n\t_ "a/driver"\n\t"a/images"\n)\n\nvar _ = images.API\n',
            'import (\n\t_ "a/driver"\n\t"a/images"\n)\n\nvar _ = name\n',
            'import (\n\t_ "a/driver"\n)\n\nvar _ = name\n',
            id="blank-import-stays",
        ),
        pytest.param(
            'import (\n\t"a/images"\n\t"a/k8s"\n)\n\nvar _ = k8s.X\n',
            'import (\n\t"a/images"\n\t"a/k8s"\n)\n\nvar _ = name\n',
            'import (\n\t"a/images"\n)\n\nvar _ = name\n',
            id="unused-before-is-not-the-fixes-business",
        ),
    ],
)
def test_drop_imports_left_unused(before: str, after: str, expected: str) -> None:
    head = "package e2e\n\n"
    result = drop_imports_left_unused(parse((head + before).encode()).root_node, (head + after).encode())
    assert result.decode() == head + expected


HEAD = "package e2e\n\n"


def _trees(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[Node, Node]]:
    """path -> the roots of a file's trees before and after (files of package e2e in /m/e2e)."""
    return {f"/m/e2e/{name}": (parse((HEAD + before[name]).encode()).root_node, parse((HEAD + text).encode()).root_node) for name, text in after.items()}


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        pytest.param(
            {"a.go": "func f() {}\n", "b.go": "func g() {}\n"},
            {"a.go": "func f() {}\n\nvar apiImage string\n", "b.go": "func g() {}\n\nvar apiImage string\n"},
            "declare `apiImage` in package e2e",
            id="one-variable-in-two-files",
        ),
        pytest.param(
            {"a.go": "func f() {}\n\nfunc g() {}\n"},
            {"a.go": "func f() {}\n\nvar apiImage string\n\nfunc g() {}\n\nvar apiImage string\n"},
            "declare `apiImage` in package e2e",
            id="one-variable-twice-in-a-file",
        ),
        pytest.param(
            {"a.go": "func deploy(ctx int) {}\n"},
            {"a.go": "func deploy(ctx int, imageName string, imageName string) {}\n"},
            "add the parameter `imageName` in a.go",
            id="one-parameter-twice",
        ),
        pytest.param(
            {"a.go": 'import (\n\t"os"\n)\n\nvar _ = os.Args\n'},
            {"a.go": 'import (\n\t"os"\n\t"os"\n)\n\nvar _ = os.Args\n'},
            "add the import `os` in a.go",
            id="one-import-twice",
        ),
    ],
)
def test_a_name_two_fixes_declare_is_refused(before: dict[str, str], after: dict[str, str], reason: str) -> None:
    trees = _trees(before, after)
    found = declared_twice(trees, {path: path.rsplit("/", 1)[-1] for path in trees})
    assert found is not None and reason in found


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            {"a.go": "type A struct{}\n\ntype B struct{}\n"},
            {"a.go": "type A struct{}\n\ntype B struct{}\n\nfunc (A) deploy() {}\n\nfunc (*B) deploy() {}\n"},
            id="methods-of-two-types",
        ),
        pytest.param({"a.go": "func init() {}\n"}, {"a.go": "func init() {}\n\nfunc init() {}\n\nvar _ = 1\n\nvar _ = 2\n"}, id="init-and-blank"),
        pytest.param({"a.go": "var x int\n", "b.go": "var x int\n"}, {"a.go": "var x int\n\nvar y int\n", "b.go": "var x int\n"}, id="already-twice"),
    ],
)
def test_names_go_may_declare_again_are_not_refused(before: dict[str, str], after: dict[str, str]) -> None:
    assert declared_twice(_trees(before, after), {}) is None


def _package_variable_lint(paths: list[str]) -> Lint:
    """A lint with one finding per file that has no `var apiImage...` yet, whose fix declares the
    first name of apiImage, apiImage2... that no file of the package declares (as a planner would)."""

    def lint(overlay: dict[str, bytes]) -> LintResult:
        texts = {path: overlay.get(path, HEAD.encode() + b"func f() {}\n") for path in paths}
        taken = b"".join(texts.values())
        name = next(n for n in ("apiImage", "apiImage2", "apiImage3") if f"var {n} ".encode() not in taken)
        findings, sources, names = [], {}, {}
        for path, text in texts.items():
            shown = path.rsplit("/", 1)[-1]
            file = SourceFile(shown, str(Path(path).parent), text, parse(text), "e2e", {})
            sources[shown], names[shown] = file, path
            if b"var apiImage" not in text:
                fix = Fix(Applicability.SAFE, "declare", (edit(file, len(text), len(text), f"\nvar {name} string\n"),))
                findings.append(Finding("IMG001", "found", file.span_bytes(0, 7), fix=fix))
        return LintResult(findings=findings, sources=sources, paths=names)  # type: ignore[arg-type]

    return lint


def test_two_fixes_that_declare_one_name_go_in_two_rounds(tmp_path: Path) -> None:
    paths = [str(tmp_path / "a.go"), str(tmp_path / "b.go")]
    outcome = fix_all(_package_variable_lint(paths), unsafe=False)
    assert outcome.rejected == []
    assert len(outcome.applied) == 2
    declared = sorted(line for path in paths for line in outcome.fixed[path].decode().splitlines() if line.startswith("var "))
    assert declared == ["var apiImage string", "var apiImage2 string"]
