"""Closed sets of words the output and the rule data use: enums whose values are those words."""

from __future__ import annotations

from enum import Enum


class TextEnum(str, Enum):
    """An enum that is its text: JSON, f-strings and comparisons see the value."""

    __hash__ = str.__hash__  # equal to its value, so hashed as it

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Applicability(TextEnum):
    """How safe a fix is to apply: `--fix` applies safe ones, `--unsafe-fixes` unsafe ones too."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Severity(TextEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class ConsumerKind(TextEnum):
    """What a function that takes an image name does with it."""

    BUILD = "build"
    LOAD = "load"


class SiteKind(TextEnum):
    """Where a deployment holds fixed image text."""

    FIELD = "field"  # an `Image:` field
    YAML = "yaml"  # an `image:` line of a manifest in a Go string
    DEPLOY_ARG = "deploy-arg"  # the image argument of a deploy function
    FORMAT_ARG = "format-arg"  # an argument formatted into a manifest's `image:` line
    COMMAND_ARG = "command-arg"  # the image of a `kubectl` command, or the part of an argument after `=`
