"""Stable event names, and a domain that imports no infrastructure."""

from __future__ import annotations

import ast
from pathlib import Path

import subgraphs.sales.domain as domain
from eventbus import DomainEvent, registry
from subgraphs.sales.domain import events, shift_events

FORBIDDEN = ("beanie", "sqlmodel", "sqlalchemy", "strawberry", "ariadne", "aiokafka", "pymongo")


def test_every_event_has_a_stable_versioned_pos_sales_name() -> None:
    names = {
        obj.event_type
        for module in (events, shift_events)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, DomainEvent) and obj.event_type
    }
    assert len(names) >= 27
    assert all(n.startswith("pos.sales.") and n.endswith(".v1") for n in names)
    assert all(n in registry for n in names)


def test_the_domain_imports_no_infrastructure() -> None:
    root = Path(domain.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
                assert not name.startswith(("subgraphs.hosting", "eventbus.sql")), name
