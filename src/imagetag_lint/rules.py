"""Rule data from rules/ (shipped in the wheel) and from users' extra rule directories."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from imagetag_lint.enums import ConsumerKind, Severity
from imagetag_lint.errors import ImagetagLintError
from imagetag_lint.record import record, replace
from imagetag_lint.registry import IMPLEMENTED_CODES, MESSAGE_FIELDS
from imagetag_lint.tomlload import check_keys, expect, expect_str_list, load_toml

SEVERITIES = tuple(severity.value for severity in Severity)
DOC_SECTIONS = {
    "what-it-does": "What it does",
    "why-is-this-bad": "Why is this bad?",
    "example": "Example",
    "use-instead": "Use instead",
    "fix-safety": "Fix safety",
}
FLOW_FILE = "image-flow.toml"
COMPILED_FILE = "compiled.json"  # the built-in TOML files, as JSON (see _rule_files)


@record(frozen=True)
class Rule:
    """A rule's data from `rules/`: code, name, severity, message template and docs."""

    code: str
    name: str
    severity: Severity
    summary: str
    message: str
    docs: tuple[tuple[str, str], ...]  # (section title, markdown) in DOC_SECTIONS order
    configured_severity: bool = False  # set by the user's config: it wins over a finding's own

    def severity_of(self, finding_severity: Severity | None) -> Severity:
        """A finding's severity: its own (IMG002 has two), unless the user's config set one."""
        return self.severity if self.configured_severity or finding_severity is None else finding_severity

    def doc(self, key: str) -> str:
        return dict(self.docs).get(DOC_SECTIONS[key], "")

    def render_message(self, **values: str) -> str:
        return self.message.format(**values)


@record(frozen=True)
class Producer:
    """A function that returns the real image name (a builder)."""

    name: str
    image_result: int = 0
    results: int = 2


@record(frozen=True)
class Consumer:
    """A function that takes an image name: a build-with-tag call or a loader."""

    name: str
    kind: ConsumerKind
    image_arg: int = 0


@record(frozen=True)
class ImageFlow:
    """The image-flow knobs from `rules/image-flow.toml` and the user's configuration."""

    producers: tuple[Producer, ...] = ()
    consumers: tuple[Consumer, ...] = ()
    generator_patterns: tuple[str, ...] = ()
    image_fields: tuple[str, ...] = ()
    build_name_fields: tuple[str, ...] = ()
    build_tag_fields: tuple[str, ...] = ()
    pull_policy_fields: tuple[str, ...] = ()
    local_prefixes: tuple[str, ...] = ()
    local_patterns: tuple[str, ...] = ()
    python_producers: tuple[Producer, ...] = ()  # [python] in image-flow.toml
    python_generator_patterns: tuple[str, ...] = ()
    container_types: tuple[str, ...] = ()

    def python_settings(self) -> ImageFlow:
        """The knobs as the Python front-end reads them: its own generators, shared local images."""
        return replace(self, generator_patterns=self.python_generator_patterns)

    def is_generator(self, name: str) -> bool:
        return bool(self.generator_patterns) and _any_of(self.generator_patterns).search(name) is not None

    def generator_literals(self) -> tuple[bytes, ...] | None:
        """Text each name a generator pattern accepts holds (one per pattern, the longest part it
        spells out), or None when a pattern may match anything but word characters or spells
        out fewer than three: a word holding none of them is no generator's name."""
        return _literals_of(self.generator_patterns) if self.generator_patterns else None

    def merged(self, other: ImageFlow) -> ImageFlow:
        return ImageFlow(
            producers=_union(self.producers, other.producers),
            consumers=_union(self.consumers, other.consumers),
            generator_patterns=_union(self.generator_patterns, other.generator_patterns),
            image_fields=_union(self.image_fields, other.image_fields),
            build_name_fields=_union(self.build_name_fields, other.build_name_fields),
            build_tag_fields=_union(self.build_tag_fields, other.build_tag_fields),
            pull_policy_fields=_union(self.pull_policy_fields, other.pull_policy_fields),
            local_prefixes=_union(self.local_prefixes, other.local_prefixes),
            local_patterns=_union(self.local_patterns, other.local_patterns),
            python_producers=_union(self.python_producers, other.python_producers),
            python_generator_patterns=_union(self.python_generator_patterns, other.python_generator_patterns),
            container_types=_union(self.container_types, other.container_types),
        )


