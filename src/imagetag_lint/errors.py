"""The one domain exception: every error a user can cause ends up here."""

from __future__ import annotations


class ImagetagLintError(Exception):
    """A problem the user can fix (usage, config, rule data); printed as one line, exit 2."""


class InputError(ImagetagLintError):
    """One input file could not be linted; the run goes on and exits 2 at the end."""

    def __init__(self, filename: str, problem: str) -> None:
        super().__init__(f"{filename}: {problem}")
        self.filename = filename
        self.problem = problem
