"""Go format strings: what `fmt.Sprintf` of fixed text gives, and which verbs fill an `image:` line."""

from __future__ import annotations

import re

# format functions and the position of their format argument
FORMAT_FUNCS = {"Sprintf": 0, "Fprintf": 1, "Printf": 0, "Errorf": 0}
_VERB = re.compile(r"%(?:\[(\d+)\])?[-+# 0]*(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])")


def image_verbs(template: str) -> list[int]:
    """Argument indices (0-based, after the format) of verbs that stand on an `image:` line."""
    result = []
    argument = 0
    for match in _VERB.finditer(template):
        if match.group(4) == "%":
            continue
        if match.group(1):
            argument = int(match.group(1)) - 1
        argument += (match.group(2) == "*") + (match.group(3) == "*")  # width and precision arguments
        line_start = template.rfind("\n", 0, match.start()) + 1
        before = template[line_start:match.start()].strip()
        if before.lstrip("- ").startswith("image:"):
            result.append(argument)
        argument += 1
    return result


def format_go(template: str, values: list[str]) -> str | None:
    """fmt.Sprintf for the verbs fixed text can fill (%s %v %q %d); None for anything else."""
    out = []
    position = 0
    argument = 0
    for match in _VERB.finditer(template):
        out.append(template[position:match.start()])
        position = match.end()
        verb = match.group(4)
        if verb == "%":
            out.append("%")
            continue
        if match.group(1):
            argument = int(match.group(1)) - 1
        if match.group(2) == "*" or match.group(3) == "*" or argument >= len(values) or verb not in "svqd":
            return None
        value = values[argument]
        out.append(f'"{value}"' if verb == "q" else value)
        argument += 1
    out.append(template[position:])
    return "".join(out)
