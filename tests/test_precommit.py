"""The pre-commit hooks, run by the real pre-commit against a git repository holding the bug.

pre-commit installs `language: python` hooks with pip from a commit of the hook repository, so
the tests commit a copy of this working tree (not whatever this checkout has committed) and
point pre-commit at it. Each pip install takes a few seconds; the runs share module fixtures.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from samples import DEPLOY_GO, SETUP_GO, found, lint_json, write_module

from imagetag_lint.config import load_config

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PROJECT = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "src", "rules")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "PRE_COMMIT_COLOR": "never",
    "NO_COLOR": "1",
}

FIXED_SETUP_GO = SETUP_GO.replace(
    "\tif _, err := infrastructure.BuildAndLoadImageToKind(cfg, w); err != nil {\n\t\treturn err\n\t}\n"
    "\treturn deployDataStorage(ctx)\n",
    "\timageName, err := infrastructure.BuildAndLoadImageToKind(cfg, w)\n\tif err != nil {\n\t\treturn err\n\t}\n"
    "\treturn deployDataStorage(ctx, imageName)\n",
)
FIXED_DEPLOY_GO = DEPLOY_GO.replace("(ctx context.Context)", "(ctx context.Context, imageName string)").replace(
    '"localhost/datastorage:e2e-test"', "imageName"
)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **GIT_ENV, **(env or {})}
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False)


def git(repo: Path, *args: str) -> str:
    done = run(["git", *args], repo)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def pre_commit(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "pre_commit", *args], cwd, env)


def hook_sections(output: str) -> dict[str, str]:
    """pre-commit's output, by hook id: the status line, the details and the hook's own output."""
    sections: dict[str, str] = {}
    for block in re.split(r"\n(?=\S[^\n]*\.{3,}(?:Passed|Failed|Skipped)\b)", "\n" + output):
        match = re.search(r"- hook id: (\S+)", block)
        if match:
            sections[match.group(1)] = block
    return sections


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree, committed to a scratch git repository: (path, commit)."""
    repo = tmp_path_factory.mktemp("hook-repo")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "imagetag-lint under test")
    return repo, git(repo, "rev-parse", "HEAD")


def go_repo(root: Path) -> Path:
    write_module(root)
    git(root, "init", "-q")
    git(root, "add", ".")
    return root


@pytest.fixture(scope="module")
def try_repo(hook_repo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """`pre-commit try-repo` of both hooks over a repository holding the bug: (repo, output, exit code)."""
    repo = go_repo(tmp_path_factory.mktemp("go-repo"))
    done = pre_commit("try-repo", str(hook_repo[0]), "--ref", hook_repo[1], "--all-files", "--verbose", cwd=repo)
    return repo, done.stdout + done.stderr, done.returncode


def test_manifest_is_valid() -> None:
    done = pre_commit("validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"), cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"imagetag-lint", "imagetag-lint-fix"}
    for hook in hooks.values():
        assert (hook["language"], hook["types_or"], hook["require_serial"]) == ("python", ["go", "python"], True)
    assert hooks["imagetag-lint"]["entry"] == "imagetag-lint"
    assert hooks["imagetag-lint-fix"]["entry"] == "imagetag-lint --fix --exit-non-zero-on-fix"


def test_report_hook_fails_on_the_bug(try_repo: tuple[Path, str, int]) -> None:
    _, output, code = try_repo
    assert code == 1, output
    section = hook_sections(output)["imagetag-lint"]
    assert "Failed" in section.splitlines()[0] and "- exit code: 1" in section
    assert "e2e/setup.go:13:15: IMG001 [*] [discarded-image-name]" in section
    assert "related e2e/deploy.go:10:45: with the fixed image `localhost/datastorage:e2e-test`" in section  # one defect
    assert "Found 1 finding in 1 file (4 linted)." in section


def test_fix_hook_fixes_and_fails(try_repo: tuple[Path, str, int]) -> None:
    repo, output, _ = try_repo
    section = hook_sections(output)["imagetag-lint-fix"]
    assert "Failed" in section.splitlines()[0]
    assert "files were modified by this hook" in section or "- exit code: 1" in section
    assert (repo / "e2e" / "setup.go").read_text() != SETUP_GO
    assert lint_json([], repo) == (0, [])  # the fixed repository is clean


