"""The entity cache: `_entities` and root query answers of subgraphs, invalidated by events.

Subgraphs declare what may be cached with `@cacheable` (supergraph/caching/spec.py). The
executor hands every call to a declaring subgraph to `EntityCache.post`, which answers
what it holds and sends the subgraph only the rest:

- `_entities`: one entry per representation, keyed by (subgraph, the representation, the
  query text, the other variables, the caller's visibility). A partial hit sends only the
  misses and merges the answers back in the order asked (errors renumbered).
- a root query whose every field is `@cacheable`: one entry per (subgraph, query text,
  variables, visibility).

Visibility: a PRIVATE rule's entries are keyed on what the gateway forwards that can
change a subgraph's answer: the forwarded headers and the caller's claims in the gateway
identity token (its timestamps left out, so one caller's entries survive token renewal).
Callers with different identities never share an entry. PUBLIC rules share entries.

Freshness, "never stale beyond the projection lag": an event reaches the gateway's feed at
about the time the subgraph's projector sees it, and may arrive *before* the read model is
updated. So an event (or a mutation this gateway sent to the subgraph) drops the entity's
entries and marks it unsettled for `settle` seconds: answers fetched while it is unsettled
(or fetched before the event and answered after it) are passed on but never stored. An
answer is stored only when its fetch began `settle` seconds after the last event for every
entity it holds, by when the projection has applied the event (if the projection lags
longer than `settle`, `maxAge` still bounds the entry). While the feed is not consuming
(broker away, subscriber overflow), the cache is bypassed, and it is emptied when the feed
resumes: events may have been missed.

Where entries live is the store's business (`entity_cache_store.EntityStore`): in this
process, or in Redis shared by every gateway instance (`redis_store.py`). The settle marks
stay per instance: each instance's feed sees every event and marks it itself, so they
need no sharing; a store that fails answers misses and the subgraphs answer.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import FieldNode, OperationDefinitionNode, parse

from eventbus.envelope import Envelope
from supergraph.caching.spec import CachePolicy, CacheRule
from supergraph.subscriptions.spec import MISSING

from ..fetching.fetcher import FetchFailure
from ..fetching.subgraph_identity import FORWARDED_CLAIMS, HEADER
from .entity_cache_store import EntityStore, MemoryStore, Put

log = logging.getLogger(__name__)

Answer = dict[str, Any] | FetchFailure
Send = Callable[[Mapping[str, Any] | None], Awaitable[Answer]]
DEFAULT_SETTLE = 3.0
_SHAPES_MAX = 4096


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a subgraph operation is, as far as the cache cares."""

    kind: str  # "entities", "root", "mutation" or "other"
    root_fields: tuple[str, ...] = ()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    not_stored: int = 0  # unsettled entity, errors, or uncacheable
    bypassed: int = 0  # the feed was not consuming
    invalidations: int = 0

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


