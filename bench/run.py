#!/usr/bin/env python3
"""Benchmark runner for imagetag-lint (see bench/README.md).

    python bench/run.py [--runs 5] [--profile default,dense] [--scales 1,2,4]
                        [--tool imagetag-lint] [--work DIR] [--markdown-out FILE] [--readme FILE]

For each profile of bench/generate.py (default: the E2E suites are 2 % of the
files; dense: a 1.7 MB E2E infrastructure package), generates the tree(s),
then times in one run, with the commands interleaved round by round so that
ratios hold on a noisy machine:

* ``imagetag-lint . --output-format json --exit-zero`` on the whole tree, cold
  (``--no-cache`` when ``--help`` lists it, and a fresh empty cache directory
  for every run) and warm (a cache directory kept from run to run);
* a one-file run, cold and warm, as pre-commit calls it (the file's package
  siblings are on disk): a clean file of an E2E suite in the default profile,
  the largest file of the infrastructure package in the dense one;
* ``imagetag-lint --fix --diff .`` on the whole tree;
* the baselines: ``cat`` of every Go file, ``ast-grep scan`` and
  ``semgrep scan --metrics=off`` with the equivalent rules in bench/rules/.

It reports medians, min-max, peak RSS and ratios, how the whole-tree lint
grows with the tree (1x, 2x, 4x), whether each tool finds the planted bugs,
and the speed targets with PASS/FAIL.  Pure standard library.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.dont_write_bytecode = True  # no bench/__pycache__ from the import below
import generate
import generate_python

AST_GREP_CONFIG = BENCH_DIR / "rules" / "ast-grep" / "sgconfig.yml"
SEMGREP_RULES = BENCH_DIR / "rules" / "semgrep.yml"
README_BEGIN = "<!-- bench-results:begin -->"
README_END = "<!-- bench-results:end -->"

# The speed targets: cold means --no-cache, warm a second run on an unchanged tree.
TARGET_COLD_SPEEDUP_VS_AST_GREP = 10.0
TARGET_SPEEDUP_VS_AST_GREP = 15.0
TARGET_MAX_RATIO_VS_CAT = 4.0
TARGET_ONE_FILE_SECONDS = 0.120
TARGET_ONE_FILE_COLD_SECONDS = 0.300
TARGET_PEAK_MIB = 64.0
CACHE_ENV = "IMAGETAG_LINT_CACHE_DIR"

# Used when GNU time is missing.  It reports the wall time of the command and
# ru_maxrss of RUSAGE_CHILDREN (the largest waited-for process).  Its values
# are floored at the wrapper's own RSS: the child's address space before exec
# is the wrapper's, and Linux keeps that high-water mark.
PY_WRAPPER = r"""
import resource, subprocess, sys, time
out = sys.argv[1]
t0 = time.perf_counter()
rc = subprocess.call(sys.argv[2:])
wall = time.perf_counter() - t0
with open(out, "w") as fh:
    fh.write(f"{wall!r} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
sys.exit(rc)
"""


# --------------------------------------------------------------------------
# Measuring one command
# --------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    maxrss_kib: int
    rc: int
    tree_kib: int = 0
    tree_pss_kib: int = 0


class Meter:
    """Runs a command in a fresh wrapper process and reads its peak RSS."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.gnu_time = find_gnu_time()

    def describe(self) -> str:
        if self.gnu_time:
            return f"`{self.gnu_time} -f %M` (GNU time: ru_maxrss of the command, largest waited-for process)"
        return "a Python wrapper (ru_maxrss of RUSAGE_CHILDREN; floored at the wrapper's own RSS, about 10-14 MiB)"

    def run(self, cmd: list[str], cwd: Path, env: dict[str, str], stdout: Path,
            sample_tree: bool = False) -> Sample:
        rss_file = self.scratch / "rss.txt"
        rss_file.unlink(missing_ok=True)
        if self.gnu_time:
            argv = [self.gnu_time, "-f", "%M", "-o", str(rss_file), *cmd]
        else:
            argv = [sys.executable, "-c", PY_WRAPPER, str(rss_file), *cmd]
        with open(stdout, "wb") as out, open(stdout.with_suffix(".stderr"), "wb") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            tree_kib, tree_pss_kib = poll_tree_rss(proc) if sample_tree else (0, 0)
            rc = proc.wait()
            wall = time.perf_counter() - t0
        text = rss_file.read_text().split() if rss_file.exists() else []
        if self.gnu_time:
            maxrss = int(text[-1]) if text and text[-1].isdigit() else 0
        else:
            wall = float(text[0]) if text else wall
            maxrss = int(text[1]) if len(text) > 1 else 0
        return Sample(wall, maxrss, rc, tree_kib, tree_pss_kib)


def find_gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if not path:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "GNU" in out.stdout + out.stderr else None


def proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, rss KiB) for every process visible in /proc."""
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    table: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        table[int(name)] = (int(fields[1]), int(fields[21]) * page_kib)
    return table


def pss_kib(pid: int, rss: int) -> int:
    """A process's proportional set size: its private pages, and its share of the pages it shares
    (a forked child shares the interpreter and the modules with its parent). Its RSS when the
    kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss


