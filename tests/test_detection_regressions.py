"""Detection regressions: small Go files in a module with stub packages, linted through the CLI.

Each reported case marks its findings with `// want IMGxxx` on the line (as the fixture corpus
does) and the test asserts that the (line, code) set is exactly that; each noop case must give
no finding at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import go_module, wanted

from imagetag_lint.cli import main

HEADER = """\
package e2e

import (
	"context"
	"fmt"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

var (
	_ = fmt.Sprint
	_ context.Context
)
"""

# The drop's IMG001 names this fixed image as its related place: one defect, one finding.
DEPLOY_HARDCODED = """
func deploySvc(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "svc", Image: "localhost/svc:e2e"})
}
"""

# Stubs beside support.go_module's infrastructure and k8s packages.
STUBS = {
    "infrastructure/load.go": """\
package infrastructure

import "io"

func LoadImageToKind(image, cluster string, w io.Writer) error { return nil }
""",
    "k8s/pod.go": """\
package k8s

type PullPolicy string

const PullNever PullPolicy = "Never"

type PodContainer struct {
	Name            string
	Image           string
	ImagePullPolicy PullPolicy
}

func ApplyPod(c PodContainer) error { return nil }

func ApplyManifest(manifest string) error { return nil }
""",
    "gomega/gomega.go": """\
package gomega

type Assertion struct{}

func Expect(actual ...any) Assertion      { return Assertion{} }
func (a Assertion) Error() Assertion       { return a }
func (a Assertion) NotTo(matcher any) bool { return true }
func HaveOccurred() any                    { return nil }
""",
    "ginkgo/ginkgo.go": """\
package ginkgo

func BeforeSuite(body func()) bool { body(); return true }
""",
}


def lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> set[tuple[str, int, str]]:
    go_module(tmp_path, {**STUBS, **files})
    monkeypatch.chdir(tmp_path)
    code = main(["--output-format", "json", "e2e"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and err == "", err
    return {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(out)}


def wrapper_chain(length: int) -> str:
    links = "".join(
        f"\nfunc wrap{i}(w io.Writer) (string, error) {{\n\treturn wrap{i - 1}(w)\n}}\n" for i in range(1, length)
    )
    return (
        HEADER
        + """
func wrap0(w io.Writer) (string, error) {
	return infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
}
"""
        + links
        + f"""
func Setup(ctx context.Context, w io.Writer) error {{
	if _, err := wrap{length - 1}(w); err != nil {{ // want IMG001
		return err
	}}
	return deploySvc(ctx)
}}
"""
        + DEPLOY_HARDCODED
    )


REPORTED = [
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	cfg := infrastructure.ImageBuildConfig{ImageName: "svc"}
	build := infrastructure.BuildAndLoadImageToKind
	_, err := build(cfg, w) // want IMG001
	if err != nil {
		return err
	}
	return deploySvc(ctx)
}
"""
        + DEPLOY_HARDCODED,
        id="builder-through-a-function-value",
    ),
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	var build func(infrastructure.ImageBuildConfig, io.Writer) (string, error)
	build = infrastructure.BuildAndLoadImageToKind
	_, err := build(infrastructure.ImageBuildConfig{ImageName: "svc"}, w) // want IMG001
	return err
}
""",
        id="function-value-assigned-later",
    ),
    pytest.param(
        HEADER
        + """
var build = infrastructure.BuildAndLoadImageToKind

func Setup(ctx context.Context, w io.Writer) error {
	_, err := build(infrastructure.ImageBuildConfig{ImageName: "svc"}, w) // want IMG001
	return err
}
""",
        id="function-value-in-a-package-variable",
    ),
    pytest.param(
        HEADER
        + """
func run(w io.Writer, build func(infrastructure.ImageBuildConfig, io.Writer) (string, error)) error {
	_, err := build(infrastructure.ImageBuildConfig{ImageName: "svc"}, w) // want IMG001
	return err
}

func Setup(ctx context.Context, w io.Writer) error {
	return run(w, infrastructure.BuildAndLoadImageToKind)
}
""",
        id="function-value-passed-as-an-argument",
    ),
    pytest.param(
        HEADER
        + """
type Infra struct{}

