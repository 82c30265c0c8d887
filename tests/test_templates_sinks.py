"""Manifest templates: what fills their `image:` line deploys (`tests/fixtures/go/templated/`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import lint_json
from support import go_module

DEPLOY = """package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"text/template"

	"example.com/m/k8s"
)

var _, _, _, _, _ = bytes.MinRead, os.Stdout, strings.ToUpper, template.HTMLEscapeString, fmt.Sprint
var _ = k8s.Apply

const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: %s
`

func apply(ctx context.Context, text string) error { return k8s.Apply(ctx, k8s.Container{Name: text}) }

func Deploy(ctx context.Context) error {
%s
}
"""


@pytest.mark.parametrize(
    ("line", "body", "reported"),
    [
        ("{{IMAGE}}", '\treturn apply(ctx, strings.ReplaceAll(manifest, "{{IMAGE}}", "localhost/app:e2e"))', True),
        ("{{IMAGE}}", '\treturn apply(ctx, strings.Replace(manifest, "{{IMAGE}}", "localhost/app:e2e", 1))', True),
        ("{{IMAGE}}", '\tr := strings.NewReplacer("{{IMAGE}}", "localhost/app:e2e")\n\treturn apply(ctx, r.Replace(manifest))', True),
        ("{{IMAGE}}", '\treturn apply(ctx, strings.ReplaceAll(manifest, "{{NAME}}", "localhost/app:e2e"))', False),
        ("{{IMAGE}}", '\treturn apply(ctx, strings.ReplaceAll(manifest, "{{IMAGE}}", os.Getenv("APP_IMAGE")))', False),
        ("{{IMAGE}}", '\tfmt.Println(strings.ReplaceAll(manifest, "{{IMAGE}}", "localhost/app:e2e"))\n\treturn nil', False),
        (
            "{{ .Image }}",
            ('\tvar buf bytes.Buffer\n\tdata := map[string]any{"Image": "localhost/app:e2e"}\n'
            '\tt := template.Must(template.New("m").Parse(manifest))\n\t_ = t.Execute(&buf, &data)\n\treturn apply(ctx, buf.String())'),
            True,  # a template reads a map's entries through a pointer as well
        ),
        (
            "{{ .Image }}",
            ('\tvar buf bytes.Buffer\n\tt := template.Must(template.New("m").Parse(manifest))\n'
            '\t_ = t.Execute(&buf, struct{ Image string }{Image: "localhost/app:e2e"})\n\treturn apply(ctx, buf.String())'),
            True,
        ),
        (
            "{{ .Image }}",
            ('\tt := template.Must(template.New("m").Parse(manifest))\n'
            '\treturn t.Execute(os.Stderr, map[string]string{"Image": "localhost/app:e2e"})'),
            False,
        ),
        (
            "{{ .Registry }}/app:{{ .Tag }}",
            ('\tvar buf bytes.Buffer\n\tt := template.Must(template.New("m").Parse(manifest))\n'
            '\t_ = t.Execute(&buf, map[string]string{"Registry": "localhost", "Tag": "e2e"})\n\treturn apply(ctx, buf.String())'),
            False,
        ),
    ],
    ids=["replace-all", "replace", "replacer-local", "other-placeholder", "environment", "printed", "pointer-to-local-map", "anonymous-struct", "log-writer", "two-actions"],
)
def test_what_fills_a_manifest_template_image_line(tmp_path: Path, line: str, body: str, reported: bool) -> None:
    go_module(tmp_path, {"e2e/deploy.go": DEPLOY % (line, body)})
    _, findings = lint_json(["--isolated", "."], tmp_path)
    assert [f["code"] for f in findings] == (["IMG002"] if reported else [])
    if reported:
        assert "manifest" in findings[0]["message"]


def test_a_template_in_a_package_variable_that_is_replaced_is_not_followed(tmp_path: Path) -> None:
    body = (
        '\tvar buf bytes.Buffer\n\t_ = pod.Execute(&buf, map[string]string{"Image": "localhost/app:e2e"})\n'
        "\treturn apply(ctx, buf.String())\n}\n\n"
        'var pod = template.Must(template.New("m").Parse(manifest))\n\n'
        'func Reload(text string) {\n\tpod = template.Must(template.New("m").Parse(text))'
    )
    go_module(tmp_path, {"e2e/deploy.go": DEPLOY % ("{{ .Image }}", body)})
    _, findings = lint_json(["--isolated", "."], tmp_path)
    assert findings == []
    go_module(tmp_path, {"e2e/deploy.go": DEPLOY % ("{{ .Image }}", body.replace("\tpod = ", "\t_ = "))})
    _, findings = lint_json(["--isolated", "."], tmp_path)
    assert [f["code"] for f in findings] == ["IMG002"]
