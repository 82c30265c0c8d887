"""A linted file of either language, as the stages after the analyses see it (suppress,
fingerprint, report, fix): Go files carry their tree-sitter tree, Python files their bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only types: importing the Go model would load tree-sitter
    from imagetag_lint.golang.model import SourceFile
    from imagetag_lint.python.source import PythonFile

    LintedFile = SourceFile | PythonFile