@lru_cache(maxsize=64)
def _any_of(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# a pattern that only matches word characters: literal letters, digits and `_`, `\w`, `\d` and
# classes of those, each maybe repeated; anchored at the name's start or end or not
_ATOM = r"(?:[A-Za-z0-9_]|\\[wd]|\[(?:[A-Za-z0-9_](?:-[A-Za-z0-9_])?|\\[wd])+\])(?:[*+?]|\{[0-9]+(?:,[0-9]*)?\})?\??"
_WORD_PATTERN = re.compile(r"\^?(?:" + _ATOM + r")+\$?")
_ATOMS = re.compile(_ATOM)


@lru_cache(maxsize=64)
def _literals_of(patterns: tuple[str, ...]) -> tuple[bytes, ...] | None:
    found = []
    for pattern in patterns:
        if not pattern.isascii() or _WORD_PATTERN.fullmatch(pattern) is None:
            return None
        runs = "".join(atom if len(atom) == 1 else " " for atom in _ATOMS.findall(pattern.removeprefix("^").removesuffix("$")))
        longest = max(runs.split(), key=len, default="")
        if len(longest) < 3:
            return None
        found.append(longest.encode())
    return tuple(found)


def _union(first: tuple[Any, ...], second: tuple[Any, ...]) -> tuple[Any, ...]:
    return first + tuple(item for item in second if item not in first)


@record(frozen=True)
class RuleSet:
    """Every rule by code, and the image-flow knobs they share."""

    rules: dict[str, Rule]
    flow: ImageFlow


def builtin_rules_dir() -> Path:
    """rules/ as shipped in the wheel (imagetag_lint/builtin_rules), or the source checkout's."""
    installed = Path(__file__).parent / "builtin_rules"
    if (installed / FLOW_FILE).is_file():
        return installed
    return Path(__file__).resolve().parents[2] / "rules"


def load_rule_set(extra_dirs: tuple[Path, ...] = ()) -> RuleSet:
    rules: dict[str, Rule] = {}
    flow = ImageFlow()
    for directory in (builtin_rules_dir(), *extra_dirs):
        for path, data in _rule_files(directory):
            if path.name == FLOW_FILE:
                flow = flow.merged(parse_flow(data, str(path)))
            else:
                rule = parse_rule(data, str(path), rules)
                rules[rule.code] = rule
    for code in IMPLEMENTED_CODES:
        if code not in rules:
            raise ImagetagLintError(f"{builtin_rules_dir()}: rule {code} has no data file")
    return RuleSet(rules=rules, flow=flow)


def _rule_files(directory: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The TOML files of a rule directory, parsed. The built-in rules also ship as COMPILED_FILE,
    their TOML read once at release time: JSON loads in C, and no TOML parser is imported."""
    if directory == builtin_rules_dir() and (directory / COMPILED_FILE).is_file():
        import json

        compiled = json.loads((directory / COMPILED_FILE).read_bytes())
        return [(directory / name, data) for name, data in sorted(compiled.items())]
    if not directory.is_dir():
        raise ImagetagLintError(f"{directory}: rule directory not found")
    return [(path, load_toml(path)) for path in sorted(directory.glob("*.toml"))]


def compile_rules(directory: Path) -> str:
    """COMPILED_FILE's text for a rule directory (`python -m imagetag_lint.rules` writes it)."""
    import json

    files = {path.name: load_toml(path) for path in sorted(directory.glob("*.toml"))}
    return json.dumps(files, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


_RULE_KEYS = {"code", "name", "severity", "summary", "message", "docs"}


def parse_rule(data: dict[str, Any], where: str, known: dict[str, Rule]) -> Rule:
    check_keys(data, _RULE_KEYS, where)
    code = expect(data.get("code"), str, where, "code")
    if code not in IMPLEMENTED_CODES:
        raise ImagetagLintError(f"{where}: 'code' {code!r} is not a rule this version implements")
    base = known.get(code)
    if base is not None:  # an extra rule directory overrides parts of a built-in rule
        return _override(base, data, where)
    for key in ("name", "severity", "summary", "message", "docs"):
        if key not in data:
            raise ImagetagLintError(f"{where}: missing key '{key}'")
    return _override(Rule(code, "", Severity.ERROR, "", "", ()), data, where)


def _override(rule: Rule, data: dict[str, Any], where: str) -> Rule:
    changes: dict[str, Any] = {}
    for key in ("name", "summary", "message"):
        if key in data:
            changes[key] = expect(data[key], str, where, key)
    if "severity" in data:
        changes["severity"] = parse_severity(data["severity"], where)
    if "message" in changes:
        check_template(changes["message"], MESSAGE_FIELDS[rule.code], where)
    if "docs" in data:
        docs = expect(data["docs"], dict, where, "docs")
        check_keys(docs, set(DOC_SECTIONS), f"{where}: [docs]")
        merged = dict(rule.docs)
        for key, title in DOC_SECTIONS.items():
            if key in docs:
                merged[title] = expect(docs[key], str, where, f"docs.{key}").strip()
        changes["docs"] = tuple((t, merged[t]) for t in DOC_SECTIONS.values() if t in merged)
    return replace(rule, **changes)


def parse_severity(value: object, where: str, key: str = "severity") -> Severity:
    if value not in SEVERITIES:
        expect(value, str, where, key)
        raise ImagetagLintError(f"{where}: '{key}' must be one of {', '.join(SEVERITIES)}")
    return Severity(value)


def check_template(message: str, fields: tuple[str, ...], where: str) -> None:
    """A message template names only its rule's fields, plainly: a format spec or a conversion
    (`{call:>200000000}`) could make a message of any size, so neither is allowed."""
    import string

    problem = ""
    try:
        for _, name, spec, conversion in string.Formatter().parse(message):
            if name is None:
                continue
            if name not in fields:
                problem = f"unknown field {{{name}}} (this rule has {', '.join('{' + f + '}' for f in fields)})"
            elif spec or conversion:
                problem = f"{{{name}}} has a format spec or conversion; write the field alone"
            if problem:
                break
    except ValueError as exc:
        problem = str(exc)
    if problem:
        raise ImagetagLintError(f"{where}: 'message' is not a valid template: {problem}")


_FLOW_KEYS = {"producers", "consumers", "settings", "python"}
_PYTHON_KEYS = {"producers", "generator-patterns"}
_PRODUCER_KEYS = {"name", "image-result", "results"}
_CONSUMER_KEYS = {"name", "kind", "image-arg"}
_SETTINGS_LISTS = {
    "generator-patterns": "generator_patterns",
    "image-fields": "image_fields",
    "build-name-fields": "build_name_fields",
    "build-tag-fields": "build_tag_fields",
    "pull-policy-fields": "pull_policy_fields",
    "local-prefixes": "local_prefixes",
    "local-patterns": "local_patterns",
    "container-types": "container_types",
}


def parse_flow(data: dict[str, Any], where: str) -> ImageFlow:
    check_keys(data, _FLOW_KEYS, where)
    return flow_of(data, expect(data.get("settings", {}), dict, where, "settings"), where)


def flow_of(table: dict[str, Any], settings: dict[str, Any], where: str) -> ImageFlow:
    """The image flow of a table's `producers` and `consumers` lists and of the settings."""
    producers = tuple(
        parse_producer(item, f"{where}: producers[{i}]")
        for i, item in enumerate(expect(table.get("producers", []), list, where, "producers"))
    )
    consumers = tuple(
        parse_consumer(item, f"{where}: consumers[{i}]")
        for i, item in enumerate(expect(table.get("consumers", []), list, where, "consumers"))
    )
    python = expect(table.get("python", {}), dict, where, "python")
    return ImageFlow(
        producers=producers, consumers=consumers, **parse_settings(settings, where), **parse_python(python, where)
    )


def parse_python(table: dict[str, Any], where: str) -> dict[str, Any]:
    """[python]: producers (functions returning the built image's name) and generator patterns."""
    check_keys(table, _PYTHON_KEYS, f"{where}: [python]")
    items = expect(table.get("producers", []), list, where, "python.producers")
    producers = tuple(parse_producer(item, f"{where}: python.producers[{i}]") for i, item in enumerate(items))
    patterns = expect_str_list(table.get("generator-patterns", []), where, "python.generator-patterns")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ImagetagLintError(f"{where}: 'python.generator-patterns': bad regular expression {pattern!r}: {exc}") from None
    return {"python_producers": producers, "python_generator_patterns": patterns}


def parse_settings(settings: dict[str, Any], where: str) -> dict[str, Any]:
    check_keys(settings, set(_SETTINGS_LISTS), f"{where}: [settings]")
    values = {
        attr: expect_str_list(settings[key], where, key)
        for key, attr in _SETTINGS_LISTS.items()
        if key in settings
    }
    for key in ("local_prefixes", "image_fields", "build_name_fields", "build_tag_fields", "pull_policy_fields", "container_types"):
        if any(not item for item in values.get(key, ())):
            raise ImagetagLintError(f"{where}: '{key.replace('_', '-')}' must not hold an empty string")
    for key in ("generator_patterns", "local_patterns"):
        check_patterns(values.get(key, ()), where, key.replace("_", "-"))
    return values


def check_patterns(patterns: tuple[str, ...], where: str, key: str) -> None:
    """Each pattern compiles, and so do all of them joined, as they are used (`_any_of`): a
    global flag such as `(?i)` or a group name used twice only fails there."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ImagetagLintError(f"{where}: '{key}': bad regular expression {pattern!r}: {exc}") from None
    try:
        _any_of(patterns)
    except re.error as exc:
        hint = " (use a scoped flag such as (?i:...) and distinct group names)"
        raise ImagetagLintError(f"{where}: '{key}': the patterns do not combine: {exc}{hint}") from None


def parse_producer(item: object, where: str) -> Producer:
    table = _table(item, where)
    check_keys(table, _PRODUCER_KEYS, where)
    name = _identifier(table.get("name"), where)
    results = expect(table.get("results", 2), int, where, "results")
    image_result = expect(table.get("image-result", 0), int, where, "image-result")
    if results < 1:
        raise ImagetagLintError(f"{where}: 'results' must be at least 1")
    if image_result < 0:
        raise ImagetagLintError(f"{where}: 'image-result' must not be negative")
    if image_result >= results:
        raise ImagetagLintError(f"{where}: 'image-result' must be below 'results'")
    return Producer(name=name, image_result=image_result, results=results)


def parse_consumer(item: object, where: str) -> Consumer:
    table = _table(item, where)
    check_keys(table, _CONSUMER_KEYS, where)
    kind = expect(table.get("kind", "load"), str, where, "kind")
    if kind not in tuple(ConsumerKind):
        raise ImagetagLintError(f"{where}: 'kind' must be \"build\" or \"load\"")
    image_arg = expect(table.get("image-arg", 0), int, where, "image-arg")
    if image_arg < 0:
        raise ImagetagLintError(f"{where}: 'image-arg' must not be negative")
    return Consumer(name=_identifier(table.get("name"), where), kind=ConsumerKind(kind), image_arg=image_arg)


def _table(item: object, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ImagetagLintError(f"{where}: must be a table (name = ..., ...)")
    return item


def _identifier(value: object, where: str) -> str:
    name = expect(value, str, where, "name")
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise ImagetagLintError(f"{where}: 'name' must be a Go identifier, got {name!r}")
    return str(name)


if __name__ == "__main__":
    source = Path(__file__).resolve().parents[2] / "rules"
    (source / COMPILED_FILE).write_text(compile_rules(source), encoding="utf-8")
