"""Requirements read from the supergraph (`@authenticated`, `@requiresScopes`, `@policy`), and
the outcome of one request's credentials against them.

The outcome covers only the atoms a document mentions, so filtered operations can be
cached per (document, operation, outcome).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    parse,
    value_from_ast_untyped,
)
from graphql.language import ast as gast

from ...supergraph_schema import read_links
from .reporting import (
    Dnf,
)


@dataclass(frozen=True)
class Requirement:
    """What one schema element asks of a request; every part must hold."""

    authenticated: bool = False
    scopes: tuple[Dnf, ...] = ()
    policies: tuple[Dnf, ...] = ()

    def __and__(self, other: Requirement) -> Requirement:
        return Requirement(
            self.authenticated or other.authenticated,
            self.scopes + other.scopes,
            self.policies + other.policies,
        )


NONE = Requirement()

_SPECS = {"authenticated", "requiresScopes", "policy"}


def args(directive: DirectiveNode) -> dict[str, Any]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


def _directive_names(doc: DocumentNode) -> dict[str, str]:
    """Directive name in this supergraph -> spec (`@link(as:)` and `import` renames)."""
    return {
        link.directive_name(link.spec): link.spec for link in read_links(doc) if link.spec in _SPECS
    }


def _dnf(value: object) -> Dnf:
    if not isinstance(value, list):
        return ()
    return tuple(frozenset(str(s) for s in inner) for inner in value if isinstance(inner, list))


def _requirement(directives: Iterable[DirectiveNode], names: Mapping[str, str]) -> Requirement:
    req = NONE
    for directive in directives:
        spec = names.get(directive.name.value)
        if spec == "authenticated":
            req = req & Requirement(authenticated=True)
        elif spec == "requiresScopes":
            req = req & Requirement(scopes=(_dnf(args(directive).get("scopes")),))
        elif spec == "policy":
            req = req & Requirement(policies=(_dnf(args(directive).get("policies")),))
    return req


@dataclass
class Requirements:
    """Per type and per field requirements of a supergraph (absent = none)."""

    types: dict[str, Requirement]
    fields: dict[tuple[str, str], Requirement]

    @classmethod
    def from_supergraph(cls, sdl: str) -> Requirements | None:
        """The supergraph's requirements, or None when it links no security spec."""
        doc = parse(sdl, no_location=True)
        names = _directive_names(doc)
        if not names:
            return None
        types: dict[str, Requirement] = {}
        fields: dict[tuple[str, str], Requirement] = {}
        for d in doc.definitions:
            if not isinstance(d, gast.TypeDefinitionNode | gast.TypeExtensionNode):
                continue
            tname = d.name.value
            req = _requirement(d.directives or (), names)
            if req != NONE:
                types[tname] = types.get(tname, NONE) & req
            for fd in getattr(d, "fields", None) or ():
                if isinstance(fd, gast.FieldDefinitionNode):
                    freq = _requirement(fd.directives or (), names)
                    if freq != NONE:
                        key = (tname, fd.name.value)
                        fields[key] = fields.get(key, NONE) & freq
        return cls(types, fields)


# ---- deciding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the request is granted, restricted to what the document mentions."""

    authenticated: bool
    scopes: frozenset[str]
    policies: frozenset[str]

    def allows(self, req: Requirement) -> bool:
        if req.authenticated and not self.authenticated:
            return False
        if not all(any(s <= self.scopes for s in dnf) for dnf in req.scopes):
            return False
        return all(any(p <= self.policies for p in dnf) for dnf in req.policies)


@dataclass
class Mentioned:
    """Records every requirement a traversal consults, and allows them all."""

    authenticated: bool = False
    scopes: set[str] = field(default_factory=set)
    policies: set[str] = field(default_factory=set)

    def allows(self, req: Requirement) -> bool:
        self.authenticated |= req.authenticated
        for dnf in req.scopes:
            for s in dnf:
                self.scopes |= s
        for dnf in req.policies:
            for p in dnf:
                self.policies |= p
        return True

    @property
    def empty(self) -> bool:
        return not (self.authenticated or self.scopes or self.policies)
