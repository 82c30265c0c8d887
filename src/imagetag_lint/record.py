"""Plain records: what `dataclasses` gives, at a fraction of its import cost.

A lint on the commit path starts a new interpreter every time. `dataclasses` costs about 10 ms
to import (it pulls in `inspect`) and half a millisecond per class, because it compiles each
generated method on its own: some 25 ms before any file is read. `record` generates the same
methods (`__init__`, `__repr__`, `__eq__`, `__hash__` for frozen records, ordering on request),
each compiled when it is first called: a run calls few of the methods its imports declare.
Type checkers see it as a dataclass (PEP 681).

Supported: fields with defaults, `field(default=..., default_factory=..., compare=False)`,
`frozen`, `eq` and `order`, and `replace`. Not supported: inheritance between records,
`ClassVar`, `InitVar`, `__post_init__`, slots and keyword-only fields.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar, overload

T = TypeVar("T")

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - exercised on Python 3.10 only, where type checkers are not run

    def dataclass_transform(**_: Any) -> Callable[[T], T]:
        return lambda function: function

_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """An attempt to change a field of a frozen record."""


class _Field:
    __slots__ = ("compare", "default", "default_factory")

    def __init__(self, default: Any, default_factory: Any, compare: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.compare = compare


@overload
def field(*, default: T, compare: bool = ...) -> T: ...
@overload
def field(*, default_factory: Callable[[], T], compare: bool = ...) -> T: ...
@overload
def field(*, compare: bool = ...) -> Any: ...
def field(*, default: Any = _MISSING, default_factory: Any = _MISSING, compare: bool = True) -> Any:
    """Options of one field, like `dataclasses.field`."""
    return _Field(default, default_factory, compare)


@overload
@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T], /) -> type[T]: ...
@overload
@dataclass_transform(field_specifiers=(field,))
def record(*, frozen: bool = False, eq: bool = True, order: bool = False) -> Callable[[type[T]], type[T]]: ...
@dataclass_transform(field_specifiers=(field,))
def record(
    cls: type[T] | None = None, /, *, frozen: bool = False, eq: bool = True, order: bool = False
) -> type[T] | Callable[[type[T]], type[T]]:
    """Make cls a record, like `@dataclass` with the same arguments."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, frozen=frozen, eq=eq, order=order)

    return wrap if cls is None else wrap(cls)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of a record with some fields changed, like `dataclasses.replace`."""
    values = {name: getattr(obj, name) for name in obj.__record_fields__}  # type: ignore[attr-defined]
    values.update(changes)
    return obj.__class__(**values)


def _build(cls: type[T], *, frozen: bool, eq: bool, order: bool) -> type[T]:
    names = list(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063 - inspect is what we avoid
    defaults: dict[str, Any] = {}
    compared = []
    parameters = []
    assignments = []
    for name in names:
        value = cls.__dict__.get(name, _MISSING)
        option = value if isinstance(value, _Field) else _Field(value, _MISSING, True)
        if option.compare:
            compared.append(name)
        if option.default_factory is not _MISSING:
            defaults[f"_factory_{name}"] = option.default_factory
            parameters.append(f"{name}=_UNSET")
            assignments.append(f"{name} = _factory_{name}() if {name} is _UNSET else {name}")
        elif option.default is not _MISSING:
            defaults[f"_default_{name}"] = option.default
            parameters.append(f"{name}=_default_{name}")
        elif defaults:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with a default")
        else:
            parameters.append(name)
        if value is not _MISSING:
            if option.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, option.default)
    if {"_r_self", "_r_dict"} & set(names):
        raise TypeError(f"{cls.__name__}: the field names _r_self and _r_dict are reserved")
    init = [f"def __init__(_r_self, {', '.join(parameters)}):" if parameters else "def __init__(_r_self):"]
    if frozen:  # a frozen record's __setattr__ refuses: fill its __dict__ directly
        init.append("    _r_dict = _r_self.__dict__")
    init += [f"    {line}" for line in assignments]
    init += [f"    _r_dict[{n!r}] = {n}" if frozen else f"    _r_self.{n} = {n}" for n in names] or ["    pass"]
    fields = ", ".join(f"{n}={{self.{n}!r}}" for n in names)
    methods = {"__init__": "\n".join(init), "__repr__": f"def __repr__(self):\n    return f'{cls.__qualname__}({fields})'"}
    key = "(" + "".join(f"self.{n}, " for n in compared) + ")"
    other_key = key.replace("self.", "other.")
    if eq:
        methods["__eq__"] = (
            "def __eq__(self, other):\n"
            f"    if other.__class__ is not self.__class__:\n        return NotImplemented\n"
            f"    return {key} == {other_key}"
        )
        if frozen:
            methods["__hash__"] = f"def __hash__(self):\n    return hash({key})"
    if order:
        for method, operator in (("__lt__", "<"), ("__le__", "<="), ("__gt__", ">"), ("__ge__", ">=")):
            methods[method] = (
                f"def {method}(self, other):\n"
                f"    if other.__class__ is not self.__class__:\n        return NotImplemented\n"
                f"    return {key} {operator} {other_key}"
            )
    if frozen:
        methods["__setattr__"] = "def __setattr__(self, name, value):\n    raise _Frozen(f'cannot assign to field {name!r}')"
        methods["__delattr__"] = "def __delattr__(self, name):\n    raise _Frozen(f'cannot delete field {name!r}')"
    namespace: dict[str, Any] = {"_UNSET": _MISSING, "_Frozen": FrozenInstanceError, **defaults}
    for method, source in methods.items():
        setattr(cls, method, _compiled_on_first_call(cls, method, source, namespace))
    if eq and not frozen:
        cls.__hash__ = None  # type: ignore[assignment]  # mutable and comparable: unhashable
    cls.__record_fields__ = tuple(names)  # type: ignore[attr-defined]
    return cls


def _compiled_on_first_call(cls: type, method: str, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """A stand-in for a generated method that compiles it when it is first called: a run makes
    instances of only some of the records its imports declare and calls few of their methods,
    and compiling is most of what a record costs."""

    def stand_in(self: Any, *args: Any, **kwargs: Any) -> Any:
        if cls.__dict__[method] is stand_in:
            exec(source, namespace)  # noqa: S102 - generated from the class's own field names
            function = namespace[method]
            function.__qualname__ = f"{cls.__qualname__}.{method}"
            setattr(cls, method, function)
        return getattr(cls, method)(self, *args, **kwargs)

    stand_in.__qualname__ = f"{cls.__qualname__}.{method}"
    return stand_in