def poll_tree_rss(proc: subprocess.Popen[bytes], interval: float = 0.01) -> tuple[int, int]:
    """Peaks of the summed RSS and of the summed PSS of the wrapper's descendants, sampled until
    exit. Summed RSS counts a page that forked processes share once per process; summed PSS
    counts it once in all."""
    if not os.path.isdir("/proc"):
        return 0, 0
    peak = peak_pss = 0
    while proc.poll() is None:
        table = proc_table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        total = total_pss = 0
        stack = list(children.get(proc.pid, []))
        while stack:
            pid = stack.pop()
            total += table[pid][1]
            total_pss += pss_kib(pid, table[pid][1])
            stack.extend(children.get(pid, []))
        peak, peak_pss = max(peak, total), max(peak_pss, total_pss)
        time.sleep(interval)
    return peak, peak_pss


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------


@dataclass
class Tool:
    argv: list[str]
    help_text: str
    version: str

    def supports(self, flag: str) -> bool:
        return flag in self.help_text.split() or f"{flag}," in self.help_text or f"{flag}=" in self.help_text


def capture(argv: list[str], timeout: float = 60) -> tuple[int, str]:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                             env=offline_env(os.environ.copy()))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, str(exc)
    return out.returncode, (out.stdout + out.stderr).strip()


def resolve_exe(name: str, explicit: str | None) -> str | None:
    if explicit:
        return shutil.which(explicit) or (explicit if os.path.exists(explicit) else None)
    found = shutil.which(name)
    if found:
        return found
    sibling = Path(sys.executable).parent / name
    return str(sibling) if sibling.exists() else None


def resolve_lint(spec: str, notes: list[str]) -> Tool:
    argv = shlex.split(spec)
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable  # not a pyenv shim, whose start-up would be timed too
    exe = resolve_exe(argv[0], argv[0] if os.sep in argv[0] else None)
    if exe is None:
        raise SystemExit(f"error: the tool {argv[0]!r} was not found (pass --tool)")
    argv[0] = exe
    if "/shims/" in exe:
        notes.append(f"the tool resolved to a version-manager shim ({exe}); its start-up is timed too")
    # The commands run with the tree as cwd: make existing relative paths absolute.
    argv[1:] = [str(Path(a).resolve()) if not a.startswith("-") and os.path.exists(a) else a for a in argv[1:]]
    rc, help_text = capture([*argv, "--help"])
    if rc != 0 or not help_text:
        raise SystemExit(f"error: `{spec} --help` failed (rc={rc}):\n{help_text}")
    rc, version = capture([*argv, "--version"])
    return Tool(argv, help_text, version.splitlines()[0] if rc == 0 and version else "version unknown")


def resolve_ast_grep(explicit: str | None) -> tuple[Tool | None, str]:
    # Never fall back to `sg`: on Debian that is the shadow-utils group command.
    exe = resolve_exe("ast-grep", explicit)
    if exe is None:
        return None, "ast-grep not found (pip install ast-grep-cli, or --ast-grep PATH)"
    rc, version = capture([exe, "--version"])
    if rc != 0 or "ast-grep" not in version:
        return None, f"{exe} is not ast-grep ({version!r})"
    return Tool([exe], "", version.splitlines()[0]), ""


def resolve_semgrep(explicit: str | None) -> tuple[Tool | None, str]:
    exe = resolve_exe("semgrep", explicit)
    if exe is None:
        return None, "semgrep not found (pip install semgrep, or --semgrep PATH)"
    rc, version = capture([exe, "--version", "--disable-version-check"], timeout=120)
    if rc != 0:
        return None, f"`{exe} --version` failed: {version[-300:]}"
    return Tool([exe], "", "semgrep " + version.splitlines()[-1]), ""


def offline_env(env: dict[str, str]) -> dict[str, str]:
    """The environment every command runs in: no network, and bytecode written and reused as an
    installed tool's is (with PYTHONDONTWRITEBYTECODE set, every run of a Python tool would
    compile its modules again: tens of milliseconds that no real install pays)."""
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    env["SEMGREP_SEND_METRICS"] = "off"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------


@dataclass
class Command:
    key: str
    label: str
    argv: list[str]
    ok_rcs: tuple[int, ...] = (0,)
    parse: Callable[[Path], list[tuple[str, str, int, int]]] | None = None
    fresh_cache: bool = False
    check_tree: bool = False
    cache_dir: Path | None = None  # kept from run to run: the warm rows
    samples: list[Sample] = field(default_factory=list)
    warm: Sample | None = None
    errors: list[str] = field(default_factory=list)

    def display(self) -> str:
        # programs by name, not by where they are installed on the measuring machine; a cache
        # directory under the work directory as <work>/...
        repo = str(Path(__file__).resolve().parent.parent) + os.sep
        work = str(self.cache_dir.parent.parent) + os.sep if self.cache_dir is not None else None
        shown = [os.path.basename(a) if i == 0 else a.replace(repo, "<repo>/") for i, a in enumerate(self.argv)]
        if work is not None:
            shown = [a.replace(work, "<work>/") for a in shown]
        return " ".join(shlex.quote(a) for a in shown)


def shell_cat() -> list[str]:
    return ["sh", "-c", "find . -name '*.go' -type f -print0 | xargs -0 cat > /dev/null"]


