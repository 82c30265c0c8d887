"""What the speed work must not lose: cases a review of the byte-level shortcuts turned up.

Each module below is linted through the command line; the findings must be exactly the
`// want` markers, whichever file order, package loading order or comment placement. A fixed image
that a drop names as its related place is one defect with the drop: it is marked
`// want-without-IMG001 IMG002`, reported on its own only when IMG001 is not selected.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import FIXTURES, go_module, wanted

from imagetag_lint.cli import main
from imagetag_lint.files import Discovered
from imagetag_lint.golang.lexing import declares_const, import_header, quoted_imports
from imagetag_lint.golang.parser import named_descendants, parse
from imagetag_lint.parallel import Split

SETUP = """\
package e2e

import (
	"io"

	"example.com/m/infrastructure"
)

func Setup(w io.Writer) error {
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w); err != nil { // want IMG001
		return err
	}
	return deployAll(w)
}
"""

HELPERS = {
    "helpers/deploy.go": """\
package helpers

import "io"

type Container struct{ Image string }

func Deploy(w io.Writer, ref string) error {
	c := Container{Image: ref}
	_, _ = c, w
	return nil
}
""",
    "helpers/prepare.go": """\
package helpers

import "io"

func Prepare(w io.Writer) { _ = w }
""",
}

CASES = {
    # a call that loads a package, then a deploy call into that package in the same function
    "deploy-call-after-a-call-that-loads-its-package": {
        "e2e/setup.go": SETUP,
        "e2e/zz.go": """\
package e2e

import (
	"io"

	"example.com/m/helpers"
)

func deployAll(w io.Writer) error {
	helpers.Prepare(w)
	return helpers.Deploy(w, "localhost/svc:e2e") // want-without-IMG001 IMG002
}
""",
        **HELPERS,
    },
    # a constant group holding a raw string with a line that starts with `)`
    "constant-after-a-raw-string-in-a-const-group": {
        "e2e/setup.go": SETUP.replace('"svc"', '"acme/svc"'),
        "e2e/consts.go": """\
package e2e

const (
	createTable = `CREATE TABLE images (
	id   serial
)`
	SvcImage = "acme/svc:e2e"
)
""",
        "e2e/deploy.go": """\
package e2e

import "io"

type Container struct{ Image string }

func deployAll(w io.Writer) error {
	c := Container{Image: SvcImage} // want-without-IMG001 IMG002
	_, _ = c, w
	return nil
}
""",
    },
    # a doc comment before the package clause with a line that starts with "import", and a
    # block comment between import declarations
    "imports-after-comments-that-say-import": {
        "e2e/setup.go": """\
/*
Package e2e sets up the suite.
import cycles are avoided by the wrap package.
*/
package e2e

import "io"

/* the wrapper */
import "example.com/m/wrap"

func Setup(w io.Writer) error {
	_, err := wrap.Build(w) // want IMG001
	return err
}
""",
        "wrap/wrap.go": """\
package wrap

import (
	"io"

	"example.com/m/infrastructure"
)

func Build(w io.Writer) (string, error) {
	return infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ImageName: "svc"}, w)
}
""",
    },
    # a comment between an Image key and its colon
    "comment-between-the-image-key-and-its-colon": {
        "e2e/setup.go": SETUP.replace("return deployAll(w)", "return nil"),
        "e2e/deploy.go": """\
package e2e

type Container struct{ Image string }

var app = Container{Image /* pinned */ : "localhost/svc:e2e"} // want IMG002
""",
    },
    # a builder held in a variable named like a predeclared function
    "builder-in-a-variable-named-like-a-builtin": {
        "e2e/setup.go": """\
package e2e

import (
	"io"

	"example.com/m/infrastructure"
)

