"""A fix that must edit a file the run does not lint (the pre-commit fix hook names one file, or
the config excludes the deploy helper) is by hand already in the lint: the marker, the summary
and the fix's message say so, and `--fix` writes nothing and refuses nothing. The summary never
calls it fixable with --fix: running --fix would not apply it."""

from __future__ import annotations

from pathlib import Path

from samples import DEPLOY_GO, SETUP_GO, run_cli, write_module

# a second drop in the same file whose fix also needs deploy.go
SECOND_DROP = SETUP_GO + """
// SetupDataStorageAgain builds the data storage image a second time and deploys it.
func SetupDataStorageAgain(ctx context.Context, w io.Writer) error {
	_, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "datastorage"}, w)
	if err != nil {
		return err
	}
	return deployDataStorage(ctx)
}
"""


def test_the_fix_hook_on_one_file_leaves_the_fix_by_hand(tmp_path: Path) -> None:
    root = write_module(tmp_path)
    before = (root / "e2e" / "setup.go").read_text()
    code, out, err = run_cli(["--isolated", "--no-cache", "--fix", "--exit-non-zero-on-fix", "e2e/setup.go"], root)
    assert (root / "e2e" / "setup.go").read_text() == before
    assert "not among the linted files" not in err and "refused" not in out
    assert "1 to fix by hand." in out
    assert "fixable with --fix" not in out
    assert code == 1


def test_each_fix_that_needs_the_sibling_is_by_hand(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"e2e/setup.go": SECOND_DROP})
    code, out, err = run_cli(["--isolated", "--no-cache", "--fix", "e2e/setup.go"], root)
    assert "not among the linted files" not in err
    assert "2 to fix by hand." in out
    assert "fixable with --fix" not in out
    code, out, err = run_cli(["--isolated", "--no-cache", "--output-format", "json", "e2e/setup.go"], root)
    assert out.count("the fix edits e2e/deploy.go, which this run does not lint") == 2


def test_an_excluded_deploy_helper_leaves_the_fix_by_hand_too(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"pyproject.toml": '[tool.imagetag-lint]\nexclude = ["e2e/deploy.go"]\n'})
    code, out, err = run_cli(["--no-cache", "--fix", "."], root)
    assert (root / "e2e" / "deploy.go").read_text() == DEPLOY_GO
    assert "not among the linted files" not in err
    assert "1 to fix by hand." in out
    assert "fixable with --fix" not in out


def test_a_lint_without_fix_says_by_hand_as_the_fix_run_does(tmp_path: Path) -> None:
    root = write_module(tmp_path)
    code, out, err = run_cli(["--isolated", "--no-cache", "e2e/setup.go"], root)
    assert "[by hand]" in out and "1 to fix by hand." in out
    assert "fixable with --fix" not in out
    code, out, err = run_cli(["--isolated", "--no-cache", "e2e"], root)
    assert "[*] 1 fixable with --fix." in out
