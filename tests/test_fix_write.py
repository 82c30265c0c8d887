"""Writing fixes: symbolic and hard links, permissions, all or nothing across the files of a fix,
a file changed right before its rename, interruptions, and what the summary says."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from support import go_module

from imagetag_lint.cli import main
from imagetag_lint.errors import InputError
from imagetag_lint.fix import apply, write
from imagetag_lint.fix.write import Change, write_group

SETUP = """package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
)

func Setup(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "app"}, w); err != nil {
		return err
	}
	return deployApp(ctx)
}
"""

DEPLOY = """package e2e

import (
	"context"

	"example.com/m/k8s"
)

func deployApp(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "app", Image: "localhost/app:e2e-test"})
}
"""


def two_files(tmp_path: Path) -> Path:
    """A package whose one fix spans two files: the call in setup.go, the helper in deploy.go."""
    return go_module(tmp_path, {"e2e/setup.go": SETUP, "e2e/deploy.go": DEPLOY})


def fix(root: Path, *paths: str) -> int:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return main([*paths, "--fix", "--isolated"])
    finally:
        os.chdir(cwd)


def temporaries(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*.tmp"))


def test_the_fix_spans_both_files(tmp_path: Path) -> None:
    root = two_files(tmp_path)
    assert fix(root) == 0
    assert (root / "e2e/setup.go").read_text() != SETUP
    assert "imageName string" in (root / "e2e/deploy.go").read_text()


def test_a_symbolic_link_named_on_the_command_line_is_written_through(tmp_path: Path) -> None:
    root = two_files(tmp_path)
    real = root / "e2e/deploy.go"
    shared = root / "shared.go.txt"
    real.rename(shared)
    real.symlink_to(shared)
    assert fix(root, "e2e/setup.go", "e2e/deploy.go") == 0
    assert real.is_symlink() and os.readlink(real) == str(shared)
    assert "imageName string" in shared.read_text()


def test_a_hard_link_is_not_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = two_files(tmp_path)
    os.link(root / "e2e/deploy.go", root / "deploy-copy.txt")
    assert fix(root) == 2
    err = capsys.readouterr().err
    assert "e2e/deploy.go: file has 2 hard links; not fixed" in err
    assert os.stat(root / "e2e/deploy.go").st_ino == os.stat(root / "deploy-copy.txt").st_ino
    assert (root / "deploy-copy.txt").read_text() == DEPLOY
    assert (root / "e2e/setup.go").read_text() == SETUP  # the other half of the fix is not written


def test_one_read_only_file_keeps_the_whole_fix_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = two_files(tmp_path)
    (root / "e2e/deploy.go").chmod(0o444)
    assert fix(root) == 2
    err = capsys.readouterr().err
    assert "imagetag-lint: error: e2e/deploy.go: file is read-only; not fixed" in err
    assert "imagetag-lint: error: e2e/setup.go: not fixed: the fix also changes e2e/deploy.go" in err
    assert (root / "e2e/setup.go").read_text() == SETUP
    assert (root / "e2e/deploy.go").read_text() == DEPLOY


def test_the_summary_does_not_count_what_was_not_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = two_files(tmp_path)
    (root / "e2e/deploy.go").chmod(0o444)
    fix(root)
    out = capsys.readouterr().out
    assert "Fixed" not in out
    assert "e2e/setup.go:11:15: IMG001 [*]" in out  # the finding is reported from the file on disk
    assert "Not written: e2e/deploy.go (file is read-only; not fixed); its 1 fix did not happen." in out
    assert "Not written: e2e/setup.go (" in out  # the other file of the same fix: all or nothing
    assert "Found 1 finding in 1 file (" in out  # listed under both files, the fix is still one finding


WORKER = """package e2e

import (
	"context"
	"io"

	"example.com/m/infrastructure"
)

