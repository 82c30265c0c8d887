"""The command line: arguments, configuration, exit codes and the one error handler."""

from __future__ import annotations

import argparse
import errno
import gc
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

from imagetag_lint import __version__
from imagetag_lint.config import Config, find_config, load_config
from imagetag_lint.errors import ImagetagLintError, UnreadablePath
from imagetag_lint.files import MAX_FILE_BYTES, discover
from imagetag_lint.findings import Finding
from imagetag_lint.options import Gate, Inputs, LintOptions, LintRun
from imagetag_lint.record import replace
from imagetag_lint.registry import ANALYSIS_CODES
from imagetag_lint.report.formats import FORMATS, render, write_text
from imagetag_lint.report.summary import NotWritten, Summary, summarize
from imagetag_lint.rules import Rule, RuleSet, load_rule_set

if TYPE_CHECKING:  # the parser and the analyses are imported once the files are being read
    from imagetag_lint.fix.apply import FixOutcome
    from imagetag_lint.lint_result import LintResult
    from imagetag_lint.linted import LintedFile

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
    parser.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; change nothing (text output only)"
    )
    parser.add_argument("--show-fixes", action="store_true", help="list the findings that --fix fixed")
    parser.add_argument(
        "--exit-non-zero-on-fix", action="store_true", help="with --fix: exit 1 when a file was changed"
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="keep the cache in DIR (default: $IMAGETAG_LINT_CACHE_DIR, else .imagetag-lint-cache at the project root)",
    )
    parser.add_argument("--select", metavar="CODES", help="comma-separated rule codes or prefixes to enable")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated rule codes or prefixes to disable")
    parser.add_argument("--config", metavar="FILE", help="use this config file instead of searching for one")
    parser.add_argument("--isolated", action="store_true", help="ignore every config file")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    parser.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    parser.add_argument("--explain", metavar="RULE", help="explain a rule (a code or a name) and exit")
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
    except OSError as error:  # the inputs' and outputs' own errors are ImagetagLintErrors by now
        if error.errno not in _OUTPUT_ERRNOS and not _stdout_failed():
            return _internal_error(error, verbose)
        _say_stdout_failed(error)
        return EXIT_ERROR
    except Exception as error:  # noqa: BLE001 - the one place that turns surprises into exit 2
        return _internal_error(error, verbose)


def _internal_error(error: Exception, verbose: bool) -> int:
    if verbose:
        import traceback

        traceback.print_exc()
    print(
        f"imagetag-lint: error: internal error: {type(error).__name__}: {error} "
        "(rerun with --verbose for details)",
        file=sys.stderr,
    )
    return EXIT_ERROR


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG, errno.EDQUOT}


def _stdout_failed() -> bool:
    """Is standard output the thing that fails (a full disk, /dev/full, a closed pipe)?"""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _say_stdout_failed(error: BaseException) -> None:
    """One line on stderr, except for a closed pipe (`imagetag-lint | head`): its reader is gone
    on purpose. What is still buffered for stdout is dropped, so leaving does not fail again."""
    try:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process' life
    except OSError:
        pass
    if isinstance(error, BrokenPipeError):
        return
    problem = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    try:
        print(f"imagetag-lint: error: cannot write to standard output: {problem}", file=sys.stderr)
    except (OSError, ValueError):
        pass


def entry() -> NoReturn:
    """The console script: `main()`, then leave at once. A lint's objects (trees, nodes, indexes)
    die with the process; freeing them one by one costs several milliseconds for nothing."""
    code = main()
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        _say_stdout_failed(error)
        code = EXIT_ERROR if code in (EXIT_CLEAN, EXIT_FINDINGS) else code
    try:
        sys.stderr.flush()
    except (OSError, ValueError):  # nothing more can be said
        code = code or EXIT_ERROR
    os._exit(code)


def resolve_config(args: argparse.Namespace, cwd: Path) -> Config:
    if args.isolated:
        return Config()
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            problem = "not a regular file" if path.exists() and not path.is_dir() else "config file not found"
            raise ImagetagLintError(f"{args.config}: {problem}")
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
        from imagetag_lint.report.docs import explain, find_rule

        rule = find_rule(rule_set, args.explain)
        if rule is None:
            raise ImagetagLintError(f"unknown rule '{args.explain}': give a code (IMG001) or a name (discarded-image-name)")
        sys.stdout.write(explain(rule))
        return EXIT_CLEAN
    if args.diff:
        _check_diff(args)
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
    if stdin_source is None:
        root = config.path.parent if config.path is not None else None  # exclude is relative to it
        discovered, walk_errors = discover(paths, cwd, config.exclude, root)
        inputs = Inputs(discovered, walk_errors)
    else:
        inputs = Inputs(stdin=stdin_source, stdin_name=args.stdin_filename or "-")
    baseline = Path(args.baseline) if args.baseline else config.baseline
    gate = Gate(config, selected, baseline, args.new_from_rev, narrow=not args.write_baseline)
    lint_run = LintRun(options, inputs, gate, cwd)
    if args.fix or args.diff:
        if args.write_baseline:
            raise ImagetagLintError("--write-baseline does not combine with --fix or --diff")
        return _fix(args, rule_set, lint_run, stdin_source)
    result = _lint(args, lint_run, config)
    if args.write_baseline:
        return _write_baseline(Path(args.write_baseline), result.findings, result, cwd)
    return report(args, rule_set, result, result.findings, result.notes, result.sources)


