"""A method call runs the methods of the type its value visibly has, also when what declares that
type is in a file the prefilter passes over (`tests/fixtures/go/frameworks/`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import lint_json
from support import go_module

CLUSTER = """package cluster

import (
	"context"

	"example.com/m/k8s"
)

type Cluster struct{ Namespace string }

func (c *Cluster) Deploy(ctx context.Context, image string) error {
	return k8s.Apply(ctx, k8s.Container{Name: c.Namespace, Image: image})
}
"""

# files of the cluster package that mention nothing the prefilter looks for
CONSTRUCTORS = {
    "single": "package cluster\n\nfunc New(namespace string) *Cluster { return &Cluster{Namespace: namespace} }\n",
    "named": "package cluster\n\nfunc New(namespace string) (c *Cluster, err error) {\n\treturn &Cluster{Namespace: namespace}, nil\n}\n",
}

SETUP = """package e2e

import (
	"context"
	"io"

	"example.com/m/cluster"
	"example.com/m/infrastructure"
)

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w); err != nil {
		return err
	}
	%s
	return c.Deploy(ctx, "localhost/app:e2e")
}
"""

DEPLOYS = "the deployment cannot know the tag that was built"


@pytest.mark.parametrize(
    ("constructor", "binding"),
    [("single", 'c := cluster.New("e2e")'), ("named", 'c, _ := cluster.New("e2e")')],
)
def test_a_constructor_in_a_file_the_prefilter_passes_over_types_its_result(tmp_path: Path, constructor: str, binding: str) -> None:
    go_module(tmp_path, {"cluster/cluster.go": CLUSTER, "cluster/new.go": CONSTRUCTORS[constructor], "e2e/setup.go": SETUP % binding})
    for target in ("e2e/setup.go", "."):
        _, findings = lint_json(["--isolated", target], tmp_path)
        assert [(f["code"], DEPLOYS in f["message"]) for f in findings] == [("IMG001", True)], target


SUITE_TYPES = """package e2e

import "example.com/m/cluster"

type Suite struct{ kube *cluster.Cluster }
"""

SUITE = """package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
)

func (s *Suite) Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w); err != nil {
		return err
	}
	return s.kube.Deploy(ctx, "localhost/app:e2e")
}
"""


def test_a_field_declared_in_a_file_the_prefilter_passes_over_has_its_declared_type(tmp_path: Path) -> None:
    """The struct is declared in a file that alone imports the cluster's package; the calling file
    does not import it, but another file of its package that the analysis reads does."""
    other = SETUP.replace("func Setup(", "func SetupOther(") % 'c := cluster.New("e2e")'
    go_module(tmp_path, {
        "cluster/cluster.go": CLUSTER, "cluster/new.go": CONSTRUCTORS["single"],
        "e2e/types.go": SUITE_TYPES, "e2e/suite.go": SUITE, "e2e/other.go": other,
    })
    for target in ("e2e/suite.go", "."):
        _, findings = lint_json(["--isolated", target], tmp_path)
        suite = [f for f in findings if f["filename"] == "e2e/suite.go"]
        assert [(f["code"], DEPLOYS in f["message"]) for f in suite] == [("IMG001", True)], target


def test_a_method_result_keeps_the_fallback(tmp_path: Path) -> None:
    """`c := f.Make()`: a method's result is not followed, and the package has no method of the
    name, so no deployment is claimed."""
    factory = "package cluster\n\ntype Factory struct{}\n\nfunc (Factory) Make() *Cluster { return &Cluster{} }\n"
    go_module(tmp_path, {"cluster/cluster.go": CLUSTER, "cluster/factory.go": factory, "e2e/setup.go": SETUP % "c := cluster.Factory{}.Make()"})
    _, findings = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    assert [(f["code"], DEPLOYS in f["message"]) for f in findings] == [("IMG001", False)]


@pytest.mark.parametrize(
    "binding",
    [
        pytest.param('h := &harness{cluster.New("e2e")}\n\tc := h.Cluster', id="embedded-field"),
        pytest.param('c := (*cluster.New("e2e"))', id="dereferenced-result"),
        pytest.param("var c = cluster.New(`e2e`)", id="var-of-a-result"),
    ],
)
def test_other_shapes_of_a_known_value(tmp_path: Path, binding: str) -> None:
    setup = SETUP % binding + "\ntype harness struct{ *cluster.Cluster }\n"
    go_module(tmp_path, {"cluster/cluster.go": CLUSTER, "cluster/new.go": CONSTRUCTORS["single"], "e2e/setup.go": setup})
    _, findings = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    assert [(f["code"], DEPLOYS in f["message"]) for f in findings] == [("IMG001", True)]


def test_a_call_on_a_constructor_result_runs_its_type_s_method(tmp_path: Path) -> None:
    setup = SETUP.replace("\t%s\n\treturn c.Deploy(", '\treturn cluster.New("e2e").Deploy(')
    go_module(tmp_path, {"cluster/cluster.go": CLUSTER, "cluster/new.go": CONSTRUCTORS["single"], "e2e/setup.go": setup})
    _, findings = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    assert [(f["code"], DEPLOYS in f["message"]) for f in findings] == [("IMG001", True)]