def readme_block(heading: str, language: str) -> str:
    section = README.read_text(encoding="utf-8").split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


def test_readme_hook_blocks_a_commit_with_the_bug(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    """What a new user does: paste the README's snippet, install, commit the bug, commit the fix."""
    config = yaml.safe_load(readme_block("pre-commit", "yaml"))
    (entry,) = config["repos"]
    assert [hook["id"] for hook in entry["hooks"]] == ["imagetag-lint"]
    entry.update(repo=str(hook_repo[0]), rev=hook_repo[1])
    repo = go_repo(tmp_path / "project")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    installed = pre_commit("install", cwd=repo, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(repo, "add", ".")
    blocked = run(["git", "commit", "-m", "deploy data storage"], repo, env)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "e2e/setup.go:13:15: IMG001" in output and "related e2e/deploy.go:10:45: with the fixed image" in output
    assert run(["git", "rev-parse", "--verify", "-q", "HEAD"], repo).returncode != 0  # nothing committed

    write_module(repo, {"e2e/setup.go": FIXED_SETUP_GO, "e2e/deploy.go": FIXED_DEPLOY_GO})
    git(repo, "add", ".")
    committed = run(["git", "commit", "-m", "deploy data storage"], repo, env)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert re.search(r"imagetag-lint\.+Passed", committed.stdout + committed.stderr)


def test_only_the_files_passed_are_reported_but_siblings_are_read(tmp_path: Path) -> None:
    """pre-commit passes file names: the build's finding still links the deploy helper in deploy.go,
    and a run of the helper's file alone sees that the drop in setup.go names its fixed image."""
    write_module(tmp_path)
    assert lint_json(["e2e/deploy.go"], tmp_path) == (0, [])
    code, findings = lint_json(["e2e/setup.go"], tmp_path)
    assert found(findings) == {("e2e/setup.go", 13, "IMG001")}
    assert "e2e/deploy.go" in {r["filename"] for r in findings[0]["related"]}


def test_fixed_sample_is_clean(tmp_path: Path) -> None:
    write_module(tmp_path, {"e2e/setup.go": FIXED_SETUP_GO, "e2e/deploy.go": FIXED_DEPLOY_GO})
    assert lint_json([], tmp_path) == (0, [])


def test_readme_configuration_example_is_valid(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(readme_block("Configuration", "toml"))
    (tmp_path / "lint" / "imagetag-rules").mkdir(parents=True)
    config = load_config(tmp_path / "pyproject.toml")
    assert config.select == ("IMG",) and config.severity == {"IMG003": "warning"}
    assert [p.name for p in config.flow.producers] == ["BuildTestImage"]


def test_every_package_ships() -> None:
    """The hook installs a wheel: every package under src/ must be listed in pyproject.toml."""
    from imagetag_lint.tomlload import load_toml

    listed = set(load_toml(ROOT / "pyproject.toml")["tool"]["setuptools"]["packages"])
    on_disk = {".".join(path.parent.relative_to(ROOT / "src").parts) for path in (ROOT / "src").rglob("__init__.py")}
    assert listed == on_disk | {"imagetag_lint.builtin_rules"}


def test_the_hooks_lint_python_files(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    """`types_or: [go, python]`: a pytest suite alone is linted (the hook environment has libcst)."""
    from python_support import PYTHON_FIXTURES

    repo = tmp_path / "py-repo"
    shutil.copytree(PYTHON_FIXTURES / "suite", repo / "e2e", ignore=shutil.ignore_patterns("*.fixed"))
    git(repo, "init", "-q")
    git(repo, "add", ".")
    done = pre_commit("try-repo", str(hook_repo[0]), "imagetag-lint", "--ref", hook_repo[1], "--all-files", "--verbose", cwd=repo)
    section = hook_sections(done.stdout + done.stderr)["imagetag-lint"]
    assert done.returncode == 1, section
    assert "e2e/test_operator.py:9:58: IMG001 [*] [discarded-image-name]" in section
    assert "Found 3 findings in 3 files (4 linted)." in section