func SetupWorker(ctx context.Context, w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "worker"}, w); err != nil {
		return err
	}
	return deployWorker(ctx)
}
"""

DEPLOY_WORKER = """
func deployWorker(ctx context.Context) error {
	return k8s.Apply(ctx, k8s.Container{Name: "worker", Image: "localhost/worker:e2e-test"})
}
"""


def test_a_file_grouped_through_a_shared_one_says_so_and_each_fix_counts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The app's fix (setup.go, deploy.go) never edits worker.go: it shares a group with it only
    through deploy.go, which the worker's fix edits too. Two fixes, each counted once."""
    root = go_module(tmp_path, {"e2e/setup.go": SETUP, "e2e/deploy.go": DEPLOY + DEPLOY_WORKER, "e2e/worker.go": WORKER})
    os.link(root / "e2e/worker.go", root / "worker-copy.txt")
    assert fix(root) == 2
    out, err = capsys.readouterr()
    assert "e2e/worker.go: file has 2 hard links; not fixed: a rewrite would split them" in err
    assert "e2e/deploy.go: not fixed: the fix also changes e2e/worker.go, which could not be written" in err
    assert (
        "e2e/setup.go: not fixed: through e2e/deploy.go, it shares a group of fixes with e2e/worker.go, "
        "which could not be written"
    ) in err
    assert [line for line in out.splitlines() if line.startswith("Not written")] == [
        "Not written: e2e/worker.go (file has 2 hard links; not fixed: a rewrite would split them); its 1 fix did not happen.",
        "Not written: e2e/deploy.go (not fixed: the fix also changes e2e/worker.go, which could not be written); "
        "1 more fix did not happen.",
        "Not written: e2e/setup.go (not fixed: through e2e/deploy.go, it shares a group of fixes with e2e/worker.go, "
        "which could not be written).",
    ]
    assert (root / "e2e/setup.go").read_text() == SETUP


OTHER = """
func Other(w io.Writer) error {
	_, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "web"}, w)
	return err
}
"""


def test_after_a_refused_write_every_finding_is_reported_where_it_is_on_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": SETUP + OTHER, "e2e/deploy.go": DEPLOY})
    (root / "e2e/deploy.go").chmod(0o444)
    assert fix(root) == 2
    out = capsys.readouterr().out
    # the fix of the first drop adds lines above the second; neither is written
    assert "e2e/setup.go:11:15: IMG001 [*]" in out
    assert "e2e/setup.go:18:12: IMG001 [by hand]" in out
    assert "   18 |     _, err := infrastructure.BuildAndLoadImageToKind(" in out
    assert out.splitlines()[-2:] == ["Found 2 findings in 1 file (4 linted).", "[*] 1 fixable with --fix; 1 to fix by hand."]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert main(["--fix", "--isolated", "--output-format", "json"]) == 2
    finally:
        os.chdir(cwd)
    found = json.loads(capsys.readouterr().out)
    assert [(f["filename"], f["location"]["row"], f["fix"]["applicability"]) for f in found] == [
        ("e2e/setup.go", 11, "safe"),
        ("e2e/setup.go", 18, "display-only"),
    ]


def test_after_a_partial_write_the_report_reads_the_files_written_and_those_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": SETUP, "e2e/deploy.go": DEPLOY})
    for name in ("setup.go", "deploy.go"):
        (root / "other" / name).parent.mkdir(exist_ok=True)
        (root / "other" / name).write_text((root / "e2e" / name).read_text().replace("package e2e", "package other"))
    (root / "other/deploy.go").chmod(0o444)
    assert fix(root) == 2
    out = capsys.readouterr().out
    assert "imageName string" in (root / "e2e/deploy.go").read_text()
    assert "e2e/setup.go:" not in out
    assert "other/setup.go:11:15: IMG001 [*]" in out
    assert out.splitlines()[-5:] == [
        "Fixed 1 finding in 2 files.",
        "Not written: other/deploy.go (file is read-only; not fixed); its 1 fix did not happen.",
        "Not written: other/setup.go (not fixed: the fix also changes other/deploy.go, which could not be written).",
        "Found 1 finding in 1 file (6 linted).",
        "[*] 1 fixable with --fix.",
    ]


