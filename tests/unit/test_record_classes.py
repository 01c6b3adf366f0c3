"""Records and values are frozen msgspec Structs (CONTRIBUTING.md): no module declares a
frozen dataclass but the one allowed, and nothing is changed with
``dataclasses.replace``, which raises TypeError given a Struct and which mypy, taking a
Struct for a dataclass, does not flag."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FROZEN_DATACLASSES_ALLOWED = {"Parcel"}
"""``insights.delivery.model.Parcel`` keeps its render cache out of its equality."""


def modules(*folders: str) -> Iterator[tuple[str, ast.Module]]:
    """Each module under ``folders`` (relative to the repository), parsed, by path."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text("utf-8"))


def frozen_dataclass(node: ast.ClassDef) -> bool:
    """Whether the class is decorated ``@dataclass(frozen=True, ...)``."""
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        name = getattr(decorator.func, "id", getattr(decorator.func, "attr", None))
        frozen = any(
            keyword.arg == "frozen"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is True
            for keyword in decorator.keywords
        )
        if name == "dataclass" and frozen:
            return True
    return False


def dataclasses_replace(node: ast.AST) -> bool:
    """Whether the node imports ``dataclasses.replace`` or names it."""
    if isinstance(node, ast.ImportFrom) and node.module == "dataclasses":
        return any(alias.name == "replace" for alias in node.names)
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "replace"
        and isinstance(node.value, ast.Name)
        and node.value.id == "dataclasses"
    )


def test_no_frozen_dataclass_but_the_allowed_one() -> None:
    found = [
        f"{path}: {node.name}"
        for path, tree in modules("cxdaily")
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and frozen_dataclass(node)
        and node.name not in FROZEN_DATACLASSES_ALLOWED
    ]
    assert found == []


def test_nothing_is_changed_with_dataclasses_replace() -> None:
    found = [
        f"{path}:{node.lineno}"  # type: ignore[attr-defined]
        for path, tree in modules("cxdaily", "tests")
        for node in ast.walk(tree)
        if dataclasses_replace(node)
    ]
    assert found == []


def test_the_checks_find_what_they_look_for() -> None:
    tree = ast.parse(
        "from dataclasses import dataclass, replace\nimport dataclasses\n"
        "@dataclass(frozen=True)\nclass Value:\n    x: int\n"
        "@dataclass\nclass State:\n    x: int\n"
        "changed = dataclasses.replace(Value(1), x=2)\n"
    )
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    assert [c.name for c in classes if frozen_dataclass(c)] == ["Value"]
    assert sum(dataclasses_replace(n) for n in ast.walk(tree)) == 2