def lint_commands(tool: Tool, one_file: str, notes: list[str]) -> list[Command]:
    base = list(tool.argv)
    tree = [*base, ".", "--output-format", "json"]
    rcs: tuple[int, ...] = (0,)
    if tool.supports("--exit-zero"):
        tree.append("--exit-zero")
    else:
        rcs = (0, 1)
        notes.append("the tool has no --exit-zero; exit code 1 (findings) is accepted")
    if tool.supports("--no-cache"):
        tree.append("--no-cache")
    else:
        notes.append("the tool has no --no-cache; each lint run gets a fresh empty XDG_CACHE_HOME instead")
    cmds = [
        Command("lint", "imagetag-lint, whole tree, cold", tree, rcs, parse_lint_json, fresh_cache=True),
        Command("one", "imagetag-lint, one file (pre-commit), cold", [*base, one_file], (0,), fresh_cache=True),
    ]
    if tool.supports("--fix") and tool.supports("--diff"):
        cmds.append(Command("fix", "imagetag-lint --fix --diff, whole tree", [*base, "--fix", "--diff", "."],
                            (0, 1), fresh_cache=True, check_tree=True))
    else:
        notes.append("the tool's --help lists no --fix/--diff: the `--fix --diff` row is skipped")
    return cmds


def warm_commands(tool: Tool, one_file: str, cache_root: Path, notes: list[str]) -> list[Command]:
    """The whole-tree and one-file runs with a cache that the warm-up run fills and the timed runs reuse."""
    base = list(tool.argv)
    tree = [*base, ".", "--output-format", "json"]
    one = [*base, one_file]
    rcs: tuple[int, ...] = (0, 1)
    if tool.supports("--exit-zero"):
        tree.append("--exit-zero")
        rcs = (0,)
    if tool.supports("--cache-dir"):
        tree += ["--cache-dir", str(cache_root / "tree" / "imagetag-lint")]
        one += ["--cache-dir", str(cache_root / "one" / "imagetag-lint")]
    if not (tool.supports("--no-cache") or tool.supports("--cache-dir")):
        notes.append("the tool has no cache (neither --no-cache nor --cache-dir in --help): the warm rows run the "
                     "cold command again, with a cache directory kept from run to run")
    return [
        Command("lint-warm", "imagetag-lint, whole tree, warm", tree, rcs, parse_lint_json,
                cache_dir=cache_root / "tree"),
        Command("one-warm", "imagetag-lint, one file (pre-commit), warm", one, (0,), cache_dir=cache_root / "one"),
    ]


def baseline_commands(ast_grep: Tool | None, semgrep: Tool | None) -> list[Command]:
    cmds = [Command("cat", "cat every Go file", shell_cat())]
    if ast_grep:
        cmds.append(Command("ast-grep", "ast-grep scan (bench rules)",
                            [*ast_grep.argv, "scan", "-c", str(AST_GREP_CONFIG), "--json=stream",
                             "--no-ignore", "vcs", "--no-ignore", "parent", "."],
                            (0, 1), parse_ast_grep))
    if semgrep:
        cmds.append(Command("semgrep", "semgrep scan --metrics=off (bench rules)",
                            [*semgrep.argv, "scan", "--metrics=off", "--disable-version-check",
                             "--no-git-ignore", "--max-target-bytes", "0", "--config", str(SEMGREP_RULES),
                             "--json", "."], (0, 1), parse_semgrep))
    return cmds


# --------------------------------------------------------------------------
# Parsing findings (rule family, path, first line, last line)
# --------------------------------------------------------------------------


def rule_family(rule: str) -> str:
    last = rule.rsplit(".", 1)[-1]
    return last.split("-")[0].upper()


def parse_lint_json(path: Path) -> list[tuple[str, str, int, int]]:
    data: Any = json.loads(path.read_text() or "[]")
    if isinstance(data, dict):
        data = next((data[k] for k in ("findings", "results", "diagnostics") if k in data), [])
    out = []
    for item in data:
        rule = str(item.get("code") or item.get("rule") or item.get("rule_id") or item.get("check_id") or "")
        file = str(item.get("filename") or item.get("path") or item.get("file") or "")
        loc = item.get("location") or item.get("start") or {}
        end = item.get("end_location") or item.get("end") or {}
        start = int(loc.get("row") or loc.get("line") or item.get("line") or 0)
        stop = int(end.get("row") or end.get("line") or start)
        out.append((rule_family(rule), norm_path(file), start, stop))
    return out


def parse_ast_grep(path: Path) -> list[tuple[str, str, int, int]]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            d = json.loads(line)
            r = d["range"]
            out.append((rule_family(d["ruleId"]), norm_path(d["file"]), r["start"]["line"] + 1,
                        r["end"]["line"] + 1))
    return out


def parse_semgrep(path: Path) -> list[tuple[str, str, int, int]]:
    data = json.loads(path.read_text() or "{}")
    return [(rule_family(r["check_id"]), norm_path(r["path"]), r["start"]["line"], r["end"]["line"])
            for r in data.get("results", [])]


def norm_path(p: str) -> str:
    return p.removeprefix("./")


def covers(finding: tuple[str, str, int, int], planted: dict[str, Any]) -> bool:
    return bool(finding[1] == planted["path"] and finding[2] <= planted["line"] <= finding[3])


def verify(cmd: Command, stdout: Path, planted: list[dict[str, Any]]) -> str:
    """How many planted bugs of the rules the command knows it reported."""
    if cmd.parse is None:
        return ""
    try:
        found = cmd.parse(stdout)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"output not parsed ({type(exc).__name__}: {exc})"
    rules = sorted({f[0] for f in found} | ({"IMG001", "IMG002", "IMG003"} if cmd.key == "lint" else set()))
    parts = []
    for rule in rules:
        want = [p for p in planted if p["rule"] == rule]
        mine = [f for f in found if f[0] == rule]
        hit = sum(1 for p in want if any(covers(f, p) for f in mine))
        extra = sum(1 for f in mine if not any(covers(f, p) for p in want))
        parts.append(f"{rule} {hit}/{len(want)} planted found, {len(mine)} reported ({extra} not on a planted line)")
    return "; ".join(parts) if parts else "no findings"


