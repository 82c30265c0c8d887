"""The command line: arguments, configuration, exit codes and the one error handler."""

from __future__ import annotations

import argparse
import fnmatch
import sys
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, NoReturn

from imagetag_lint import __version__
from imagetag_lint.config import Config, find_config, load_config
from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.files import MAX_FILE_BYTES, discover
from imagetag_lint.findings import Finding
from imagetag_lint.lint import CHECKS, LintOptions, LintResult, lint_paths, lint_source
from imagetag_lint.rules import RuleSet, load_rule_set

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "json-lines")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ImagetagLintError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="imagetag-lint",
        description="Find and fix dropped image names in Go Kind E2E suites.",
        epilog="Exit codes: 0 nothing found, 1 findings remain, 2 usage, config or input errors.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .); - reads stdin")
    parser.add_argument("--output-format", choices=FORMATS, default="text")
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
    verbose = argv is not None and ("--verbose" in argv or "-v" in argv)
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
        if verbose or "--verbose" in sys.argv:
            traceback.print_exc()
        print(
            f"imagetag-lint: error: internal error: {type(error).__name__}: {error} "
            "(rerun with --verbose for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR


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
    select = _split(args.select) if args.select else config.select
    ignore = (*config.ignore, *(_split(args.ignore) if args.ignore else ()))
    codes = set(rule_set.rules) if select is None else set(_expand(select, rule_set))
    return frozenset(codes - set(_expand(ignore, rule_set)))


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _expand(selectors: Sequence[str], rule_set: RuleSet) -> list[str]:
    codes = []
    for selector in selectors:
        matching = [c for c in rule_set.rules if selector == "ALL" or c.startswith(selector.upper())]
        if not matching:
            raise ImagetagLintError(f"unknown rule selector '{selector}'")
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
    options = LintOptions(
        rule_set=rule_set,
        select=selected_codes(config, args, rule_set) & frozenset(CHECKS),
        max_file_bytes=config.max_file_size or MAX_FILE_BYTES,
    )
    result = _lint(args, config, options, cwd, stdin)
    findings = [f for f in result.findings if not _ignored_by_file(f, config)]
    return report(args, rule_set, result, findings)


def _with_severity(rule_set: RuleSet, config: Config) -> dict[str, object]:  # type: ignore[type-arg]
    rules = dict(rule_set.rules)
    for code, level in config.severity.items():
        if code not in rules:
            raise ImagetagLintError(f"{config.path}: 'severity.{code}' names an unknown rule")
        rules[code] = replace(rules[code], severity=level)
    return rules  # type: ignore[return-value]


def _lint(
    args: argparse.Namespace, config: Config, options: LintOptions, cwd: Path, stdin: IO[bytes] | None
) -> LintResult:
    paths = args.paths or ["."]
    if paths == ["-"]:
        source = (stdin or sys.stdin.buffer).read()
        return lint_source(source, args.stdin_filename or "-", options, cwd)[0]
    if "-" in paths:
        raise ImagetagLintError("'-' (stdin) cannot be combined with other paths")
    discovered, errors = discover(paths, cwd, config.exclude)
    result = lint_paths(discovered, options, cwd)[0]
    result.errors[:0] = errors
    return result


def _ignored_by_file(finding: Finding, config: Config) -> bool:
    for pattern, codes in config.per_file_ignores:
        if fnmatch.fnmatchcase(finding.filename, pattern) or fnmatch.fnmatchcase(
            Path(finding.filename).name, pattern
        ):
            if any(finding.code.startswith(code) for code in codes):
                return True
    return False


def report(args: argparse.Namespace, rule_set: RuleSet, result: LintResult, findings: list[Finding]) -> int:
    out = sys.stdout
    for error in result.errors:
        print(f"imagetag-lint: error: {error}", file=sys.stderr)
    for warning in result.warnings:
        print(f"imagetag-lint: warning: {warning}", file=sys.stderr)
    if args.output_format == "json":
        from imagetag_lint.report.json_report import render_json

        out.write(render_json(findings, rule_set))
    elif args.output_format == "json-lines":
        from imagetag_lint.report.json_report import render_json_lines

        out.write(render_json_lines(findings, rule_set))
    else:
        from imagetag_lint.report.text import render_text, statistics, summary_line

        render_text(findings, rule_set, result.sources, out, args.color)
        if args.statistics:
            out.write(statistics(findings, rule_set))
        if not args.quiet:
            out.write(summary_line(findings, 0, len(result.errors), result.files_checked) + "\n")
    if result.errors:
        return EXIT_ERROR
    if findings and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN
