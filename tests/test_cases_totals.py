"""The totals in tests/fixtures/go/CASES.md are the corpus's markers, counted."""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "go"
ROW = re.compile(r"^\| (IMG\d{3}) [a-z-]+ \| (\d+) \|$|^\| known gaps .*\| (\d+) \|$", re.MULTILINE)
WANT = re.compile(r"(?<![-\w])want((?: IMG\d{3}(?: \"(?:[^\"\\]|\\.)*\")?)+)")


def _marked_lines() -> tuple[dict[str, int], int]:
    counts: dict[str, int] = {}
    todo = 0
    for path in CORPUS.rglob("*.go"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"todo-want IMG\d{3}", line):
                todo += 1
                continue
            found = WANT.search(line)
            for code in sorted(set(re.findall(r"IMG\d{3}", found.group(1)))) if found else ():
                counts[code] = counts.get(code, 0) + 1
    return counts, todo


def test_the_totals_are_the_markers() -> None:
    text = (CORPUS / "CASES.md").read_text(encoding="utf-8")
    totals = text.split("## Totals\n", 1)[1].split("\n## ", 1)[0]
    stated: dict[str, int] = {}
    stated_todo = -1
    for match in ROW.finditer(totals):
        if match.group(1):
            stated[match.group(1)] = int(match.group(2))
        else:
            stated_todo = int(match.group(3))
    counts, todo = _marked_lines()
    assert stated == counts
    assert stated_todo == todo
