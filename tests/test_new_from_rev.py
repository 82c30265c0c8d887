"""`--new-from-rev REV`: only findings on lines changed since REV, from the real git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from samples import DEPLOY_GO, SETUP_GO, found, lint_json, run_cli, write_module

from imagetag_lint.gitdiff import parse_diff

SECOND_DEPLOY = """
func deployGateway(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Image: "localhost/datastorage:e2e-gateway"})
}
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_module(tmp_path)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "buggy already")
    return tmp_path


def test_nothing_changed_nothing_reported(repo: Path) -> None:
    code, out, _ = run_cli(["--new-from-rev", "HEAD"], repo)
    assert (code, out) == (0, "All checks passed in 4 files (only lines changed since HEAD).\n")


def test_only_the_new_finding_is_reported(repo: Path) -> None:
    write_module(repo, {"e2e/deploy.go": DEPLOY_GO + SECOND_DEPLOY})
    code, findings = lint_json(["--new-from-rev", "HEAD"], repo)
    assert (code, found(findings)) == (1, {("e2e/deploy.go", 14, "IMG002")})
    code, out, _ = run_cli(["--new-from-rev", "HEAD"], repo)
    assert out.splitlines()[-2] == "Found 1 finding in 1 file (4 linted; only lines changed since HEAD)."


def test_staged_changes_and_older_revisions(repo: Path) -> None:
    write_module(repo, {"e2e/deploy.go": DEPLOY_GO + SECOND_DEPLOY})
    git(repo, "add", ".")
    assert found(lint_json(["--new-from-rev", "HEAD"], repo)[1]) == {("e2e/deploy.go", 14, "IMG002")}
    git(repo, "commit", "-q", "-m", "gateway")
    assert lint_json(["--new-from-rev", "HEAD"], repo) == (0, [])
    assert found(lint_json(["--new-from-rev", "HEAD~1"], repo)[1]) == {("e2e/deploy.go", 14, "IMG002")}


def test_untracked_files_are_new(repo: Path) -> None:
    write_module(
        repo, {"e2e/gateway.go": 'package e2e\n\nimport (\n\t"context"\n\n\t"example.com/e2e/k8s"\n)\n' + SECOND_DEPLOY}
    )
    assert found(lint_json(["--new-from-rev", "HEAD"], repo)[1]) == {("e2e/gateway.go", 10, "IMG002")}


def test_a_finding_spanning_a_changed_line(repo: Path) -> None:
    # the build call now spans three lines; only the last one changed
    setup = SETUP_GO.replace("BuildAndLoadImageToKind(cfg, w)", "BuildAndLoadImageToKind(\n\t\tcfg,\n\t\tw,\n\t)")
    write_module(repo, {"e2e/setup.go": setup})
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "wrap")
    write_module(repo, {"e2e/setup.go": setup.replace("\t\tw,\n", "\t\tw, // the log\n")})
    assert found(lint_json(["--new-from-rev", "HEAD"], repo)[1]) == {("e2e/setup.go", 13, "IMG001")}


def test_from_a_subdirectory(repo: Path) -> None:
    write_module(repo, {"e2e/deploy.go": DEPLOY_GO + SECOND_DEPLOY})
    code, findings = lint_json(["--new-from-rev", "HEAD", "."], repo / "e2e")
    assert (code, found(findings)) == (1, {("deploy.go", 14, "IMG002")})


def test_renamed_file_keeps_old_findings_old(repo: Path) -> None:
    git(repo, "mv", "e2e/deploy.go", "e2e/deployments.go")
    assert lint_json(["--new-from-rev", "HEAD"], repo) == (0, [])


@pytest.mark.parametrize(
    ("rev", "problem"),
    [
        pytest.param("no-such-branch", "--new-from-rev: unknown revision 'no-such-branch'", id="unknown"),
        pytest.param("--output", "--new-from-rev: '--output' is not a revision", id="option-like"),
    ],
)
def test_bad_revision(repo: Path, rev: str, problem: str) -> None:
    code, out, err = run_cli([f"--new-from-rev={rev}"], repo)
    assert (code, out, err) == (2, "", f"imagetag-lint: error: {problem}\n")


def test_outside_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_module(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run_cli(["--new-from-rev", "HEAD"], tmp_path)
    assert code == 2 and err.startswith("imagetag-lint: error: --new-from-rev: not a git repository")
    assert len(err.splitlines()) == 1


DIFF = """\
diff --git a/e2e/deploy.go b/e2e/deploy.go
index 1111111..2222222 100644
--- a/e2e/deploy.go
+++ b/e2e/deploy.go
@@ -3,0 +4,2 @@ import (
+\t"fmt"
+\t"os"
@@ -10 +12 @@ func deployDataStorage(ctx context.Context) error {
-\treturn nil
+\treturn k8s.Apply(ctx, c)
@@ -20,3 +21,0 @@ func x() {
-a
-b
-c
diff --git a/gone.go b/gone.go
deleted file mode 100644
--- a/gone.go
+++ /dev/null
@@ -1,2 +0,0 @@
-package gone
-
diff --git "a/we\\"ird name.go" "b/we\\"ird name.go"
--- "a/we\\"ird name.go"
+++ "b/we\\"ird name.go"
@@ -1 +1 @@
-package a
+package b
"""


def test_parse_diff() -> None:
    assert parse_diff(DIFF) == {"e2e/deploy.go": ((4, 5), (12, 12)), 'we"ird name.go': ((1, 1),)}