func (Infra) BuildAndLoadImageToKind(cfg infrastructure.ImageBuildConfig, w io.Writer) (string, error) {
	return infrastructure.BuildAndLoadImageToKind(cfg, w)
}

type Suite struct{ infra Infra }

func (s *Suite) Setup(ctx context.Context, w io.Writer) error {
	build := s.infra.BuildAndLoadImageToKind
	_, err := build(infrastructure.ImageBuildConfig{ImageName: "svc"}, w) // want IMG001
	return err
}
""",
        id="method-value",
    ),
    pytest.param(
        HEADER
        + """
type builder struct{}

func (builder) Build(cfg infrastructure.ImageBuildConfig, w io.Writer) (string, error) {
	return infrastructure.BuildAndLoadImageToKind(cfg, w)
}

func Setup(ctx context.Context, w io.Writer) error {
	b := builder{}
	build := b.Build
	if _, err := build(infrastructure.ImageBuildConfig{ImageName: "svc"}, w); err != nil { // want IMG001
		return err
	}
	build2 := builder.Build
	_, err := build2(b, infrastructure.ImageBuildConfig{ImageName: "svc"}, w) // want IMG001
	return err
}
""",
        id="method-value-and-method-expression-of-a-wrapper",
    ),
    pytest.param(
        HEADER
        + """
func buildSvc(w io.Writer) (image string, err error) {
	image, err = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	return
}

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := buildSvc(w); err != nil { // want IMG001
		return err
	}
	return deploySvc(ctx)
}
"""
        + DEPLOY_HARDCODED,
        id="wrapper-with-named-results-and-a-bare-return",
    ),
    pytest.param(
        HEADER
        + """
func Must(image string, err error) string {
	if err != nil {
		panic(err)
	}
	return image
}

func Setup(ctx context.Context, w io.Writer) error {
	cfg := infrastructure.ImageBuildConfig{ImageName: "svc"}
	_ = Must(infrastructure.BuildAndLoadImageToKind(cfg, w)) // want IMG001
	Must(infrastructure.BuildAndLoadImageToKind(cfg, w))     // want IMG001
	return nil
}
""",
        id="must-assigned-to-blank-or-bare",
    ),
    pytest.param(
        HEADER
        + """
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func Setup(ctx context.Context, w io.Writer) error {
	_ = Must(infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)) // want IMG001
	return nil
}
""",
        id="generic-must",
    ),
    pytest.param(
        HEADER.replace('\t"io"\n', '\t"io"\n\n\t. "example.com/m/gomega"\n')
        + """
func Setup(ctx context.Context, w io.Writer) error {
	cfg := infrastructure.ImageBuildConfig{ImageName: "svc"}
	Expect(infrastructure.BuildAndLoadImageToKind(cfg, w)).Error().NotTo(HaveOccurred()) // want IMG001
	return nil
}
""",
        id="expect-error-not-to-have-occurred",
    ),
    pytest.param(wrapper_chain(1_500), id="chain-of-1500-wrappers"),
    pytest.param(
        HEADER
        + """
func ping(w io.Writer, n int) (string, error) {
	if n == 0 {
		return infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	}
	return pong(w, n-1)
}

func pong(w io.Writer, n int) (string, error) {
	return ping(w, n)
}

func retry(w io.Writer, n int) (string, error) {
	if n > 0 {
		return retry(w, n-1)
	}
	return infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
}

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := ping(w, 3); err != nil { // want IMG001
		return err
	}
	_, err := retry(w, 3) // want IMG001
	return err
}
""",
        id="mutually-and-self-recursive-wrappers",
    ),
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	// no build here: a drop's IMG001 would name this manifest line as its related place
	manifest := fmt.Sprintf("apiVersion: v1\\nkind: Pod\\nspec:\\n  containers:\\n  - name: svc\\n    image: %s\\n", "localhost/svc:e2e") // want IMG002
	return k8s.ApplyManifest(manifest)
}
""",
        id="sprintf-inline-manifest-with-a-fixed-image",
    ),
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	// no build here: a drop's IMG001 would name this manifest line as its related place
	manifest := "apiVersion: v1\\nkind: Pod\\nspec:\\n  containers:\\n  - name: svc\\n"
	manifest += fmt.Sprintf("    image: %s\\n", "localhost/svc:e2e") // want IMG002
	return k8s.ApplyManifest(manifest)
}
""",
        id="manifest-built-line-by-line-with-sprintf",
    ),
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	// no build here: a drop's IMG001 would name this manifest line as its related place
	return k8s.ApplyManifest("kind: Pod\\nspec:\\n  containers:\\n" + fmt.Sprintf("  - image: %s\\n", "localhost/svc:e2e")) // want IMG002
}
""",
        id="sprintf-piece-of-a-concatenated-manifest",
    ),
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, image)
	manifest := fmt.Sprintf("kind: Deployment\\nreplicas: %*d\\nimage: %s\\n", 4, 1, "localhost/svc:e2e") // want IMG002
	return k8s.ApplyManifest(manifest)
}
""",
        id="star-width-argument-before-the-image-verb",
    ),
    pytest.param(
        HEADER
        + """