# --------------------------------------------------------------------------
# Running rounds
# --------------------------------------------------------------------------


class Bench:
    def __init__(self, work: Path, meter: Meter, seed: int, notes: list[str]) -> None:
        self.work = work
        self.meter = meter
        self.seed = seed
        self.notes = notes
        self.outdir = work / "out"
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.profile = "default"

    def tag(self, scale: int) -> str:
        """The profile and scale in file names; the default profile keeps its old names."""
        return f"x{scale}" if self.profile == "default" else f"{self.profile}-x{scale}"

    def tree(self, scale: int) -> tuple[Path, dict[str, Any]]:
        path = self.work / f"tree-{self.tag(scale)}"
        t0 = time.perf_counter()
        manifest = generate.generate(path, scale, self.seed, self.profile)
        os.sync()  # no write-back of the fresh tree during the timed runs
        print(f"# generated {path} ({self.profile}, scale {scale}: {manifest['go_files']} Go files, "
              f"{int(manifest['go_bytes']) / 2**20:.1f} MiB) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return path, manifest

    def env_for(self, cmd: Command) -> dict[str, str]:
        env = offline_env(os.environ.copy())
        if cmd.cache_dir is not None:
            cmd.cache_dir.mkdir(parents=True, exist_ok=True)
            env["XDG_CACHE_HOME"] = str(cmd.cache_dir)
            env[CACHE_ENV] = str(cmd.cache_dir / "imagetag-lint")
        elif cmd.fresh_cache:
            cache = Path(tempfile.mkdtemp(prefix="xdg-cache-", dir=self.work))
            env["XDG_CACHE_HOME"] = str(cache)
            env[CACHE_ENV] = str(cache / "imagetag-lint")
        return env

    def measure(self, cmd: Command, tree: Path, scale: int, warm: bool) -> Sample:
        stdout = self.outdir / f"{cmd.key}-{self.tag(scale)}.out"
        before = snapshot(tree) if cmd.check_tree else None
        top_before = set(os.listdir(tree))
        env = self.env_for(cmd)
        sample = self.meter.run(cmd.argv, tree, env, stdout, sample_tree=warm)
        if cmd.cache_dir is None:  # a warm row keeps its cache
            self.cleanup(tree, top_before, env)
        if sample.rc not in cmd.ok_rcs:
            err = stdout.with_suffix(".stderr").read_text(errors="replace").strip()
            err = err or stdout.read_text(errors="replace").strip()
            cmd.errors.append(f"exit {sample.rc}: {err[-600:]}")
        if before is not None and snapshot(tree) != before:
            self.notes.append(f"`{cmd.display()}` modified the tree; it was regenerated")
            generate.generate(tree, scale, self.seed, self.profile)
            os.sync()
        return sample

    def cleanup(self, tree: Path, top_before: set[str], env: dict[str, str]) -> None:
        """Remove a cache the tool may have left in the tree, and the fresh XDG cache."""
        for name in set(os.listdir(tree)) - top_before:
            if "cache" in name.lower():
                shutil.rmtree(tree / name, ignore_errors=True)
        cache = env.get("XDG_CACHE_HOME", "")
        if cache.startswith(str(self.work)):
            shutil.rmtree(cache, ignore_errors=True)

    def rounds(self, cmds: list[Command], tree: Path, scale: int, runs: int) -> None:
        for cmd in cmds:
            print(f"#   warm-up {self.tag(scale)}: {cmd.display()}", file=sys.stderr)
            cmd.warm = self.measure(cmd, tree, scale, warm=True)
        for r in range(runs):
            order = cmds[r % len(cmds):] + cmds[:r % len(cmds)]
            for cmd in order:
                cmd.samples.append(self.measure(cmd, tree, scale, warm=False))
            print(f"#   round {r + 1}/{runs} {self.tag(scale)}: " + ", ".join(
                f"{c.key} {c.samples[-1].wall:.3f}s" for c in cmds), file=sys.stderr)


def snapshot(tree: Path) -> list[tuple[str, int, int]]:
    out = []
    for root, _, files in os.walk(tree):
        for name in files:
            if name.endswith(".go"):
                st = os.stat(os.path.join(root, name))
                out.append((os.path.join(root, name), st.st_size, st.st_mtime_ns))
    return sorted(out)


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def med(cmd: Command) -> float:
    return statistics.median(s.wall for s in cmd.samples)


def peak_mib(cmd: Command) -> float:
    return max(s.maxrss_kib for s in cmd.samples) / 1024


def tree_mib(cmd: Command) -> float:
    return (cmd.warm.tree_kib if cmd.warm else 0) / 1024


def tree_pss_mib(cmd: Command) -> float:
    return (cmd.warm.tree_pss_kib if cmd.warm else 0) / 1024


def memory_mib(cmd: Command) -> float:
    """What the memory targets judge: the larger of the peak RSS of the largest process and the
    summed PSS of the process tree."""
    return max(peak_mib(cmd), tree_pss_mib(cmd))


def fmt_ratio(x: float | None) -> str:
    return "–" if x is None else (f"{x:.2f}x" if x < 10 else f"{x:.1f}x")


def main_table(cmds: list[Command], by: dict[str, Command]) -> list[str]:
    cat = by.get("cat")
    sg = by.get("ast-grep")
    rows = ["| command | median s | min–max s | peak RSS MiB | tree RSS MiB | tree PSS MiB | × cat | × ast-grep |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in cmds:
        if not c.samples:
            continue
        m = med(c)
        lo, hi = min(s.wall for s in c.samples), max(s.wall for s in c.samples)
        label = c.label + (" (FAILED, see notes)" if c.errors else "")
        rows.append(f"| {label} | {m:.3f} | {lo:.3f}–{hi:.3f} | {peak_mib(c):.1f} | {tree_mib(c):.1f} | {tree_pss_mib(c):.1f} | "
                    f"{fmt_ratio(m / med(cat) if cat else None)} | {fmt_ratio(m / med(sg) if sg else None)} |")
    return rows


@dataclass
class ScalePoint:
    scale: int
    lint: Command
    cat: Command
    manifest: dict[str, Any]
    warm: Command | None = None
    ast_grep: Command | None = None

    def peak(self) -> float:
        """The largest of the whole-tree runs' peak RSS and tree PSS at this size, MiB."""
        runs = [c for c in (self.lint, self.warm) if c is not None and c.samples]
        return max(memory_mib(c) for c in runs)

    def cold_speedup(self) -> float | None:
        """ast-grep / cold lint at this size."""
        if self.ast_grep is None or not self.ast_grep.samples:
            return None
        return med(self.ast_grep) / med(self.lint)


def scaling_table(points: list[ScalePoint]) -> list[str]:
    rows = [("| tree | Go files | Go MiB | cold median s | min–max s | vs 1x | warm median s | vs 1x | "
             "lint peak MiB | cat median s | cold × cat | warm × cat | ast-grep median s | ast-grep / cold |"),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = med(points[0].lint)
    warm_base = med(points[0].warm) if points[0].warm and points[0].warm.samples else 0.0
    for point in points:
        lint, cat, info, warm = point.lint, point.cat, point.manifest, point.warm
        lo, hi = min(s.wall for s in lint.samples), max(s.wall for s in lint.samples)
        warm_cells = "– | – |"
        warm_cat = "–"
        if warm is not None and warm.samples and warm_base:
            warm_cells = f"{med(warm):.3f} | {med(warm) / warm_base:.2f} |"
            warm_cat = fmt_ratio(med(warm) / med(cat))
        sg = point.ast_grep
        sg_cells = f"{med(sg):.3f} | {fmt_ratio(point.cold_speedup())}" if sg is not None and sg.samples else "– | –"
        rows.append(f"| {point.scale}x | {info['go_files']} | {int(info['go_bytes']) / 2**20:.1f} | {med(lint):.3f} | "
                    f"{lo:.3f}–{hi:.3f} | {med(lint) / base:.2f} | {warm_cells} {point.peak():.1f} | {med(cat):.3f} | "
                    f"{fmt_ratio(med(lint) / med(cat))} | {warm_cat} | {sg_cells} |")
    return rows


def targets(by: dict[str, Command], points: list[ScalePoint]) -> list[str]:
    """The speed targets (2 cores, medians, ratios from the same run)."""
    lint, warm, cat, sg = by.get("lint"), by.get("lint-warm"), by.get("cat"), by.get("ast-grep")
    one, one_warm = by.get("one"), by.get("one-warm")
    rows = ["| target | measured | verdict |", "|---|---|---|"]

    def row(name: str, measured: str, ok: bool | None, *used: Command | None) -> None:
        failed = any(c is not None and c.errors for c in used)
        verdict = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        rows.append(f"| {name} | {measured} | {'ERROR (a command failed)' if failed else verdict} |")

    def vs_ast_grep(name: str, cmd: Command | None, target: float) -> None:
        if cmd is None or sg is None:
            row(name, "ast-grep not run", None)
            return
        speedup = med(sg) / med(cmd)
        row(name, f"ast-grep / lint = {fmt_ratio(speedup)}", speedup >= target, cmd, sg)

    vs_ast_grep(f"whole tree, cold: ≥ {TARGET_COLD_SPEEDUP_VS_AST_GREP:.0f}x faster than ast-grep", lint,
                TARGET_COLD_SPEEDUP_VS_AST_GREP)
    vs_ast_grep(f"whole tree, warm: ≥ {TARGET_SPEEDUP_VS_AST_GREP:.0f}x faster than ast-grep", warm,
                TARGET_SPEEDUP_VS_AST_GREP)
    if warm and cat:
        ratio = med(warm) / med(cat)
        row(f"whole tree, warm: ≤ {TARGET_MAX_RATIO_VS_CAT:.0f}x cat", f"lint / cat = {fmt_ratio(ratio)}",
            ratio <= TARGET_MAX_RATIO_VS_CAT, warm)
    for name, cmd, limit in (("warm", one_warm, TARGET_ONE_FILE_SECONDS),
                             ("cold", one, TARGET_ONE_FILE_COLD_SECONDS)):
        if cmd:
            row(f"one file, {name}: ≤ {limit * 1000:.0f} ms", f"median {med(cmd) * 1000:.0f} ms",
                med(cmd) <= limit, cmd)
    runs = [c for c in (lint, warm) if c is not None]
    if runs:
        peak = max(memory_mib(c) for c in runs)
        row(f"whole tree, peak memory < {TARGET_PEAK_MIB:.0f} MiB", f"{peak:.1f} MiB (largest of peak RSS and tree PSS)",
            peak < TARGET_PEAK_MIB, *runs)
    # the targets hold at every size of the tree, not only at 1x
    sized = [p for p in points if p.scale != 1]
    if sized:
        sizes = "/".join(f"{p.scale}x" for p in points)
        speedups = [(p, p.cold_speedup()) for p in points]
        if all(speedup is not None for _, speedup in speedups):
            worst_point, worst = min(speedups, key=lambda ps: ps[1] or 0.0)
            row(f"whole tree, cold: ≥ {TARGET_COLD_SPEEDUP_VS_AST_GREP:.0f}x faster than ast-grep at every size ({sizes})",
                f"worst ast-grep / lint = {fmt_ratio(worst)} ({worst_point.scale}x)",
                (worst or 0.0) >= TARGET_COLD_SPEEDUP_VS_AST_GREP, *(p.lint for p in points), *(p.ast_grep for p in points))
        else:
            row(f"whole tree, cold: ≥ {TARGET_COLD_SPEEDUP_VS_AST_GREP:.0f}x faster than ast-grep at every size", "ast-grep not run", None)
        heaviest = max(points, key=ScalePoint.peak)
        row(f"whole tree, peak memory < {TARGET_PEAK_MIB:.0f} MiB at every size ({sizes})",
            f"largest {heaviest.peak():.1f} MiB ({heaviest.scale}x)", heaviest.peak() < TARGET_PEAK_MIB,
            *(p.lint for p in points))
    # "Warm-run cost grows with the files that changed, not the tree": with nothing changed, the
    # warm run must stay within the cat bound at every size.
    grown = [p for p in points if p.warm is not None and p.warm.samples]
    if len(grown) > 1:
        worst = max(med(p.warm) / med(p.cat) for p in grown if p.warm)
        sizes = "/".join(f"{p.scale}x" for p in grown)
        row(f"warm run ≤ {TARGET_MAX_RATIO_VS_CAT:.0f}x cat at every size ({sizes}, nothing changed)",
            f"worst lint / cat = {fmt_ratio(worst)}", worst <= TARGET_MAX_RATIO_VS_CAT,
            *(p.warm for p in grown))
    return rows


def parallelism() -> str:
    """How many busy processes the machine really runs at once (cgroup quotas, SMT)."""
    n = os.cpu_count() or 1
    loop = [sys.executable, "-c", "for _ in range(6_000_000): pass"]
    t0 = time.perf_counter()
    subprocess.run(loop, check=True)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    procs = [subprocess.Popen(loop) for _ in range(n)]
    for p in procs:
        p.wait()
    many = time.perf_counter() - t0
    return f"{n * one / many:.2f}"


def environment(tools: dict[str, Tool | None], manifests: list[tuple[str, dict[str, Any]]], runs: int,
                meter: Meter) -> list[str]:
    lines = [(f"- machine: {os.cpu_count()} CPUs (measured parallel throughput: {parallelism()} CPUs), "
              f"{platform.system()} {platform.release()}, Python {platform.python_version()}")]
    for profile, manifest in manifests:
        lines += tree_lines(profile, manifest)
    lines.append(
        f"- runs: {runs} timed runs per command after one warm-up, interleaved round by round; peak RSS via "
        + meter.describe() + "; tree RSS and tree PSS: summed RSS and summed PSS (/proc/PID/smaps_rollup) of the whole process tree, sampled every 10 ms in the warm-up run; the memory targets judge the larger of peak RSS and tree PSS")
    lines.append("- environment: PYTHONDONTWRITEBYTECODE removed, so Python tools reuse the bytecode the warm-up wrote"
                 + (" (it was set here)" if "PYTHONDONTWRITEBYTECODE" in os.environ else ""))
    for name, tool in tools.items():
        lines.append(f"- {name}: " + (f"{tool.version}" if tool else "not available"))
    return lines


def tree_lines(profile: str, manifest: dict[str, Any]) -> list[str]:
    counts: dict[str, int] = {}
    for p in manifest["planted"]:
        counts[p["rule"]] = counts.get(p["rule"], 0) + 1
    lines = [
        f"- {profile} tree (scale 1, seed {manifest['seed']}): {manifest['go_files']} Go files, "
        f"{int(manifest['go_bytes']):,} bytes ({int(manifest['go_bytes']) / 2**20:.1f} MiB), "
        f"{manifest['e2e_files']} E2E files, {manifest['generated_files']} generated files; planted bugs: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
    ]
    if "infra_files" in manifest:
        lines.append(
            f"- {profile} E2E infrastructure package: {manifest['infra_files']} files, "
            f"{int(manifest['infra_bytes']):,} bytes (largest file {int(manifest['infra_largest_bytes']):,}); "
            f"`Image:` keys in {manifest['image_key_files']} files; a builder or loader called in "
            f"{manifest['builder_files']} files")
    lines.append(f"- {profile} one-file target: `{manifest['one_file']}`")
    return lines


def render(sections: list[tuple[str, list[str]]]) -> str:
    out = []
    for title, body in sections:
        if body:
            out += [f"### {title}", "", *body, ""]
    return "\n".join(out)


def update_readme(path: Path, text: str) -> None:
    old = path.read_text() if path.exists() else ""
    block = f"{README_BEGIN}\n{text}\n{README_END}"
    if README_BEGIN in old and README_END in old:
        head, rest = old.split(README_BEGIN, 1)
        new = head + block + rest.split(README_END, 1)[1]
    else:
        new = old + ("\n" if old and not old.endswith("\n") else "") + block + "\n"
    path.write_text(new)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Benchmark imagetag-lint against cat, ast-grep and semgrep.")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    ap.add_argument("--profile", default="default,dense",
                    help="comma-separated generator profiles to measure (default: default,dense)")
    ap.add_argument("--scales", default="1,2,4", help="tree sizes for the scaling table (default 1,2,4)")
    ap.add_argument("--tool", default="imagetag-lint",
                    help="the linter command, split like a shell word list (default: imagetag-lint)")
    ap.add_argument("--work", type=Path, help="work directory, kept (default: a temporary one, removed)")
    ap.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    ap.add_argument("--ast-grep", dest="ast_grep", help="path of the ast-grep binary")
    ap.add_argument("--semgrep", help="path of the semgrep binary")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: ast-grep,semgrep,python")
    ap.add_argument("--markdown-out", type=Path, help="also write the tables to this Markdown file")
    ap.add_argument("--readme", type=Path,
                    help=f"replace the block between {README_BEGIN} and {README_END} in this file")
    args = ap.parse_args(argv)
    try:
        args.scale_list = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    except ValueError:
        ap.error("--scales takes comma-separated integers")
    args.profile_list = list(dict.fromkeys(p.strip() for p in args.profile.split(",") if p.strip()))
    unknown = [p for p in args.profile_list if p not in generate.PROFILES]
    if unknown or not args.profile_list:
        ap.error(f"--profile takes a comma-separated list of: {', '.join(generate.PROFILES)}")
    if args.runs < 1 or any(s < 1 for s in args.scale_list):
        ap.error("--runs and --scales must be >= 1")
    return args


def run(args: argparse.Namespace, work: Path) -> str:
    notes: list[str] = []
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    lint = resolve_lint(args.tool, notes)
    ast_grep, semgrep = None, None
    for name in ("ast-grep", "semgrep"):
        if name in skip:
            notes.append(f"{name} baseline skipped (--skip)")
            continue
        tool, why = resolve_ast_grep(args.ast_grep) if name == "ast-grep" else resolve_semgrep(args.semgrep)
        if why:
            notes.append(f"{name} baseline skipped: {why}")
        if name == "ast-grep":
            ast_grep = tool
        else:
            semgrep = tool
    if in_git_work_tree(work):
        notes.append(f"{work} is inside a git work tree: tools that honour .gitignore may skip files")
    meter = Meter(work)
    bench = Bench(work, meter, args.seed, notes)
    manifests: list[tuple[str, dict[str, Any]]] = []
    body: list[tuple[str, list[str]]] = []
    for profile in args.profile_list:
        bench.profile = profile
        manifest, sections = run_profile(args, bench, lint, ast_grep, semgrep)
        manifests.append((profile, manifest))
        body += sections
    if "python" not in skip:
        body.append(("Python tree", python_rows(bench, lint, args.runs, notes)))
    tools = {"imagetag-lint": lint, "ast-grep": ast_grep, "semgrep": semgrep}
    return render([
        ("Setup", environment(tools, manifests, args.runs, meter)),
        *body,
        ("Notes", [f"- {n}" for n in dict.fromkeys(notes)]),
    ])


def run_profile(args: argparse.Namespace, bench: Bench, lint: Tool, ast_grep: Tool | None,
                semgrep: Tool | None) -> tuple[dict[str, Any], list[tuple[str, list[str]]]]:
    """Every command on the profile's 1x tree, then the growth of the whole-tree lint."""
    notes, profile = bench.notes, bench.profile
    tree1, manifest = bench.tree(1)
    cmds = lint_commands(lint, manifest["one_file"], notes)
    cmds += warm_commands(lint, manifest["one_file"], bench.work / f"cache-{bench.tag(1)}", notes)
    cmds += baseline_commands(ast_grep, semgrep)
    bench.rounds(cmds, tree1, 1, args.runs)
    by = {c.key: c for c in cmds}

    checks = []
    for c in cmds:
        result = verify(c, bench.outdir / f"{c.key}-{bench.tag(1)}.out", manifest["planted"])
        if result:
            checks.append(f"- {c.label}: {result}")
        for e in dict.fromkeys(c.errors):
            notes.append(f"{profile}: `{c.display()}` failed: {e}")

    points = [ScalePoint(1, by["lint"], by["cat"], manifest, by.get("lint-warm"), by.get("ast-grep"))]
    for scale in args.scale_list:
        if scale == 1:
            continue
        tree, info = bench.tree(scale)
        warm = warm_commands(lint, info["one_file"], bench.work / f"cache-{bench.tag(scale)}", notes)[0]
        group = [Command("lint", "lint", by["lint"].argv, by["lint"].ok_rcs, fresh_cache=True), warm,
                 Command("cat", "cat", shell_cat())]
        sg = by.get("ast-grep")
        if sg is not None:  # the cold target is a ratio to ast-grep at every size
            group.append(Command("ast-grep", sg.label, sg.argv, sg.ok_rcs, sg.parse))
        bench.rounds(group, tree, scale, args.runs)
        points.append(ScalePoint(scale, group[0], group[2], info, warm, group[3] if sg is not None else None))
        shutil.rmtree(tree, ignore_errors=True)
        for c in group:
            for e in dict.fromkeys(c.errors):
                notes.append(f"{profile} x{scale}: `{c.display()}` failed: {e}")

    commands = [f"- {c.label}: `{c.display()}` (cwd: the tree)" for c in cmds]
    return manifest, [
        (f"Commands ({profile} profile)", commands),
        (f"Results ({profile} profile, scale 1)", main_table(cmds, by)),
        (f"Growth ({profile} profile, whole-tree lint)", scaling_table(points)),
        (f"Speed targets ({profile} profile)", targets(by, points)),
        (f"Planted bugs found ({profile} profile, warm-up run output)", checks),
    ]


def shell_cat_python() -> list[str]:
    return ["sh", "-c", "find . -name '*.py' -type f -print0 | xargs -0 cat > /dev/null"]


def python_rows(bench: Bench, lint: Tool, runs: int, notes: list[str]) -> list[str]:
    """The Python tree (about 2,000 files, 1% harness code): whole-tree lint against `cat` of the
    same files, and the cost per candidate file (the lint of the tree without its harness files
    subtracted, divided among the harness files the prefilter lets through)."""
    tree = bench.work / "pytree"
    manifest = generate_python.generate(tree, seed=bench.seed % 1000)
    bare = bench.work / "pytree-no-e2e"
    generate_python.generate(bare, seed=bench.seed % 1000)
    shutil.rmtree(bare / "e2e")
    argv = [*lint.argv, ".", "--output-format", "json", "--exit-zero"]
    full = Command("py-lint", "imagetag-lint, Python tree, cold", [*argv, "--no-cache"], (0,), parse_lint_json,
                   fresh_cache=True)
    cache_root = bench.work / "py-cache"
    warm = Command("py-warm", "imagetag-lint, Python tree, warm", [*argv, "--cache-dir", str(cache_root / "tree")],
                   (0,), parse_lint_json, cache_dir=cache_root / "tree")
    one_file = python_one_file(tree)
    one = Command("py-one", "imagetag-lint, one test module (pre-commit), cold", [*lint.argv, one_file], (0, 1),
                  fresh_cache=True)
    one_warm = Command("py-one-warm", "imagetag-lint, one test module (pre-commit), warm",
                       [*lint.argv, "--cache-dir", str(cache_root / "one"), one_file], (0, 1),
                       cache_dir=cache_root / "one")
    cat = Command("py-cat", "cat every Python file", shell_cat_python())
    # the floor of a run that parses any Python file: the interpreter and libcst's import
    floor = Command("py-libcst", "python start-up + import libcst", [sys.executable, "-c", "import libcst.metadata"])
    start = Command("py-start", "python start-up", [sys.executable, "-c", "pass"])
    bench.rounds([full, warm, one, one_warm, cat, floor, start], tree, 1, runs)
    without = Command("py-bare", "imagetag-lint, Python tree without its harness files, cold", [*argv, "--no-cache"],
                      (0,), fresh_cache=True)
    bench.rounds([without], bare, 1, runs)
    shutil.rmtree(bare, ignore_errors=True)
    for c in (full, warm, one, one_warm, cat, without, floor, start):
        for e in dict.fromkeys(c.errors):
            notes.append(f"Python tree `{c.display()}` failed: {e}")
    candidates = manifest["e2e_files"]
    per_file = (med(full) - med(without)) / candidates if candidates else 0.0
    found = verify(full, bench.outdir / f"py-lint-{bench.tag(1)}.out", manifest["planted"])
    ratio, warm_ratio = med(full) / med(cat), med(warm) / med(cat)
    bottom = med(without) + med(floor) - med(start)
    return [
        f"- tree: {manifest['python_files']} Python files, {int(manifest['python_bytes']) / 2**20:.1f} MiB, "
        f"{candidates} of harness code (conftest.py, helpers, tests); the rest is application code, "
        "3% of it with look-alike tokens",
        "",
        "| command | median s | min–max s | peak RSS MiB | × cat |",
        "|---|---:|---:|---:|---:|",
        *[f"| {c.label} | {med(c):.3f} | {min(s.wall for s in c.samples):.3f}–{max(s.wall for s in c.samples):.3f} | "
          f"{peak_mib(c):.1f} | {fmt_ratio(med(c) / med(cat))} |"
          for c in (full, warm, one, one_warm, without, floor, start, cat)],
        "",
        f"- whole-tree lint, cold, ≤ {TARGET_MAX_RATIO_VS_CAT:.0f}x cat: lint / cat = {fmt_ratio(ratio)} "
        f"({'PASS' if ratio <= TARGET_MAX_RATIO_VS_CAT else 'FAIL'})",
        f"- whole-tree lint, warm, ≤ {TARGET_MAX_RATIO_VS_CAT:.0f}x cat: lint / cat = {fmt_ratio(warm_ratio)} "
        f"({'PASS' if warm_ratio <= TARGET_MAX_RATIO_VS_CAT else 'FAIL'})",
        f"- cost per candidate file (parsed by libcst): {per_file * 1000:.0f} ms with libcst's import shared out, "
        f"{(med(full) - bottom) / candidates * 1000 if candidates else 0.0:.1f} ms without it",
        f"- floor of a run that parses: the tree without its harness files plus libcst's import "
        f"({bottom:.3f} s), {bottom / med(cat):.1f}x cat; the whole-tree lint is {med(full) / bottom:.2f}x that floor",
        f"- planted bugs: {found}",
    ]


def python_one_file(tree: Path) -> str:
    """The largest harness test module: what pre-commit passes after an edit of a test."""
    tests = sorted(tree.glob("e2e/*/test_*.py"), key=lambda p: (-p.stat().st_size, str(p)))
    return str(tests[0].relative_to(tree)) if tests else "."


def in_git_work_tree(path: Path) -> bool:
    try:
        out = subprocess.run(["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.stdout.strip() == "true"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.work.resolve() if args.work else Path(tempfile.mkdtemp(prefix="imagetag-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        text = run(args, work)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    if args.markdown_out:
        args.markdown_out.write_text(text + "\n")
    if args.readme:
        update_readme(args.readme, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
