"""Manifest templates: what fills their `image:` line deploys (`tests/fixtures/go/templated/`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import lint_json
from support import FIXTURES, go_module

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
        ("\"{{IMAGE}}\"", '\treturn apply(ctx, strings.ReplaceAll(manifest, "{{IMAGE}}", "localhost/app:e2e"))', True),
        ("localhost/{{APP}}:e2e", '\treturn apply(ctx, strings.ReplaceAll(manifest, "{{APP}}", "app"))', False),
        (
            "{{IMAGE}}:{{TAG}}",
            '\tm := strings.ReplaceAll(manifest, "{{IMAGE}}", "localhost/app")\n\treturn apply(ctx, strings.ReplaceAll(m, "{{TAG}}", "e2e"))',
            False,
        ),
        ("{{IMAGE}}\n    args: [\"{{IMAGE}}\"]", '\treturn apply(ctx, strings.ReplaceAll(manifest, "{{IMAGE}}", "localhost/app:e2e"))', False),
        (
            "{{ .Image }}\n    args: [\"{{ .Image | printf \"%%q\" }}\"]",
            ('\tvar buf bytes.Buffer\n\tt := template.Must(template.New("m").Parse(manifest))\n'
            '\t_ = t.Execute(&buf, map[string]string{"Image": "localhost/app:e2e"})\n\treturn apply(ctx, buf.String())'),
            False,
        ),
    ],
    ids=[
        "replace-all", "replace", "replacer-local", "other-placeholder", "environment", "printed", "pointer-to-local-map",
        "anonymous-struct", "log-writer", "two-actions", "quoted", "part-of-the-line", "two-placeholders",
        "placeholder-used-elsewhere", "field-read-elsewhere",
    ],
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


def test_a_drop_whose_template_placeholder_is_not_the_whole_image_is_fixed_by_hand_with_the_reason() -> None:
    """The built name is a whole reference: put into a placeholder that is part of the image line
    (`localhost/{{SVC}}:e2e`, `{{IMAGE}}:{{TAG}}`) or that also names objects, it deploys a wrong
    image, so the fix says why and edits nothing."""
    _, findings = lint_json(["--isolated", "--no-cache", "templated/templated.go"], FIXTURES)
    fixes = {f["location"]["row"]: f["fix"] for f in findings if f["code"] == "IMG001"}
    by_hand = {row: fix["message"] for row, fix in fixes.items() if fix["applicability"] == "display-only" and not fix["edits"]}
    assert sorted(by_hand.values()) == [
        "`\"kubernaut-payments\"` fills `{{SVC}}`, which is only part of the manifest template's line "
        "`image: localhost/{{SVC}}:e2e` and also stands elsewhere in the template: put the captured name on the "
        "`image:` line as its whole value by hand",
        "`\"localhost/kubernaut-escrow\"` fills `{{IMAGE}}`, which is only part of the manifest template's line "
        "`image: {{IMAGE}}:{{TAG}}`: put the captured name on the `image:` line as its whole value by hand",
    ]
    assert [fix["applicability"] for row, fix in fixes.items() if row not in by_hand] == ["safe"]
    assert not any(f.get("related") for f in findings if f["location"]["row"] in by_hand)