func Setup(ctx context.Context, svcImage string, w io.Writer) error {
	built, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "built %s\\n", built)
	return deployWithImage(ctx, svcImage) // want IMG003
}

func deployWithImage(ctx context.Context, image string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "svc", Image: image})
}
""",
        id="captured-name-only-logged-while-the-deploy-gets-a-parameter",
    ),
]


@pytest.mark.parametrize("source", REPORTED)
def test_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    expected = {(line, code) for _, line, code in wanted_in(source)}
    assert expected, "a reported case needs // want markers"
    findings = lint(tmp_path, monkeypatch, capsys, {"e2e/setup.go": source})
    assert {(line, code) for name, line, code in findings if name == "e2e/setup.go"} == expected
    assert {name for name, _, _ in findings} == {"e2e/setup.go"}


def wanted_in(source: str) -> set[tuple[str, int, str]]:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "setup.go").write_text(source, encoding="utf-8")
        return wanted(Path(directory))


PACKAGE_VARIABLE_READ_ELSEWHERE = {
    "e2e/setup.go": HEADER
    + """
var svcImage string

func setupSuite(w io.Writer) {
	var err error
	svcImage, err = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		panic(err)
	}
}
""",
    "e2e/deploy.go": """\
package e2e

import (
	"context"

	"example.com/m/k8s"
)

func deploySvc(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "svc", Image: svcImage})
}
""",
}

GINKGO_BEFORE_SUITE = {
    "e2e/setup.go": """\
package e2e

import (
	"io"

	. "example.com/m/ginkgo"
	"example.com/m/infrastructure"
)

var (
	svcImage string
	out      io.Writer
)

var _ = BeforeSuite(func() {
	var err error
	svcImage, err = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, out)
	if err != nil {
		panic(err)
	}
})
""",
    "e2e/deploy.go": PACKAGE_VARIABLE_READ_ELSEWHERE["e2e/deploy.go"],
}


def captured(lines: str, deploy: str = "return k8s.Apply(ctx, k8s.Container{Name: \"svc\", Image: image})") -> str:
    """A Setup that captures the built name and deploys it, with extra lines in between."""
    return (
        HEADER
        + """
func Setup(ctx context.Context, w io.Writer) error {
	image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		return err
	}
"""
        + lines
        + f"\t{deploy}\n}}\n"
    )


NOOP = [
    pytest.param(PACKAGE_VARIABLE_READ_ELSEWHERE, id="package-variable-set-in-a-setup-function-read-in-another-file"),
    pytest.param(GINKGO_BEFORE_SUITE, id="package-variable-set-in-ginkgo-before-suite-read-in-another-file"),
    pytest.param(
        {"e2e/setup.go": captured('\tfmt.Fprintln(w, "image: localhost/svc:e2e is ready")\n')},
        id="image-colon-in-a-one-line-log-message",
    ),
    pytest.param(
        {"e2e/setup.go": captured('\tfmt.Fprintln(w, fmt.Sprintf("deployed image: %s", "localhost/svc:e2e"))\n')},
        id="image-colon-mid-sentence-in-a-formatted-log-message",
    ),
    pytest.param(
        {"e2e/setup.go": captured('\tfmt.Fprintf(w, "image: %s\\n", "localhost/svc:e2e")\n')},
        id="image-colon-verb-in-a-one-line-log-message",
    ),
    pytest.param(
        {
            "e2e/setup.go": captured('\tlogImage(w, "localhost/svc:e2e")\n')
            + '\nfunc logImage(w io.Writer, image string) {\n\tfmt.Fprintf(w, "image: %s\\n", image)\n}\n'
        },
        id="logging-helper-with-an-image-colon-verb",
    ),
    pytest.param(
        {
            "e2e/setup.go": HEADER
            + """
