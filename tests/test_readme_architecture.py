"""The README's architecture section names every module of src/ (the module map stays true)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "imagetag_lint"


def _architecture() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Architecture")
    return readme[start : readme.index("\n## ", start + 1)]


def test_every_module_is_on_the_map() -> None:
    section = _architecture()
    missing = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__init__.py" and f"`{path.name}`" not in section and f"`{path.relative_to(PACKAGE).as_posix()}`" not in section
    ]
    assert not missing, f"modules the README's architecture section does not name: {missing}"


def test_every_module_on_the_map_exists() -> None:
    section = "\n".join(line for line in _architecture().splitlines() if line.startswith("|"))
    names = {path.name for path in PACKAGE.rglob("*.py")} | {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")}
    named = {word.strip("`") for word in section.split() if word.startswith("`") and word.rstrip("`,.;:)").endswith(".py")}
    named = {word.rstrip("`,.;:)") for word in named}
    assert named <= names, f"the README names modules that do not exist: {sorted(named - names)}"
