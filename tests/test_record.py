"""`record` behaves like `dataclasses.dataclass` for what the code base uses of it."""

from __future__ import annotations

import dataclasses

import pytest

from imagetag_lint.record import FrozenInstanceError, field, record, replace


@record(frozen=True, order=True)
class Point:
    row: int
    column: int = 1


@record(frozen=True)
class Tagged:
    name: str
    items: tuple[int, ...] = ()
    note: str = field(default="", compare=False)


@record
class Bag:
    label: str
    things: list[str] = field(default_factory=list)


@record(eq=False)
class Node:
    name: str


@dataclasses.dataclass(frozen=True, order=True)
class DataPoint:
    row: int
    column: int = 1


def test_init_defaults_and_repr() -> None:
    assert Point(3) == Point(3, 1)
    assert repr(Point(3, 4)) == "Point(row=3, column=4)"
    assert repr(Point(3, 4)).removeprefix("Point") == repr(DataPoint(3, 4)).removeprefix("DataPoint")
    assert Point(row=2, column=5).column == 5


def test_frozen_records_refuse_changes_and_hash_by_value() -> None:
    point = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        point.row = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.row  # type: ignore[misc]
    assert {Point(1, 2), Point(1, 2), Point(2, 1)} == {Point(1, 2), Point(2, 1)}


def test_fields_left_out_of_comparison() -> None:
    assert Tagged("a", (1,), note="x") == Tagged("a", (1,), note="y")
    assert hash(Tagged("a", note="x")) == hash(Tagged("a", note="y"))
    assert Tagged("a") != Tagged("b")
    assert Tagged("a") != ("a", (), "")


def test_order_compares_fields_in_order() -> None:
    points = [Point(2, 1), Point(1, 9), Point(1, 2)]
    assert sorted(points) == [Point(1, 2), Point(1, 9), Point(2, 1)]
    assert [(p.row, p.column) for p in sorted(points)] == [
        (p.row, p.column) for p in sorted(DataPoint(p.row, p.column) for p in points)
    ]
    assert Point(1, 2) < Point(1, 3) <= Point(1, 3) and Point(2, 0) > Point(1, 9) >= Point(1, 9)


def test_default_factory_gives_each_record_its_own_value() -> None:
    first, second = Bag("a"), Bag("b")
    first.things.append("x")
    assert (first.things, second.things) == (["x"], [])
    assert Bag("a", ["y"]).things == ["y"]


def test_mutable_records_compare_by_value_and_are_unhashable() -> None:
    assert Bag("a") == Bag("a")
    with pytest.raises(TypeError):
        hash(Bag("a"))


def test_eq_false_keeps_identity() -> None:
    node = Node("x")
    alias = node
    assert node != Node("x") and node == alias
    assert len({node, Node("x")}) == 2


def test_replace() -> None:
    assert replace(Point(1, 2), column=7) == Point(1, 7)
    assert replace(Tagged("a", note="n"), name="b") == Tagged("b", note="n")
    assert replace(Tagged("a", note="n"), name="b").note == "n"


def test_a_field_without_default_after_one_with_default_is_an_error() -> None:
    with pytest.raises(TypeError, match="without a default"):

        @record
        class Broken:
            first: int = 0
            second: int


def test_methods_are_compiled_when_first_called() -> None:
    @record(frozen=True, order=True)
    class Late:
        name: str

    def compiled(method: str) -> bool:
        return Late.__dict__[method].__code__.co_filename == "<string>"

    assert not any(compiled(m) for m in ("__init__", "__repr__", "__eq__", "__hash__", "__lt__"))
    late = Late("a")
    assert compiled("__init__") and not compiled("__repr__") and not compiled("__lt__")
    assert late == Late("a") and hash(late) == hash(Late("a")) and Late("a") < Late("b")
    assert repr(late).endswith("Late(name='a')") and compiled("__repr__")
    with pytest.raises(FrozenInstanceError):
        late.name = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Late()  # type: ignore[call-arg]


def test_a_record_made_without_init_compares_by_value() -> None:
    @record(frozen=True)
    class Unpickled:
        name: str

    first, second = Unpickled.__new__(Unpickled), Unpickled.__new__(Unpickled)
    first.__dict__["name"] = second.__dict__["name"] = "x"
    assert first == second and hash(first) == hash(second)
