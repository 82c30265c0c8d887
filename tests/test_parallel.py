"""Reading and prefiltering in several processes gives exactly what one process gives."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from support import FIXTURES, wanted

from imagetag_lint import files, parallel
from imagetag_lint.cli import main
from imagetag_lint.parallel import Split, processes_for

forking = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the split forks only on Linux")


def test_small_inputs_stay_in_one_process() -> None:
    assert processes_for(10, min_items=1000) == 1
    assert processes_for(999, min_items=1000) == 1


@forking
def test_large_inputs_are_split_when_there_are_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert processes_for(5000, min_items=1000) == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert processes_for(5000, min_items=1000) == 1


@forking
def test_results_come_back_in_order_from_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(4)), raising=False)
    parent = os.getpid()
    items = list(range(1000))
    results = Split(lambda i: (i, os.getpid() != parent, b"x" * (i % 7)), items, min_items=10).results()
    assert [value for value, _, _ in results] == items
    assert [blob for _, _, blob in results] == [b"x" * (i % 7) for i in items]
    done_elsewhere = {i % 4 for i, in_child, _ in results if in_child}
    assert done_elsewhere == {1, 2, 3}  # every share but the parent's came from a child


@forking
def test_a_busy_caller_leaves_every_share_to_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    parent = os.getpid()
    split = parallel.Split(lambda i: (i, os.getpid() == parent), list(range(300)), min_items=10, busy=True)
    assert (split.shares, len(split.children)) == (2, 2)
    results = split.results()
    assert [i for i, _ in results] == list(range(300))
    assert not [i for i, here in results if here]


@forking
def test_the_children_take_their_items_by_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent hands the children the list as it is, not a copy of each share: a list of
    inputs that makes each file when asked (`DiscoveredFiles`) is not made whole in the parent."""
    from imagetag_lint.files import Discovered, DiscoveredFiles

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    parent = os.getpid()
    made_here: list[int] = []

    class Counted(DiscoveredFiles):
        def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
            if os.getpid() == parent:
                made_here.append(1)
            return super().__getitem__(index)

    inputs = Counted(Discovered(f"/r/d{i % 7}/f{i}.go", f"d{i % 7}/f{i}.go") for i in range(300))
    results = Split(lambda d: d.display, inputs, min_items=10, busy=True).results()
    assert results == [f"d{i % 7}/f{i}.go" for i in range(300)]
    assert not made_here


@forking
def test_results_stream_in_frames_and_each_is_seen_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(parallel, "FRAME_ITEMS", 5)
    seen: list[int] = []
    split = parallel.Split(lambda i: i * i, list(range(200)), min_items=10, busy=True)
    assert split.results(lambda index, value: seen.append(index) or None) == [i * i for i in range(200)]
    assert sorted(seen) == list(range(200))


@forking
def test_what_the_caller_returns_for_a_result_is_kept_in_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    monkeypatch.setattr(parallel, "FRAME_ITEMS", 5)
    split = parallel.Split(lambda i: (i, b"x" * 100), list(range(200)), min_items=10, busy=True)
    results = split.results(lambda index, value: (index, b"") if index % 2 else None)
    assert results == [(i, b"" if i % 2 else b"x" * 100) for i in range(200)]
    settled = parallel.Settled([(i, b"x") for i in range(4)]).results(lambda index, value: (index, b"") if index else None)
    assert settled == [(0, b"x"), (1, b""), (2, b""), (3, b"")]


@forking
def test_a_child_that_dies_midway_has_the_rest_done_by_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(parallel, "FRAME_ITEMS", 4)
    parent = os.getpid()

    def dies_at_150(item: int) -> tuple[int, bool]:
        if item == 150 and os.getpid() != parent:
            os._exit(3)  # no exception, no goodbye: the pipe just ends
        return item, os.getpid() == parent

    results = parallel.Split(dies_at_150, list(range(200)), min_items=10, busy=True).results()
    assert [i for i, _ in results] == list(range(200))
    redone = {i for i, here in results if here}
    assert 150 in redone and redone <= {i for i in range(200) if i % 2 == 150 % 2 and i >= 100}


@forking
def test_a_child_that_fails_has_its_share_done_by_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    parent = os.getpid()

    def fragile(item: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return item * 2

    assert Split(fragile, list(range(500)), min_items=10).results() == [i * 2 for i in range(500)]


@forking
def test_results_marshal_cannot_carry_are_done_by_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    results = Split(lambda i: object() if i % 2 else i, list(range(100)), min_items=10).results()
    assert [r for r in results if isinstance(r, int)] == list(range(0, 100, 2))
    assert len(results) == 100


def lint_corpus(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, set[tuple[str, int, str]], str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        code = main(["--output-format", "json", "."])
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return code, {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(out)}, err


@forking
def test_the_corpus_linted_in_several_processes_matches_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    corpus = tmp_path / "go"
    shutil.copytree(FIXTURES, corpus)
    (corpus / "k8s" / "unreadable.go").write_bytes(b"package k8s\n\x00binary")  # an error, from any share
    single = lint_corpus(corpus, capsys)
    monkeypatch.setattr(files, "PARALLEL_MIN_FILES", 2)
    forked = []

    class Recorded(parallel.Split):  # type: ignore[type-arg]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            forked.append((self.shares, len(self.children)))

    monkeypatch.setattr(files, "Split", Recorded)
    assert lint_corpus(corpus, capsys) == single
    assert single[:2] == (2, wanted(corpus))
    assert single[2] == "imagetag-lint: error: k8s/unreadable.go: binary file (contains NUL bytes); not linted\n"
    assert forked == [(3, 3)]  # three children, one per CPU; the parent imports meanwhile