func deployPostgres(ctx context.Context, imagePullSecret string) error {
	return k8s.Apply(ctx, k8s.Container{Name: "postgres", Image: "postgres:16-alpine"})
}

func Setup(ctx context.Context, w io.Writer) error {
	image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		return err
	}
	if err := k8s.Apply(ctx, k8s.Container{Name: "svc", Image: image}); err != nil {
		return err
	}
	return deployPostgres(ctx, "regcred")
}
"""
        },
        id="postgres-helper-with-an-unread-image-pull-secret-parameter",
    ),
    pytest.param(
        {
            "e2e/setup.go": HEADER
            + """
func deployPostgres(ctx context.Context, imagePullSecret string) error {
	fmt.Println("pulling with", imagePullSecret)
	return k8s.Apply(ctx, k8s.Container{Name: "postgres", Image: "postgres:16-alpine"})
}
"""
        },
        id="postgres-helper-with-an-image-pull-secret-parameter",
    ),
    pytest.param(
        {
            "e2e/setup.go": HEADER
            + """
func SetupPostgres(ctx context.Context, w io.Writer) error {
	if err := infrastructure.LoadImageToKind("postgres:16-alpine", "kind", w); err != nil {
		return err
	}
	return k8s.ApplyPod(k8s.PodContainer{
		Name:            "postgres",
		Image:           "postgres:16-alpine",
		ImagePullPolicy: k8s.PullNever,
	})
}
"""
        },
        id="preloaded-registry-image-deployed-with-pull-never",
    ),
    pytest.param(
        {
            "e2e/setup.go": captured(
                "",
                deploy='return k8s.ApplyManifest(fmt.Sprintf("kind: Pod\\nreplicas: %*d\\nimage: %s\\n", 4, 1, image))',
            )
        },
        id="star-width-argument-before-the-built-name",
    ),
    pytest.param({"e2e/setup.go": captured("\tfmt.Fprintf(w, \"built %s\\n\", image)\n")}, id="captured-logged-and-deployed"),
    pytest.param(
        {
            "e2e/setup.go": HEADER
            + """
func Setup(ctx context.Context, w io.Writer) error {
	build := infrastructure.BuildAndLoadImageToKind
	image, err := build(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		return err
	}
	build = func(infrastructure.ImageBuildConfig, io.Writer) (string, error) { return "", nil }
	_, _ = build(infrastructure.ImageBuildConfig{}, w)
	return k8s.Apply(ctx, k8s.Container{Name: "svc", Image: image})
}
"""
        },
        id="function-value-captured-then-rebound-to-something-else",
    ),
    pytest.param(
        {
            "e2e/setup.go": HEADER
            + """
func buildSvc(w io.Writer) (image string, err error) {
	image, err = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	return
}

func Must(image string, err error) string {
	if err != nil {
		panic(err)
	}
	return image
}

func Setup(ctx context.Context, w io.Writer) error {
	first, err := buildSvc(w)
	if err != nil {
		return err
	}
	second := Must(infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w))
	if err := k8s.Apply(ctx, k8s.Container{Name: "first", Image: first}); err != nil {
		return err
	}
	return k8s.Apply(ctx, k8s.Container{Name: "second", Image: second})
}
"""
        },
        id="named-result-wrapper-and-must-captured",
    ),
    pytest.param(
        {
            "e2e/setup.go": HEADER
            + """
func ping(n int) (string, error) {
	if n == 0 {
		return "", nil
	}
	return pong(n - 1)
}

func pong(n int) (string, error) { return ping(n) }

func Setup(ctx context.Context, w io.Writer) error {
	image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
	if err != nil {
		return err
	}
	_, _ = ping(3)
	return k8s.Apply(ctx, k8s.Container{Name: "svc", Image: image})
}
"""
        },
        id="mutual-recursion-that-returns-no-image",
    ),
]


@pytest.mark.parametrize("files", NOOP)
def test_noop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    assert lint(tmp_path, monkeypatch, capsys, files) == set()
