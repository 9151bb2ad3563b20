"""Consistency tokens: which event-store positions a write produced, per context.

A command commits its events at known global store positions. To let a client read its
own writes through any read model (its own subgraph's or another's, such as reporting,
which projects sales events), the mutation's response names those positions; a later
query hands them back and each read side waits, bounded, until its projections have
handled the events at them (`eventbus.progress`).

The token is text, so it travels unchanged in a header (`POS-Consistency`) or in a
GraphQL `extensions` entry: comma-separated ``<context>:<from>-<to>`` ranges (``<to>``
left out when equal), e.g. ``sales:1230-1236,inventory:1237``. Clients treat it as
opaque. It is only a wait hint: it grants nothing, and a reader never waits past its
bound for it; a malformed one is refused (`MalformedToken`) rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eventbus.envelope import Envelope

MAX_TOKEN_LENGTH = 1024
"""Longer text is refused: a token names a handful of contexts, each one range."""

MAX_CONTEXTS = 16

_ENTRY = re.compile(r"([a-z][a-z0-9_]{0,39}):([0-9]{1,18})(?:-([0-9]{1,18}))?")


class MalformedToken(ValueError):
    """The text is not a consistency token this service wrote (say what one looks like)."""


@dataclass(frozen=True, slots=True)
class Span:
    """The store positions a write produced in one context, `first` to `last` inclusive."""

    first: int
    last: int

    def union(self, other: Span) -> Span:
        return Span(min(self.first, other.first), max(self.last, other.last))


ConsistencyToken = Mapping[str, Span]
"""Context name -> the span of positions to wait for."""


def token_of(envelopes: Iterable[Envelope]) -> dict[str, Span]:
    """The token naming where `envelopes` (as stored: with positions) landed."""
    token: dict[str, Span] = {}
    for envelope in envelopes:
        if envelope.position is None:
            continue
        span = Span(envelope.position, envelope.position)
        known = token.get(envelope.source)
        token[envelope.source] = span if known is None else known.union(span)
    return token


def merge_tokens(*tokens: ConsistencyToken) -> dict[str, Span]:
    """One token covering all of `tokens` (per context, the union of the spans)."""
    merged: dict[str, Span] = {}
    for token in tokens:
        for context, span in token.items():
            known = merged.get(context)
            merged[context] = span if known is None else known.union(span)
    return merged


def format_token(token: ConsistencyToken) -> str:
    entries = []
    for context in sorted(token):
        span = token[context]
        text = str(span.first) if span.first == span.last else f"{span.first}-{span.last}"
        entries.append(f"{context}:{text}")
    return ",".join(entries)


def parse_token(text: str) -> dict[str, Span]:
    """Read a token; raises `MalformedToken` for anything `format_token` would not write."""
    if not isinstance(text, str) or not text.strip():
        raise MalformedToken(_explain("it is empty"))
    if len(text) > MAX_TOKEN_LENGTH:
        raise MalformedToken(_explain(f"it is longer than {MAX_TOKEN_LENGTH} characters"))
    token: dict[str, Span] = {}
    for raw in text.strip().split(","):
        match = _ENTRY.fullmatch(raw.strip())
        if match is None:
            raise MalformedToken(_explain(f"{raw.strip()[:40]!r} is not <context>:<from>-<to>"))
        context, first, last = match.group(1), int(match.group(2)), match.group(3)
        span = Span(first, int(last) if last is not None else first)
        if span.first < 1 or span.last < span.first:
            raise MalformedToken(_explain(f"{raw.strip()!r} is not a rising range of positions"))
        known = token.get(context)
        token[context] = span if known is None else known.union(span)
    if len(token) > MAX_CONTEXTS:
        raise MalformedToken(_explain(f"it names more than {MAX_CONTEXTS} contexts"))
    return token


def _explain(why: str) -> str:
    return (
        f"The consistency token is malformed: {why}. Send back exactly the "
        "`extensions.consistency` string a mutation's response carried (e.g. "
        "'sales:1230-1236'), or send none."
    )