def _lint(args: argparse.Namespace, lint_run: LintRun, config: Config) -> LintResult:
    """Lint, through the cache unless told not to. A run on stdin or with --new-from-rev (whose
    result depends on the buffer, or on git) goes around it; --fix and --diff never reach here:
    a fix needs parsed trees."""
    if args.no_cache or lint_run.inputs.stdin is not None or args.new_from_rev:
        return lint_run.lint({})
    from imagetag_lint.cache import cache_directory
    from imagetag_lint.cache.runs import RunCache

    frames = args.output_format == "text" or bool(args.output_file)  # the text report shows code
    cache = RunCache(cache_directory(args.cache_dir, config.path, lint_run.cwd), lint_run, frames)
    result = cache.lint()
    if cache.store.problem is not None:
        print(f"imagetag-lint: warning: {cache.store.problem}", file=sys.stderr)
    return result


def _check_diff(args: argparse.Namespace) -> None:
    """--diff prints a patch and nothing else: a report it would silently drop is a usage error."""
    dropped = [
        flag
        for flag, given in (
            (f"--output-format {args.output_format}", args.output_format != "text"),
            ("--output-file", args.output_file),
            ("--statistics", args.statistics),
        )
        if given
    ]
    if dropped:
        raise ImagetagLintError(f"--diff prints only the fixes as a unified diff; drop {' and '.join(dropped)}")


def _fix(args: argparse.Namespace, rule_set: RuleSet, lint_run: LintRun, stdin_source: bytes | None = None) -> int:
    from imagetag_lint.fix.apply import fix_all, unified_diff
    from imagetag_lint.fix.write import write_files
    from imagetag_lint.report.summary import written

    outcome = fix_all(lint_run.lint, unsafe=args.unsafe_fixes)
    result = outcome.result
    if args.diff:
        _print_problems(result)
        diff = unified_diff(outcome)
        sys.stdout.write(diff)
        for rejected in outcome.rejected:  # what --fix would say: a silent empty diff reads as "nothing to fix"
            print(f"imagetag-lint: warning: {rejected}", file=sys.stderr)
        later = len(outcome.led_to)
        count = len(outcome.applied) - later
        if outcome.applied and not args.quiet:
            noun = "fix" if count == 1 else "fixes"
            more = f", and {later} {'fix of a finding' if later == 1 else 'fixes of findings'} that those fixes lead to" if later else ""
            files = "file" if len(outcome.changed) == 1 else "files"
            print(f"Would apply {count} {noun} in {len(outcome.changed)} {files}{more}.", file=sys.stderr)
        if result.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if diff or outcome.refused else EXIT_CLEAN
    if stdin_source is not None:  # an editor replaces its buffer with stdout: always print the source
        sys.stdout.flush()
        sys.stdout.buffer.write(next(iter(outcome.fixed.values()), stdin_source))
        _print_problems(result)
        for finding in result.findings:  # what is left goes to stderr, as ruff does: stdout is the buffer
            where = f"{finding.filename}:{finding.span.start.row}:{finding.span.start.column}"
            print(f"{where}: {finding.code} {finding.message}", file=sys.stderr)
        if result.errors:
            return EXIT_ERROR
        return EXIT_FINDINGS if result.findings and not args.exit_zero else EXIT_CLEAN
    not_written = write_files(outcome)
    refused: Sequence[Finding] = outcome.refused
    if not_written:
        result, refused = _lint_on_disk(lint_run, outcome)
    result.errors.extend(not_written)
    fixed, unwritten = written(outcome.applied, [(e.filename, e.problem) for e in not_written])
    notes = list(result.notes)
    if args.show_fixes:
        led_to = {id(f) for f in outcome.led_to}
        for finding in fixed:
            after = " (a finding an earlier fix led to)" if id(finding) in led_to else ""
            print(f"Fixed {finding.filename}:{finding.span.start.row}:{finding.span.start.column}: {finding.code} {finding.message}{after}")
    for rejected in outcome.rejected:
        print(f"imagetag-lint: warning: {rejected}", file=sys.stderr)
    code = report(args, rule_set, result, result.findings, notes, result.sources, (fixed, unwritten), refused, outcome.led_to)
    if code == EXIT_CLEAN and args.exit_non_zero_on_fix and outcome.changed:
        return EXIT_FINDINGS
    return code