def test_after_a_partial_write_a_rolled_back_fix_is_still_counted_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = go_module(tmp_path, {"e2e/setup.go": SETUP, "e2e/deploy.go": DEPLOY})
    for package in ("other", "third"):
        for name in ("setup.go", "deploy.go"):
            (root / package).mkdir(exist_ok=True)
            (root / package / name).write_text(DEPLOY if name == "deploy.go" else SETUP)
            text = (root / package / name).read_text()
            (root / package / name).write_text(text.replace("package e2e", f"package {package}"))
    (root / "other/deploy.go").chmod(0o444)
    real_errors = apply._go_errors
    # the fix of package third "would leave a syntax error": rolled back before any write

    def go_errors(source: bytes, tree: object) -> bool:
        return b"package third" in source and b"imageName" in source or real_errors(source, tree)

    monkeypatch.setattr(apply, "_go_errors", go_errors)
    assert fix(root) == 2
    out = capsys.readouterr().out
    assert out.splitlines()[-2:] == [
        "Found 2 findings in 2 files (8 linted).",
        "[*] 1 fixable with --fix; 1 fix refused by --fix (see the warning above).",
    ]


def test_access_is_the_real_check_not_the_owner_bit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.go"
    target.write_bytes(b"package a\n")
    target.chmod(0o646)  # others may write, the owner's bit is clear: os.access decides
    denied = str(target.resolve())
    monkeypatch.setattr(write.os, "access", lambda path, mode: os.fspath(path) != denied)
    with pytest.raises(InputError, match="read-only"):
        write.write_atomic(target, b"package a\n", b"package a\n// fixed\n")
    assert target.read_bytes() == b"package a\n"


def test_a_failed_rename_puts_back_the_files_already_renamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a.go", tmp_path / "b.go"
    first.write_bytes(b"package a\n")
    second.write_bytes(b"package a\n\nvar B = 1\n")
    renames = []
    real_replace = os.replace

    def replace(source: str, target: str) -> None:
        renames.append(target)
        if len(renames) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(write.os, "replace", replace)
    errors = write_group(
        [Change(str(first), b"package a\n", b"package a\n// fixed\n"),
         Change(str(second), b"package a\n\nvar B = 1\n", b"package a\n\nvar B = 2\n")]
    )
    assert [str(e) for e in errors] == [
        f"{second}: cannot write: No space left on device",
        f"{first}: not fixed: the fix also changes {second}, which could not be written",
    ]
    assert first.read_bytes() == b"package a\n"  # renamed, then put back
    assert second.read_bytes() == b"package a\n\nvar B = 1\n"
    assert temporaries(tmp_path) == []


def test_an_edit_made_right_before_the_rename_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.go"
    target.write_bytes(b"package a\n")
    real_temporary = write._temporary

    def temporary(path: str, content: bytes, info: os.stat_result) -> str:
        name = real_temporary(path, content, info)
        target.write_bytes(b"package a\n// an editor saved this meanwhile\n")
        return name

    monkeypatch.setattr(write, "_temporary", temporary)
    with pytest.raises(InputError, match="changed on disk since it was read"):
        write.write_atomic(target, b"package a\n", b"package a\n// fixed\n")
    assert target.read_bytes() == b"package a\n// an editor saved this meanwhile\n"
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], signum: int
) -> None:
    root = two_files(tmp_path)
    real_fsync = os.fsync
    calls = []

    def fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        calls.append(descriptor)
        if len(calls) == 2:  # both temporary files exist, nothing is renamed yet
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(write.os, "fsync", fsync)
    # a process started in the background inherits SIGINT ignored, and Python then leaves it so:
    # give it Python's own handler, as a terminal's Ctrl-C finds it
    interactive = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        previous = signal.getsignal(signal.SIGTERM)
        assert fix(root) == 130
        assert signal.getsignal(signal.SIGTERM) == previous
    finally:
        signal.signal(signal.SIGINT, interactive)
    assert "imagetag-lint: interrupted" in capsys.readouterr().err
    assert temporaries(root) == []
    assert (root / "e2e/setup.go").read_text() == SETUP
    assert (root / "e2e/deploy.go").read_text() == DEPLOY
