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


class UnreadablePath(InputError):
    """A path named or walked that is no file to lint (a directory that cannot be read, a path
    that does not exist, ...): the summary counts it apart from the files."""