def _lint_on_disk(lint_run: LintRun, outcome: FixOutcome) -> tuple[LintResult, list[Finding]]:
    """After a file was not written, the last round's findings sit in fixed texts that are not
    on disk: lint the files as they are, and find there the findings whose fixes were rolled back."""
    outcome.result.sources.clear()  # the fixed texts' trees go before the files are parsed again
    result = lint_run.lint({})
    rolled_back = {(f.filename, f.fingerprint) for f in outcome.refused}
    return result, [f for f in result.findings if (f.filename, f.fingerprint) in rolled_back]


def _with_severity(rule_set: RuleSet, config: Config) -> dict[str, Rule]:
    rules = dict(rule_set.rules)
    for code, level in config.severity.items():
        if code not in rules:
            raise ImagetagLintError(f"{config.path}: 'severity.{code}' names an unknown rule")
        rules[code] = replace(rules[code], severity=level, configured_severity=True)
    return rules


def _write_baseline(path: Path, findings: list[Finding], result: LintResult, cwd: Path) -> int:
    from imagetag_lint.baseline import render_baseline

    _print_problems(result)
    _write(path, render_baseline(findings, cwd, path.parent.absolute()), "the baseline")
    noun = "finding" if len(findings) == 1 else "findings"
    print(f"Wrote {len(findings)} {noun} to {path}.")
    return EXIT_ERROR if result.errors else EXIT_CLEAN


def _write(path: Path, text: str, what: str) -> None:
    """Write a report or a baseline. A symbolic link is refused, not followed: in CI the file may
    come from the pull request, and a link would point the write anywhere on the runner. A FIFO
    with no reader is refused rather than waited for."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as exc:
        if path.is_symlink():
            raise ImagetagLintError(f"{path}: is a symbolic link; {what} is not written through it") from None
        if exc.errno == errno.ENXIO:
            raise ImagetagLintError(f"{path}: is a FIFO with no reader; {what} is not written") from None
        raise ImagetagLintError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None
    try:
        os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise ImagetagLintError(f"{path}: cannot write {what}: {exc.strerror or exc}") from None


def report(
    args: argparse.Namespace,
    rule_set: RuleSet,
    result: LintResult,
    findings: list[Finding],
    notes: Sequence[str] = (),
    sources: dict[str, LintedFile] | None = None,
    fixed: tuple[list[Finding], list[NotWritten]] = ([], []),
    refused: Sequence[Finding] = (),
    led_to: Sequence[Finding] = (),
) -> int:
    """Report the findings; fixed is, after --fix, the findings whose fixes were written and the
    files that were not (those are among result.errors too), refused those whose fixes it rolled
    back, led_to those of its fixes' findings that earlier fixes led to."""
    _print_problems(result)
    sources = result.sources if sources is None else sources
    rendered = render(args.output_format, findings, rule_set, result.errors, Path.cwd())
    unread = sum(isinstance(error, UnreadablePath) for error in result.errors)
    summary = summarize(findings, result.files_checked, len(result.errors) - len(fixed[1]) - unread, notes, *fixed,
                        refused, not_analysed=result.not_analysed(), led_to=led_to, unread_paths=unread)
    if args.output_file:  # the chosen format to the file, the text report to the terminal
        if rendered is None:
            buffer = io.StringIO()
            _text(buffer, args, rule_set, sources, findings, summary, color="never")
            rendered = buffer.getvalue()
        _write(Path(args.output_file), rendered, "the report")
        rendered = None
    if rendered is None:
        _text(sys.stdout, args, rule_set, sources, findings, summary, color=args.color)
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
    rule_set: RuleSet,
    sources: dict[str, LintedFile],
    findings: list[Finding],
    summary: Summary,
    color: str,
) -> None:
    write_text(
        out, findings, rule_set, sources, color=color, summary=summary, statistics=args.statistics, quiet=args.quiet
    )


def _print_problems(result: LintResult) -> None:
    for error in result.errors:
        print(f"imagetag-lint: error: {error}", file=sys.stderr)
    for warning in result.warnings:
        print(f"imagetag-lint: warning: {warning}", file=sys.stderr)