@dataclass
class EntityCache:
    policy: CachePolicy
    store: EntityStore = field(default_factory=MemoryStore)
    settle: float = DEFAULT_SETTLE
    clock: Callable[[], float] = time.monotonic
    stats: CacheStats = field(default_factory=CacheStats)
    live: bool = False
    """Whether the invalidation feed is consuming (set by `entity_cache_feed`)."""
    _shapes: dict[str, _Shape] = field(default_factory=dict)
    _marks: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _flushed_at: float = float("-inf")
    _claims: OrderedDict[str, bytes] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        self._services = self.policy.subgraphs
        self.needs_feed = bool(self.policy.topics)

    def replace_policy(self, policy: CachePolicy, namespace: str) -> None:
        """New rules (a reloaded supergraph): no entry of the old one is served again, it
        may break them (a shared store keeps them apart by the supergraph's namespace)."""
        self.policy = policy
        self.__post_init__()
        self.store.use_namespace(namespace)
        self._flushed_at = self.clock()

    def covers(self, service: str) -> bool:
        return service in self._services

    async def flush(self) -> None:
        """Forget everything (the feed may have missed events)."""
        self.mark_flushed()
        await self.store.flush()

    def mark_flushed(self) -> None:
        """Store nothing fetched before now (the feed stopped: events may be missed)."""
        self._flushed_at = self.clock()

    # ---- the subgraph call ----

    async def post(
        self, service: str, query: str, variables: Mapping[str, Any] | None,
        headers: Mapping[str, str], send: Send,
    ) -> Answer:  # fmt: skip
        shape = self._shape(query)
        if shape.kind == "mutation":
            answer = await send(variables)
            await self._unsettle([f"s\0{service}"])  # read-your-writes through this gateway
            return answer
        if shape.kind == "other" or (self.needs_feed and not self.live):
            if shape.kind != "other":
                self.stats.bypassed += 1
            return await send(variables)
        if shape.kind == "root":
            return await self._root(service, query, shape, variables, headers, send)
        return await self._entities(service, query, variables or {}, headers, send)

    async def _root(
        self, service: str, query: str, shape: _Shape, variables: Mapping[str, Any] | None,
        headers: Mapping[str, str], send: Send,
    ) -> Answer:  # fmt: skip
        rules = [self.policy.roots.get((service, f)) for f in shape.root_fields]
        if not rules or any(r is None for r in rules):
            return await send(variables)
        found = [r for r in rules if r is not None]
        public = all(r.public for r in found)
        key = _digest([service, query, variables or {}, "" if public else self._vis(headers)])
        now = self.clock()
        cached = (await self.store.get_many([key], now))[0]
        if cached is not None:
            self.stats.hits += 1
            return {"data": orjson.loads(cached)}
        self.stats.misses += 1
        answer = await send(variables)
        if isinstance(answer, FetchFailure) or answer.get("errors"):
            self.stats.not_stored += 1
            return answer
        data = answer.get("data")
        tags = (f"s\0{service}", *(f"r\0{service}\0{r.field}" for r in found))
        if isinstance(data, dict) and self._settled(tags, now):
            ttl = min(r.max_age for r in found)
            await self.store.put_many([(key, orjson.dumps(data), ttl, tags)], now)
            self.stats.stored += 1
        else:
            self.stats.not_stored += 1
        return answer

    async def _entities(
        self, service: str, query: str, variables: Mapping[str, Any],
        headers: Mapping[str, str], send: Send,
    ) -> Answer:  # fmt: skip
        representations = variables.get("representations")
        if not isinstance(representations, list):
            return await send(variables)
        others = {k: v for k, v in variables.items() if k != "representations"}
        vis: str | None = None
        now = self.clock()
        keys: list[tuple[bytes, CacheRule, tuple[str, ...]] | None] = []
        hits: dict[int, Any] = {}
        for rep in representations:
            rule = self._entity_rule(service, rep)
            tags = self._entity_tags(service, rule, rep) if rule is not None else None
            if rule is None or tags is None:
                keys.append(None)
                continue
            if not rule.public and vis is None:
                vis = self._vis(headers)
            key = _digest([service, query, others, "" if rule.public else vis, rep])
            keys.append((key, rule, tags))
        asked = [(i, at[0]) for i, at in enumerate(keys) if at is not None]
        if asked:  # one round trip for the batch
            found = await self.store.get_many([key for _, key in asked], now)
            for (position, _key), cached in zip(asked, found, strict=True):
                if cached is not None:
                    hits[position] = orjson.loads(cached)
        self.stats.hits += len(hits)
        self.stats.misses += len(representations) - len(hits)
        if len(hits) == len(representations):
            return {"data": {"_entities": [hits[i] for i in range(len(representations))]}}
        misses = [i for i in range(len(representations)) if i not in hits]
        sent = variables if not hits else {**variables, "representations": [
            representations[i] for i in misses
        ]}  # fmt: skip
        answer = await send(sent)
        if isinstance(answer, FetchFailure):
            return answer
        data = answer.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        if not isinstance(entities, list) or len(entities) != len(misses):
            # not an answer to what was asked: the whole request again, without the cache
            return answer if not hits else await send(variables)
        failed = _failed_positions(answer.get("errors"))
        puts: list[Put] = []
        for j, entity in enumerate(entities):
            at = keys[misses[j]]
            if at is None or not isinstance(entity, dict) or failed is None or j in failed:
                self.stats.not_stored += at is not None
                continue
            key, rule, tags = at
            if self._settled(tags, now):
                puts.append((key, orjson.dumps(entity), rule.max_age, tags))
                self.stats.stored += 1
            else:
                self.stats.not_stored += 1
        if puts:
            await self.store.put_many(puts, now)
        if not hits:
            return answer
        merged: list[Any] = [None] * len(representations)
        for i, value in hits.items():
            merged[i] = value
        for j, entity in enumerate(entities):
            merged[misses[j]] = entity
        return _renumbered(answer, misses, merged)

    def _entity_rule(self, service: str, rep: Any) -> CacheRule | None:
        if not isinstance(rep, dict):
            return None
        return self.policy.entities.get((service, str(rep.get("__typename"))))

    @staticmethod
    def _entity_tags(service: str, rule: CacheRule, rep: dict[str, Any]) -> tuple[str, ...] | None:
        """The entry's tags; None when the representation lacks a key field the events
        name (an entity fetched by another key): it could not be invalidated."""
        if not rule.key:
            return (f"s\0{service}",)
        values = []
        for mapping in rule.key:
            value = rep.get(mapping.name)
            if value is None or isinstance(value, dict | list):
                return None
            values.append(_comparable(value))
        return (f"s\0{service}", _entity_tag(service, rule.type_name, values))

    # ---- events ----

    async def on_event(self, topic: str, envelope: Envelope) -> int:
        """Drop the entries the event makes stale; how many (0 when another gateway
        instance sharing the store dropped them first)."""
        tags: list[str] = []
        for rule in self.policy.rules:
            if rule.topic != topic or envelope.type not in rule.events:
                continue
            if rule.field is not None:
                tag = f"r\0{rule.subgraph}\0{rule.field}"
            else:
                values = [mapping.path.read(envelope) for mapping in rule.key]
                if any(v is MISSING for v in values):
                    log.debug(
                        "entity cache: %s event %s lacks a key of %s; flushing %s's entries",
                        topic, envelope.type, rule.type_name, rule.subgraph,
                    )  # fmt: skip
                    tag = f"s\0{rule.subgraph}"
                else:
                    values = [_comparable(v) for v in values]
                    tag = _entity_tag(rule.subgraph, rule.type_name, values)
            tags.append(tag)
        return await self._unsettle(tags) if tags else 0

    async def _unsettle(self, tags: list[str]) -> int:
        now = self.clock()
        for tag in tags:
            self._marks[tag] = now
            self._marks.move_to_end(tag)
        while self._marks:
            oldest, at = next(iter(self._marks.items()))
            if at + self.settle >= now:
                break
            del self._marks[oldest]
        self.stats.invalidations += len(tags)
        return await self.store.invalidate_tags(tags)

    def _settled(self, tags: tuple[str, ...], started: float) -> bool:
        if started < self._flushed_at:
            return False
        for tag in tags:
            at = self._marks.get(tag)
            if at is not None and started < at + self.settle:
                return False
        return True

    # ---- keys ----

    def _shape(self, query: str) -> _Shape:
        shape = self._shapes.get(query)
        if shape is None:
            shape = _analyse(query)
            if len(self._shapes) >= _SHAPES_MAX:
                self._shapes.clear()
            self._shapes[query] = shape
        return shape

    def _vis(self, headers: Mapping[str, str]) -> str:
        parts: list[Any] = []
        for name in sorted(headers):
            value = headers[name]
            if name.lower() == HEADER:
                parts.append([name, self._claims_of(value)])
            else:
                parts.append([name, value])
        return orjson.dumps(parts).decode()

    def _claims_of(self, token: str) -> str:
        """The caller's claims in a gateway identity token, without its timestamps (a
        token the gateway signed itself; only its payload is read)."""
        found = self._claims.get(token)
        if found is None:
            try:
                payload = token.split(".")[1]
                claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
                kept = {k: claims.get(k) for k in (*FORWARDED_CLAIMS, "client_iss")}
                found = orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)
            except (IndexError, ValueError, orjson.JSONDecodeError, AttributeError):
                found = token.encode()  # unreadable: the token itself, never shared
            self._claims[token] = found
            if len(self._claims) > 1024:
                self._claims.popitem(last=False)
        return found.decode()


