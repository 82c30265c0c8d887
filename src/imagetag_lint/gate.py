"""After the analysis, what may fail the run: suppress -> per-file ignores -> baseline -> changed lines.

Fingerprints are stamped before anything is dropped, so that suppressing one of two look-alike
findings does not change the other's fingerprint (its occurrence index).
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from imagetag_lint.config import Config
from imagetag_lint.findings import Finding
from imagetag_lint.fingerprint import with_fingerprints
from imagetag_lint.rules import RuleSet
from imagetag_lint.suppress import apply_suppressions

if TYPE_CHECKING:
    from imagetag_lint.linted import LintedFile


def suppressed(
    findings: list[Finding], files: Mapping[str, LintedFile], rule_set: RuleSet, selected: frozenset[str]
) -> list[Finding]:
    """Findings left after inline suppressions, plus IMG100/IMG101, all fingerprinted."""
    outcome = apply_suppressions(with_fingerprints(findings, files), files, rule_set, selected)
    about_comments = with_fingerprints([f for f in outcome.findings if not f.fingerprint], files)
    return sorted([f for f in outcome.findings if f.fingerprint] + about_comments, key=Finding.sort_key)


def ignored_by_file(finding: Finding, config: Config, cwd: Path) -> bool:
    # patterns are relative to the config file's directory (the working directory without one),
    # wherever the tool runs; the bare file name is tried too
    names = {Path(finding.filename).name}
    if config.path is not None:
        relative = os.path.relpath(os.path.abspath(cwd / finding.filename), config.path.parent.absolute())
        names.add(Path(relative).as_posix())
    else:
        names.add(finding.filename)
    for pattern, codes in config.per_file_ignores:
        if any(fnmatch.fnmatchcase(name, pattern) for name in names) and any(
            finding.code.startswith(code) for code in codes
        ):
            return True
    return False


def narrow(
    findings: list[Finding],
    baseline: Path | None,
    new_from_rev: str | None,
    cwd: Path,
    scope: tuple[Collection[str], Collection[str]],
) -> tuple[list[Finding], list[str]]:
    """The baseline and --new-from-rev: the findings that fail the run, and notes for the summary.

    scope is (the files linted, the codes that ran): baseline entries outside it are not stale."""
    notes = []
    if baseline is not None:
        from imagetag_lint.baseline import filter_known, load_baseline

        known = filter_known(findings, load_baseline(baseline), cwd, baseline.parent.absolute(), scope)
        findings = known.new
        if known.known:
            notes.append(f"{known.known} known in {baseline} not shown")
        if known.stale:
            entries = "entry" if known.stale == 1 else "entries"
            notes.append(f"{known.stale} {entries} of {baseline} no longer found: rewrite it with --write-baseline")
    if new_from_rev:
        from imagetag_lint.gitdiff import changed_since, on_changed_lines

        findings = on_changed_lines(findings, changed_since(new_from_rev, cwd), cwd)
        notes.append(f"only lines changed since {new_from_rev}")
    return findings, notes
