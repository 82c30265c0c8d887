"""Fingerprints: the identity of a finding that survives code moving above it.

SARIF's `partialFingerprints` and the baseline share them. A fingerprint hashes the rule code,
the enclosing function, the finding's own source text (whitespace-normalised) and an occurrence
index among findings with the same key in the same file. Line numbers are left out on purpose,
and so is the filename: it travels beside the fingerprint (SARIF location, baseline entry), so a
fingerprint does not depend on the directory the tool runs from.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping

from imagetag_lint.findings import Finding
from imagetag_lint.golang.model import SourceFile
from imagetag_lint.python.source import PythonFile
from imagetag_lint.record import replace

try:  # the C module itself: `hashlib` loads OpenSSL's libcrypto, 3.5 MiB more resident memory
    from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]  # CPython 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # CPython 3.10, 3.11
    except ImportError:  # pragma: no cover - other interpreters go through hashlib
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

VERSION = "v1"


def with_fingerprints(findings: Iterable[Finding], sources: Mapping[str, SourceFile | PythonFile]) -> list[Finding]:
    seen: dict[tuple[str, str], int] = defaultdict(int)
    stamped = []
    for finding in sorted(findings, key=Finding.sort_key):
        key = finding_key(finding, sources.get(finding.filename))
        occurrence = seen[(finding.filename, key)]
        seen[(finding.filename, key)] += 1
        stamped.append(replace(finding, fingerprint=digest(f"{key}\0{occurrence}")))
    return stamped


def finding_key(finding: Finding, file: SourceFile | PythonFile | None) -> str:
    if file is None:  # no source to read (should not happen): fall back to what the finding says
        return "\0".join((VERSION, finding.code, "", " ".join(finding.message.split())))
    span = finding.span
    snippet = file.source[span.start_byte : span.end_byte].decode("utf-8", "replace")
    if isinstance(file, PythonFile):
        function = file.enclosing_function(span.start_byte)
    else:
        function = enclosing_function_name(file, span.start_byte, span.end_byte)
    return "\0".join((VERSION, finding.code, function, " ".join(snippet.split())))


def enclosing_function_name(file: SourceFile, start: int, end: int) -> str:
    """`Name` or `(receiver) Name` of the declaration around the bytes; "" at package level.

    Go declares functions and methods only at the top level, so the declaration is the file's
    child that holds the bytes: the first that ends after start (walking up `parent`s costs the
    depth at every step).
    """
    outline = file.outline
    index = bisect_right([child.end_byte for child in outline], start)
    if index == len(outline):
        return ""
    child = outline[index]
    if child.function is None or not child.start_byte <= start <= end <= child.end_byte:
        return ""
    return child.function


def digest(key: str) -> str:
    hexdigest: str = sha256(key.encode("utf-8")).hexdigest()
    return hexdigest[:32]