def _entity_tag(service: str, type_name: str, values: list[Any]) -> str:
    return f"e\0{service}\0{type_name}\0" + orjson.dumps(values).decode()


def _comparable(value: Any) -> Any:
    """IDs are strings in representations but may be numbers in event data."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _digest(parts: list[Any]) -> bytes:
    raw = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(raw, digest_size=20).digest()


def _analyse(query: str) -> _Shape:
    try:
        document = parse(query)
    except Exception:
        return _Shape("other")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        return _Shape("other")
    operation = operations[0]
    if operation.operation.value == "mutation":
        return _Shape("mutation")
    if operation.operation.value != "query":
        return _Shape("other")
    fields = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return _Shape("other")  # fragments or @skip/@include at the root: not ours
        if selection.name.value != "__typename":
            fields.append(selection.name.value)
    if fields == ["_entities"]:
        return _Shape("entities")
    if not fields or "_entities" in fields:
        return _Shape("other")
    return _Shape("root", tuple(fields))


def _failed_positions(errors: Any) -> set[int] | None:
    """Positions of the `_entities` answers an error points into; None when an error
    points at none (it may concern any of them: store nothing)."""
    failed: set[int] = set()
    for error in errors or ():
        path = error.get("path") if isinstance(error, dict) else None
        if not (isinstance(path, list) and len(path) >= 2 and isinstance(path[1], int)):
            return None
        failed.add(path[1])
    return failed


def _renumbered(answer: dict[str, Any], misses: list[int], merged: list[Any]) -> Answer:
    """The subgraph's answer for the misses as the answer to every representation asked."""
    out: dict[str, Any] = {k: v for k, v in answer.items() if k not in ("data", "errors")}
    out["data"] = {**(answer.get("data") or {}), "_entities": merged}
    errors = []
    for error in answer.get("errors") or ():
        path = error.get("path") if isinstance(error, dict) else None
        if (
            isinstance(path, list)
            and len(path) >= 2
            and isinstance(path[1], int)
            and path[1] < len(misses)
        ):
            error = {**error, "path": [path[0], misses[path[1]], *path[2:]]}
        errors.append(error)
    if errors:
        out["errors"] = errors
    return out
