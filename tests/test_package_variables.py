"""Package-level variables holding an image: their text is fixed only when nothing but their
declaration, or one `init`/`TestMain` at its start, sets them (`tests/fixtures/go/packagevars/`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from samples import lint_json
from support import FIXTURES, go_module

SETUP = """package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
	"example.com/m/k8s"
)

var appImage = "localhost/app:e2e"

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w); err != nil {
		return err
	}
	return k8s.Apply(ctx, k8s.Container{Name: "app", Image: appImage})
}
"""


def _related(finding: dict[str, Any]) -> list[str]:
    return [r["message"] for r in finding["related"]]


@pytest.mark.parametrize(
    ("path", "row", "image"),
    [("packagevars/vars.go", 63, "localhost/kubernaut-validator:e2e"), ("packagevars/setup_test.go", 20, "localhost/kubernaut-bookkeeper:e2e")],
)
def test_a_drop_names_the_fixed_text_of_the_package_variable_it_deploys(path: str, row: int, image: str) -> None:
    _, findings = lint_json(["--isolated", "packagevars"], FIXTURES)
    drop = next(f for f in findings if f["filename"] == path and f["location"]["row"] == row)
    assert drop["code"] == "IMG001"
    assert f"with the fixed image `{image}`" in _related(drop)
    assert drop["fix"]["applicability"] == "safe"


def test_a_variable_never_written_is_fixed_text(tmp_path: Path) -> None:
    go_module(tmp_path, {"e2e/setup.go": SETUP})
    _, findings = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    assert [f["code"] for f in findings] == ["IMG001"]
    assert "with the fixed image `localhost/app:e2e`" in _related(findings[0])


@pytest.mark.parametrize(
    "writer",
    [
        'func init() { appImage = os.Getenv("APP_IMAGE") }',
        'func init() { flag.StringVar(&appImage, "app-image", "", "the image") }',
        'func init() {\n\tif v := os.Getenv("APP_IMAGE"); v != "" {\n\t\tappImage = v\n\t}\n}',
        'func init() {\n\tappImage = "localhost/app:one"\n\tappImage = "localhost/app:two"\n}',
        'func init() { appImage += os.Getenv("APP_TAG") }',
        'func Override(image string) { appImage = image }',
    ],
    ids=["environment", "flag", "branch", "twice", "appended", "setter"],
)
def test_a_write_in_a_file_the_run_does_not_lint_unfixes_the_variable(tmp_path: Path, writer: str) -> None:
    other = f'package e2e\n\nimport (\n\t"flag"\n\t"os"\n)\n\nvar _ = flag.Parse\nvar _ = os.Getenv\n\n{writer}\n'
    go_module(tmp_path, {"e2e/setup.go": SETUP, "e2e/override.go": other})
    _, findings = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    drop = next(f for f in findings if f["code"] == "IMG001")
    assert not any("fixed image" in message for message in _related(drop))


def test_an_importer_that_writes_an_exported_variable_unfixes_it(tmp_path: Path) -> None:
    images = 'package images\n\nvar App = "localhost/app:e2e"\n'
    deploy = SETUP.replace('var appImage = "localhost/app:e2e"\n', "").replace("Image: appImage", "Image: images.App")
    deploy = deploy.replace('"example.com/m/k8s"', '"example.com/m/images"\n\t"example.com/m/k8s"')
    main_test = 'package suite\n\nimport "example.com/m/images"\n\nfunc init() { images.App = Lookup() }\n\nfunc Lookup() string { return "" }\n'
    go_module(tmp_path, {"images/images.go": images, "e2e/setup.go": deploy})
    _, alone = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    assert "with the fixed image `localhost/app:e2e`" in _related(next(f for f in alone if f["code"] == "IMG001"))
    go_module(tmp_path, {"suite/suite.go": main_test})
    _, findings = lint_json(["--isolated", "e2e/setup.go"], tmp_path)
    drop = next(f for f in findings if f["code"] == "IMG001")
    assert not any("fixed image" in message for message in _related(drop))


def test_a_file_with_only_an_image_field_is_read_for_a_variable_of_another_file(tmp_path: Path) -> None:
    """`deploy.go` holds no builder and no local prefix: the variable in `images.go` makes it matter."""
    deploy = (
        'package e2e\n\nimport (\n\t"context"\n\n\t"example.com/m/k8s"\n)\n\n'
        'func Deploy(ctx context.Context) error {\n\treturn k8s.Apply(ctx, k8s.Container{Name: "app", Image: appImage})\n}\n'
    )
    go_module(tmp_path, {"e2e/images.go": 'package e2e\n\nvar appImage = "localhost/app:e2e"\n', "e2e/deploy.go": deploy})
    _, findings = lint_json(["--isolated", "."], tmp_path)
    assert [(f["code"], f["filename"]) for f in findings] == [("IMG002", "e2e/deploy.go")]
    assert "`appImage`, which always holds this text" in findings[0]["message"]
