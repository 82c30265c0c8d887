"""A fix `--fix` rolls back (a file it must edit is not linted: the pre-commit fix hook names one
file, or the config excludes the deploy helper) is said to be refused, one warning per fix, and
the summary never calls it fixable with --fix: running --fix again would not apply it."""

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


def test_the_fix_hook_on_one_file_refuses_and_says_so(tmp_path: Path) -> None:
    root = write_module(tmp_path)
    before = (root / "e2e" / "setup.go").read_text()
    code, out, err = run_cli(["--isolated", "--no-cache", "--fix", "--exit-non-zero-on-fix", "e2e/setup.go"], root)
    assert (root / "e2e" / "setup.go").read_text() == before
    assert err.count("e2e/deploy.go is not among the linted files") == 1
    assert "1 fix refused by --fix (see the warning above)." in out
    assert "fixable with --fix" not in out
    assert code == 1


def test_each_refused_fix_in_a_file_is_a_warning_of_its_own(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"e2e/setup.go": SECOND_DROP})
    code, out, err = run_cli(["--isolated", "--no-cache", "--fix", "e2e/setup.go"], root)
    warnings = [line for line in err.splitlines() if "e2e/deploy.go is not among the linted files" in line]
    assert [line.split(": ")[2] for line in warnings] == ["e2e/setup.go:13", "e2e/setup.go:21"]
    assert "2 fixes refused by --fix (see the warnings above)." in out
    assert "fixable with --fix" not in out


def test_an_excluded_deploy_helper_refuses_the_fix_too(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"pyproject.toml": '[tool.imagetag-lint]\nexclude = ["e2e/deploy.go"]\n'})
    code, out, err = run_cli(["--no-cache", "--fix", "."], root)
    assert (root / "e2e" / "deploy.go").read_text() == DEPLOY_GO
    assert "e2e/deploy.go is not among the linted files" in err
    assert "1 fix refused by --fix (see the warning above)." in out
    assert "fixable with --fix" not in out


def test_a_lint_without_fix_still_counts_the_fix(tmp_path: Path) -> None:
    root = write_module(tmp_path)
    code, out, err = run_cli(["--isolated", "--no-cache", "e2e/setup.go"], root)
    assert "[*] 1 fixable with --fix." in out
