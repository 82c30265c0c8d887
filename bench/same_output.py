"""Record imagetag-lint's output on generated trees, to check that a speed change keeps it byte for byte.

    python bench/same_output.py OUT_DIR TREE... [--one-files TREE] [--tool "imagetag-lint"]
    diff -r BEFORE_DIR AFTER_DIR

Every TREE is linted whole, and with --one-files each Go file under its `test/e2e` on its own
(as pre-commit calls it), in four modes: the JSON report, the text report, `--fix --diff` and
`--fix --unsafe-fixes --diff`; always with `--no-cache`. Each run's standard output, standard
error and exit code go to OUT_DIR/<tree name>/<run>.out, .err and .rc. Run it once with the code
before the change (`--tool "python -m imagetag_lint"` with `PYTHONPATH=<export>/src`) and once
after, then compare the two directories. Standard library only.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

MODES = {
    "json": ["--output-format", "json"],
    "text": [],
    "fix-diff": ["--fix", "--diff"],
    "unsafe-fix-diff": ["--fix", "--unsafe-fixes", "--diff"],
}


def tool_words(spec: str) -> list[str]:
    words = shlex.split(spec)
    if words and words[0] == "python":  # the interpreter that runs this script
        words[0] = sys.executable
    return words


def record(tool: list[str], tree: Path, target: str, out: Path, name: str) -> None:
    for mode, flags in MODES.items():
        done = subprocess.run([*tool, "--no-cache", *flags, target], cwd=tree, capture_output=True, check=False)
        (out / f"{name}.{mode}.out").write_bytes(done.stdout)
        (out / f"{name}.{mode}.err").write_bytes(done.stderr)
        (out / f"{name}.{mode}.rc").write_text(f"{done.returncode}\n")


def one_files(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree).as_posix() for p in (tree / "test" / "e2e").rglob("*.go"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory for the recorded outputs")
    parser.add_argument("trees", type=Path, nargs="+", help="generated trees (bench/generate.py)")
    parser.add_argument("--one-files", type=Path, action="append", default=[], metavar="TREE",
                        help="also lint each Go file under TREE/test/e2e on its own (repeatable)")
    parser.add_argument("--tool", default="imagetag-lint", help="the command to run, split like a shell's")
    args = parser.parse_args(argv)
    tool = tool_words(args.tool)
    runs = 0
    for tree in dict.fromkeys([*args.trees, *args.one_files]):
        out = args.out / tree.resolve().name
        out.mkdir(parents=True, exist_ok=True)
        if tree in args.trees:
            record(tool, tree, ".", out, "tree")
            runs += len(MODES)
        if tree in args.one_files:
            for file in one_files(tree):
                record(tool, tree, file, out, "one." + file.replace("/", "_"))
                runs += len(MODES)
    print(f"{runs} runs recorded in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