func Setup(w io.Writer) error {
	copy := infrastructure.BuildAndLoadImageToKind
	_, err := copy(infrastructure.ImageBuildConfig{ImageName: "svc"}, w) // want IMG001
	return err
}
""",
    },
}


ALONE = re.compile(r"// want-without-IMG001 (IMG\d{3})$")


def wanted_without_img001(root: Path) -> set[tuple[str, int, str]]:
    return {
        (path.relative_to(root).as_posix(), number, marker.group(1))
        for path in sorted(root.rglob("*.go"))
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (marker := ALONE.search(text))
    }


@pytest.mark.parametrize("files", list(CASES.values()), ids=list(CASES))
def test_found_whatever_the_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    go_module(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    expected, alone = wanted(tmp_path), wanted_without_img001(tmp_path)
    for selection in ([], ["--select", "IMG002"], ["--select", "IMG001"]):
        code = main(["--output-format", "json", *selection, "."])
        out, err = capsys.readouterr()
        assert code in (0, 1) and err == "", err
        found = {(f["filename"], f["location"]["row"], f["code"]) for f in json.loads(out)}
        codes = set(selection[1:]) or {"IMG001", "IMG002", "IMG003"}
        expected_here = expected | (alone if "IMG001" not in codes else set())
        assert found == {w for w in expected_here if w[2] in codes}, selection


def test_declares_const_is_never_false_for_a_declared_constant() -> None:
    grouped = b"const (\n\tq = `a (\n)`\n\tName = \"x\"\n\tD = time.Duration(5)\n)\n"
    assert declares_const(grouped, b"Name") and declares_const(grouped, b"D")
    assert declares_const(b"const Name = 1\n", b"Name")
    assert not declares_const(b"x := Name\nconst y = 1\n", b"Name")


def test_import_header_skips_comments() -> None:
    source = b'/*\nimport nothing\n*/\npackage e2e\n\nimport "io"\n\n/* w */\nimport "example.com/m/wrap"\n\nfunc F() {}\n'
    assert import_header(source) == b'import "io"\n\n/* w */\nimport "example.com/m/wrap"'
    assert quoted_imports(source) == b'"io" "example.com/m/wrap"'
    assert quoted_imports(b"package e2e\n\nfunc F() {}\n") == b""


def test_a_walk_of_named_nodes_reaches_what_named_children_reach() -> None:
    source = (FIXTURES / "retryloop" / "retry.go").read_bytes()
    root = parse(source).root_node
    walked = [(node.type, node.start_byte, node.end_byte) for node in named_descendants(root)]
    stack, expected = [parse(source).root_node], []
    while stack:
        node = stack.pop()
        expected.append((node.type, node.start_byte, node.end_byte))
        stack.extend(reversed(node.named_children))
    assert walked == expected and len(walked) > 100


def test_a_discovered_file_s_name_is_the_end_of_its_path() -> None:
    inside, outside = Discovered("/r/e2e/a.go", "e2e/a.go"), Discovered("/r/e2e/a.go", "../r/e2e/a.go")
    assert (inside.path, inside.display) == ("/r/e2e/a.go", "e2e/a.go")
    assert (outside.path, outside.display) == ("/r/e2e/a.go", "../r/e2e/a.go")
    assert inside == Discovered("/r/e2e/a.go", "e2e/a.go") != outside
    assert hash(inside) == hash(Discovered("/r/e2e/a.go", "e2e/a.go"))
    assert repr(inside) == "Discovered(path='/r/e2e/a.go', display='e2e/a.go')"


def test_names_are_relative_to_the_working_directory_when_the_root_is_above_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    go_module(tmp_path, {"e2e/setup.go": SETUP.replace("return deployAll(w)", "return nil")})
    monkeypatch.chdir(tmp_path / "e2e")
    main(["--output-format", "json", ".."])
    names = {f["filename"] for f in json.loads(capsys.readouterr().out)}
    assert names == {"setup.go"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the split forks only on Linux")
def test_a_failing_callback_stops_the_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    split = Split(lambda i: b"x" * 4096, list(range(2000)), min_items=10, busy=True)
    children = [(child.pid, child.read_end) for child in split.children]
    assert children

    def fail(index: int, result: bytes) -> None:
        raise RuntimeError("the callback breaks")

    with pytest.raises(RuntimeError):
        split.results(fail)
    for pid, read_end in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already
        with pytest.raises(OSError):
            os.fstat(read_end)  # closed


@pytest.mark.parametrize("redirect", [">&-", "2>&-"], ids=["stdout-closed", "stderr-closed"])
def test_a_closed_standard_stream_keeps_the_exit_code(tmp_path: Path, redirect: str) -> None:
    """Started with stdout or stderr closed (Python sets sys.stdout to None): no traceback, and
    the exit code still says there are findings."""
    go_module(tmp_path, {"e2e/setup.go": SETUP.replace("return deployAll(w)", "return nil")})
    command = f'exec 3>exit.txt; "{sys.executable}" -m imagetag_lint e2e {redirect}; echo "exit $?" >&3'
    done = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (tmp_path / "exit.txt").read_text().split() == ["exit", "1"], done.stderr
    assert "Traceback" not in done.stderr
