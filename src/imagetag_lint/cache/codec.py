"""A lint's result as plain data (tuples, strings, numbers) and back: what a run entry stores.

Only what the reports and the exit code read is kept: the findings after suppressions and the
baseline, input errors, warnings, notes and the count of files checked. Parsed files are not:
a text report reads the few files with findings again for their code frames.
"""

from __future__ import annotations

from typing import Any

from imagetag_lint.enums import Applicability, Severity
from imagetag_lint.errors import InputError
from imagetag_lint.findings import Edit, Finding, Fix, Position, Related, Span

Plain = Any  # what `marshal` carries; checked by the decoder, whose failure is a cache miss


def encode_result(findings: list[Finding], errors: list[InputError], warnings: list[str], notes: list[str], checked: int) -> Plain:
    return (
        [_finding(f) for f in findings],
        [(e.filename, e.problem) for e in errors],
        list(warnings),
        list(notes),
        checked,
    )


def decode_result(data: Plain) -> tuple[list[Finding], list[InputError], list[str], list[str], int]:
    """The parts encode_result took; a TypeError, ValueError or the like when data is not that."""
    findings, errors, warnings, notes, checked = data
    if not (isinstance(checked, int) and all(isinstance(t, str) for t in [*warnings, *notes])):
        raise TypeError("not a lint result")
    return (
        [_to_finding(f) for f in findings],
        [InputError(_str(name), _str(problem)) for name, problem in errors],
        list(warnings),
        list(notes),
        checked,
    )


def _span(span: Span) -> Plain:
    s, e = span.start, span.end
    return (span.filename, span.start_byte, span.end_byte, s.row, s.column, e.row, e.column)


def _to_span(data: Plain) -> Span:
    filename, start_byte, end_byte, row, column, end_row, end_column = data
    return Span(_str(filename), _int(start_byte), _int(end_byte), _position(row, column), _position(end_row, end_column))


def _related(items: tuple[Related, ...]) -> Plain:
    return tuple((_span(r.span), r.message) for r in items)


def _to_related(data: Plain) -> tuple[Related, ...]:
    return tuple(Related(_to_span(span), _str(message)) for span, message in data)


def _finding(f: Finding) -> Plain:
    fix = None
    if f.fix is not None:
        edits = tuple(
            (e.filename, e.start_byte, e.end_byte, e.content, e.start.row, e.start.column, e.end.row, e.end.column)
            for e in f.fix.edits
        )
        fix = (f.fix.applicability.value, f.fix.message, edits)
    severity = None if f.severity is None else f.severity.value
    return (f.code, f.message, _span(f.span), f.steps, _related(f.related), fix, _related(f.flow), f.fingerprint, severity)


def _to_finding(data: Plain) -> Finding:
    code, message, span, steps, related, fix, flow, fingerprint, severity = data
    return Finding(
        code=_str(code),
        message=_str(message),
        span=_to_span(span),
        steps=tuple(_str(step) for step in steps),
        related=_to_related(related),
        fix=None if fix is None else _to_fix(fix),
        flow=_to_related(flow),
        fingerprint=_str(fingerprint),
        severity=None if severity is None else Severity(severity),
    )


def _to_fix(data: Plain) -> Fix:
    applicability, message, edits = data
    return Fix(
        Applicability(applicability),
        _str(message),
        tuple(
            Edit(_str(name), _int(start), _int(end), _str(content), _position(row, column), _position(end_row, end_column))
            for name, start, end, content, row, column, end_row, end_column in edits
        ),
    )


def _position(row: Plain, column: Plain) -> Position:
    return Position(_int(row), _int(column))


def _str(value: Plain) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _int(value: Plain) -> int:
    if not isinstance(value, int):
        raise TypeError("not an integer")
    return value
