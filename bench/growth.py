"""Time the shapes of `shapes.py` at N and 4N: the growth table of the code shapes.

    python bench/growth.py [--runs 3] [--tool "imagetag-lint"]

Each shape is written as one file of a module in a temporary directory and linted (or fixed with
`--fix --diff`, which plans and applies every round but writes nothing) `--runs` times; the table
gives the median seconds at N and at 4N and their ratio. Linear work would be 4x; the target is
at most about 5x. Standard library only.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shapes import SHAPES

TARGET = 5.0


def seconds(command: list[str], root: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_module(root: Path, source: str) -> Path:
    (root / "e2e").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n", encoding="utf-8")
    (root / "e2e" / "setup.go").write_text(source, encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tool", default=f"{shlex.quote(sys.executable)} -m imagetag_lint")
    args = parser.parse_args(argv)
    tool = shlex.split(args.tool)
    print("| shape | N | s at N | s at 4N | growth | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    for name, (shape, n, fix) in SHAPES.items():
        flags = ["--isolated", "--fix", "--diff", "--unsafe-fixes"] if fix else ["--isolated", "--exit-zero"]
        measured = []
        for size in (n, 4 * n):
            with tempfile.TemporaryDirectory() as directory:
                root = write_module(Path(directory), shape(size))
                measured.append(seconds([*tool, *flags, "."], root, args.runs))
        growth = measured[1] / measured[0]
        verdict = "PASS" if growth <= TARGET else "FAIL"
        print(f"| {name} | {n} | {measured[0]:.2f} | {measured[1]:.2f} | {growth:.1f}x | {verdict} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
