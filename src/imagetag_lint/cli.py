"""The command line: arguments, configuration, exit codes and the one error handler."""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

from imagetag_lint import __version__
from imagetag_lint.config import Config, find_config, load_config
from imagetag_lint.directives import PREFIX, SUPPRESSION_CODES
from imagetag_lint.errors import ImagetagLintError, InputError
from imagetag_lint.files import MAX_FILE_BYTES, Discovered, discover, start_scan
from imagetag_lint.findings import Finding
from imagetag_lint.options import LintOptions
from imagetag_lint.record import record, replace
from imagetag_lint.report.formats import FORMATS, render, write_text
from imagetag_lint.rules import ANALYSIS_CODES, Rule, RuleSet, load_rule_set

if TYPE_CHECKING:  # the parser and the analyses are imported once the files are being read
    from imagetag_lint.golang.model import SourceFile
    from imagetag_lint.lint import LintResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ImagetagLintError(message)


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's help formatter, sized without `shutil`: argparse makes one for every argument
    it adds, and the first import of shutil costs milliseconds on every start."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return argparse.HelpFormatter(prog, width=max(columns - 2, 11))  # as HelpFormatter sizes itself


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="imagetag-lint",
        formatter_class=_formatter,
        description="Find and fix dropped image names in Go Kind E2E suites.",
        epilog="Exit codes: 0 nothing found, 1 findings remain, 2 usage, config or input errors.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - reads stdin")
    parser.add_argument("--output-format", choices=FORMATS, default="text")
    parser.add_argument(
        "--output-file", metavar="FILE", help="write the --output-format report to FILE and print the text report"
    )
    parser.add_argument("--baseline", metavar="FILE", help="report only findings that FILE does not record")
    parser.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    parser.add_argument("--new-from-rev", metavar="REV", help="report only findings on lines changed since REV (git)")
    parser.add_argument("--fix", action="store_true", help="apply safe fixes (with --unsafe-fixes, unsafe ones too)")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes marked unsafe")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change nothing")
    parser.add_argument("--show-fixes", action="store_true", help="list the findings that --fix fixed")
    parser.add_argument(
        "--exit-non-zero-on-fix", action="store_true", help="with --fix: exit 1 when a file was changed"
    )
    parser.add_argument("--select", metavar="CODES", help="comma-separated rule codes or prefixes to enable")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated rule codes or prefixes to disable")
    parser.add_argument("--config", metavar="FILE", help="use this config file instead of searching for one")
    parser.add_argument("--isolated", action="store_true", help="ignore every config file")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    parser.add_argument("--explain", metavar="CODE", help="explain a rule and exit")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--stdin-filename", metavar="NAME", help="the name of the file read from stdin")
    parser.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    parser.add_argument("--verbose", "-v", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--version", action="version", version=f"imagetag-lint {__version__}")
    return parser


def main(argv: Sequence[str] | None = None, stdin: IO[bytes] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    verbose = "--verbose" in arguments or "-v" in arguments
    if argv is None:  # a process of our own (not a test's): collect cycles rarely, as mypy does
        gc.set_threshold(200_000, 30, 30)
    for name in ("stdout", "stderr"):  # started with the descriptor closed: Python gives None
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process' life
    try:
        return run(build_parser().parse_args(argv), stdin)
    except ImagetagLintError as error:
        print(f"imagetag-lint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    except KeyboardInterrupt:
        print("imagetag-lint: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the one place that turns surprises into exit 2
        if verbose:
            import traceback

            traceback.print_exc()
        print(
            f"imagetag-lint: error: internal error: {type(error).__name__}: {error} "
            "(rerun with --verbose for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def entry() -> NoReturn:
    """The console script: `main()`, then leave at once. A lint's objects (trees, nodes, indexes)
    die with the process; freeing them one by one costs several milliseconds for nothing."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when the process was started with that descriptor closed
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`imagetag-lint | head`): nothing more can be said
            code = code or EXIT_ERROR
    os._exit(code)


def resolve_config(args: argparse.Namespace, cwd: Path) -> Config:
    if args.isolated:
        return Config()
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ImagetagLintError(f"{args.config}: config file not found")
        return load_config(path)
    return load_config(find_config(cwd))


def selected_codes(config: Config, args: argparse.Namespace, rule_set: RuleSet) -> frozenset[str]:
    where = f"{config.path}: " if config.path is not None else ""
    if args.select:
        codes = set(_expand(_split(args.select), rule_set, "--select"))
    elif config.select is not None:
        codes = set(_expand(config.select, rule_set, f"{where}'select'"))
    else:
        codes = set(rule_set.rules)
    codes -= set(_expand(config.ignore, rule_set, f"{where}'ignore'"))
    codes -= set(_expand(_split(args.ignore or ""), rule_set, "--ignore"))
    for pattern, selectors in config.per_file_ignores:
        _expand(selectors, rule_set, f"{where}'per-file-ignores.{pattern}'")
    return frozenset(codes)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _expand(selectors: Sequence[str], rule_set: RuleSet, where: str) -> list[str]:
    codes = []
    for selector in selectors:
        matching = [c for c in rule_set.rules if selector == "ALL" or c.startswith(selector.upper())]
        if not matching:
            raise ImagetagLintError(f"{where}: unknown rule selector '{selector}'")
        codes.extend(matching)
    return codes


def run(args: argparse.Namespace, stdin: IO[bytes] | None = None) -> int:
    cwd = Path.cwd()
    config = resolve_config(args, cwd)
    rule_set = load_rule_set(config.rule_dirs)
    rule_set = RuleSet(_with_severity(rule_set, config), rule_set.flow.merged(config.flow))
    if args.list_rules:
        from imagetag_lint.report.docs import list_rules

        sys.stdout.write(list_rules(rule_set))
        return EXIT_CLEAN
    if args.explain:
        from imagetag_lint.report.docs import explain

        code = args.explain.upper()
        if code not in rule_set.rules:
            raise ImagetagLintError(f"unknown rule code '{args.explain}'")
        sys.stdout.write(explain(rule_set.rules[code]))
        return EXIT_CLEAN
    if args.write_baseline and (args.baseline or args.new_from_rev):
        raise ImagetagLintError("--write-baseline records every finding; drop --baseline and --new-from-rev")
    selected = selected_codes(config, args, rule_set)
    options = LintOptions(
        rule_set=rule_set,
        select=selected & frozenset(ANALYSIS_CODES),
        max_file_bytes=config.max_file_size or MAX_FILE_BYTES,
    )
    paths = args.paths or (["-"] if args.stdin_filename else ["."])
    if "-" in paths and paths != ["-"]:
        raise ImagetagLintError("'-' (stdin) cannot be combined with other paths")
    if args.stdin_filename and paths != ["-"]:
        raise ImagetagLintError("--stdin-filename names the file read from stdin: pass - as the path")
    stdin_source = (stdin or sys.stdin.buffer).read() if paths == ["-"] else None
    discovered: list[Discovered] = []
    input_errors: list[InputError] = []
    if stdin_source is None:
        discovered, input_errors = discover(paths, cwd, config.exclude)
    baseline = Path(args.baseline) if args.baseline else config.baseline
    directives = bool(selected & SUPPRESSION_CODES)

    def lint_round(overlay: dict[str, bytes]) -> Round:
        linted = _lint(args, options, cwd, stdin_source, discovered, input_errors, directives, overlay)
        quiet_run = not linted.result.findings and not any(PREFIX in f.source for f in linted.files.values())
        if quiet_run and not (baseline or args.new_from_rev or args.write_baseline):
            return Round(linted, [], ())  # nothing to suppress, fingerprint or narrow
        from imagetag_lint.gate import ignored_by_file, narrow, suppressed

        findings = suppressed(linted.result.findings, linted.files, rule_set, selected)
        findings = [f for f in findings if not ignored_by_file(f, config, cwd)]
        if args.write_baseline:
            return Round(linted, findings, ())
        findings, notes = narrow(findings, baseline, args.new_from_rev, cwd, (linted.linted, selected))
        return Round(linted, findings, notes)

    if args.fix or args.diff:
        if args.write_baseline:
            raise ImagetagLintError("--write-baseline does not combine with --fix or --diff")
        return _fix(args, rule_set, lint_round)
    round_ = lint_round({})
    if args.write_baseline:
        return _write_baseline(Path(args.write_baseline), round_.findings, round_.linted.result, cwd)
    return report(args, rule_set, round_.linted.result, round_.findings, round_.notes, round_.linted.files)


@record(frozen=True)
class Round:
    """One lint of the inputs (through an overlay of fixed texts): what to report or fix."""

    linted: Linted
    findings: list[Finding]
    notes: Sequence[str]


def _fix(args: argparse.Namespace, rule_set: RuleSet, lint_round: Callable[[dict[str, bytes]], Round]) -> int:
    from imagetag_lint.fix.apply import FixRound, fix_all, unified_diff, write_files

    def relint(overlay: dict[str, bytes]) -> FixRound:
        round_ = lint_round(overlay)
        linted = round_.linted
        return FixRound(round_.findings, linted.files, linted.paths, linted.result, round_.notes)

    outcome = fix_all(relint, unsafe=args.unsafe_fixes)
    result = outcome.result
    if args.diff:
        _print_problems(result)
        diff = unified_diff(outcome)
        sys.stdout.write(diff)
        count = len(outcome.applied)
        if count and not args.quiet:
            noun = "fix" if count == 1 else "fixes"
            print(f"Would apply {count} {noun} in {len(outcome.changed)} file(s).", file=sys.stderr)
        if result.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if diff else EXIT_CLEAN
    if args.paths == ["-"] or (not args.paths and args.stdin_filename):
        path = next(iter(outcome.original), None)
        sys.stdout.buffer.write(outcome.fixed.get(path, b"") if path else b"")
        return EXIT_CLEAN
    result.errors.extend(write_files(outcome))
    notes = list(outcome.notes)
    if outcome.applied:
        noun = "finding" if len(outcome.applied) == 1 else "findings"
        notes.insert(0, f"fixed {len(outcome.applied)} {noun} in {len(outcome.changed)} file(s)")
    if args.show_fixes:
        for finding in outcome.applied:
            print(f"Fixed {finding.filename}:{finding.span.start.row}:{finding.span.start.column}: {finding.code} {finding.message}")
    for rejected in outcome.rejected:
        print(f"imagetag-lint: warning: {rejected}", file=sys.stderr)
    code = report(args, rule_set, result, outcome.findings, notes, outcome.files)
    if code == EXIT_CLEAN and args.exit_non_zero_on_fix and outcome.changed:
        return EXIT_FINDINGS
    return code


def _with_severity(rule_set: RuleSet, config: Config) -> dict[str, Rule]:
    rules = dict(rule_set.rules)
    for code, level in config.severity.items():
        if code not in rules:
            raise ImagetagLintError(f"{config.path}: 'severity.{code}' names an unknown rule")
        rules[code] = replace(rules[code], severity=level, configured_severity=True)
    return rules


@record(frozen=True)
class Linted:
    """One lint of the inputs, with what reporting and fixing need of it."""

    result: LintResult
    files: dict[str, SourceFile]  # reported files with their trees, and files parsed for directives only
    linted: frozenset[str]  # every file linted, parsed or not, by display name
    paths: dict[str, str]  # display name -> absolute path, for writing fixes


def _lint(
    args: argparse.Namespace,
    options: LintOptions,
    cwd: Path,
    stdin_source: bytes | None,
    discovered: list[Discovered],
    input_errors: list[InputError],
    directives: bool,
    overlay: dict[str, bytes],
) -> Linted:
    if stdin_source is not None:
        from imagetag_lint.lint import lint_source

        name = args.stdin_filename or "-"  # siblings of a named file resolve names from disk
        path = str((cwd / name).absolute())
        source = overlay.get(path, stdin_source)
        result, linter = lint_source(source, name, options, cwd)
        paths = {name: path}
    else:
        # the files are read in forked processes while the parser and the analyses are imported
        pending = start_scan(discovered, options.rule_set.flow, options.max_file_bytes, overlay)
        try:
            from imagetag_lint.lint import lint_paths

            result, linter = lint_paths(discovered, options, cwd, overlay, pending)
        finally:
            pending.close()  # stops the readers if anything went wrong before they were heard
        result.errors[:0] = input_errors
        paths = {d.display: d.path for d in discovered}
    if result.findings:  # the fix planner is imported only when there is something to fix
        from imagetag_lint.fix.apply import attach_fixes

        attach_fixes(result, linter)
    files = dict(result.sources)
    if directives:  # files the prefilter skipped may still hold (now unused) suppressions
        files.update(_directive_files(result))
    return Linted(result, files, frozenset(paths), paths)


def _directive_files(result: LintResult) -> dict[str, SourceFile]:
    """Files the prefilter kept from the parser that hold suppression comments (perhaps unused)."""
    found = {}
    for display, (path, source) in result.directive_sources.items():
        if display not in result.sources:
            from imagetag_lint.suppress import directive_file

            found[display] = directive_file(source, display, os.path.dirname(path))
    return found


def _write_baseline(path: Path, findings: list[Finding], result: LintResult, cwd: Path) -> int:
    from imagetag_lint.baseline import render_baseline

    _print_problems(result)
    _write(path, render_baseline(findings, cwd, path.parent.absolute()), "the baseline")
    noun = "finding" if len(findings) == 1 else "findings"
    print(f"Wrote {len(findings)} {noun} to {path}.")
    return EXIT_ERROR if result.errors else EXIT_CLEAN


def _write(path: Path, text: str, what: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ImagetagLintError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None


def report(
    args: argparse.Namespace,
    rule_set: RuleSet,
    result: LintResult,
    findings: list[Finding],
    notes: Sequence[str] = (),
    sources: dict[str, SourceFile] | None = None,
) -> int:
    _print_problems(result)
    sources = result.sources if sources is None else sources
    rendered = render(args.output_format, findings, rule_set, result.errors, Path.cwd())
    if args.output_file:  # the chosen format to the file, the text report to the terminal
        if rendered is None:
            buffer = io.StringIO()
            _text(buffer, args, result, rule_set, sources, findings, notes, color="never")
            rendered = buffer.getvalue()
        _write(Path(args.output_file), rendered, "the report")
        rendered = None
    if rendered is None:
        _text(sys.stdout, args, result, rule_set, sources, findings, notes, color=args.color)
    else:
        sys.stdout.write(rendered)
    if result.errors:
        return EXIT_ERROR
    if findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _text(
    out: IO[str],
    args: argparse.Namespace,
    result: LintResult,
    rule_set: RuleSet,
    sources: dict[str, SourceFile],
    findings: list[Finding],
    notes: Sequence[str],
    color: str,
) -> None:
    write_text(
        out,
        findings,
        rule_set,
        sources,
        color=color,
        statistics=args.statistics,
        quiet=args.quiet,
        errors=len(result.errors),
        files=result.files_checked,
        notes=notes,
    )


def _print_problems(result: LintResult) -> None:
    for error in result.errors:
        print(f"imagetag-lint: error: {error}", file=sys.stderr)
    for warning in result.warnings:
        print(f"imagetag-lint: warning: {warning}", file=sys.stderr)
