"""The estimate used to choose between subgraphs (`@shareable`, `@provides`, several
keys): how many entity jumps the rest of the selection would need from each option.
"""

from __future__ import annotations

import math
from collections.abc import Sequence as Seq

from .collect import Collector
from .fields import (
    CField,
)


class CostEstimator(Collector):
    """Cost estimates; see `Planner`."""

    def cost(
        self,
        graph: str,
        type_name: str,
        fields: Seq[CField],
        provided: dict | None,
        depth: int = 0,
    ) -> float:
        if depth > 8:  # depth counts @requires recursion only, never selection nesting
            return math.inf
        ck = (graph, type_name, tuple(map(id, fields)), id(provided), depth)
        cached = self._cost_cache.get(ck)
        if cached is not None:
            return cached
        total = 0.0
        for f in fields:
            if f.name.startswith("__"):
                continue
            best = math.inf
            if self._local(graph, type_name, f, provided):
                best = self._sub_cost(graph, type_name, f, provided, depth)
            if best > 0:
                for g, rep_type in self._jumps(graph, type_name, f):
                    c = self._jump_cost(graph, type_name, f, g, rep_type, provided, depth)
                    req = self._requires(rep_type, f.name, g)
                    if req is not None:
                        c += self.cost(
                            graph,
                            type_name,
                            self._internal_fields(req, type_name),
                            provided,
                            depth + 1,
                        )
                    best = min(best, c)
            total += best
            if total == math.inf:
                break
        self._cost_cache[ck] = total
        return total

    def _sub_cost(
        self, graph: str, type_name: str, f: CField, provided: dict | None, depth: int
    ) -> float:
        if f.sub is None:
            return 0.0
        sub_provided = self._provided_sub(graph, type_name, f, provided)
        return sum(
            self.cost(graph, t, fields, self._for_type(sub_provided, t), depth)
            for t, fields in self._sub_types(graph, type_name, f)
        )

    def _jump_cost(
        self,
        graph: str,
        type_name: str,
        f: CField,
        target: str,
        rep_type: str,
        provided: dict | None,
        depth: int = 0,
    ) -> float:
        """An entity fetch from `graph` to `target` for `f`: the fetch itself, what it
        selects there and what reaching the key costs here."""
        c = 1 + self._sub_cost(target, rep_type, f, None, depth)
        return c + self._key_cost(graph, type_name, target, rep_type, provided, depth)

    def _key_cost(
        self,
        graph: str,
        type_name: str,
        target: str,
        rep_type: str,
        provided: dict | None,
        depth: int,
    ) -> float:
        keys = self.sg.graphs_of_type(rep_type)[target].resolvable_keys
        best = math.inf
        for key in keys:
            kf = self._internal_fields(key, type_name)
            if all(self._local(graph, type_name, k, provided) for k in kf):
                # a key object's own fields may still need hops (`products { category }`)
                nested = sum(self._sub_cost(graph, type_name, k, provided, depth) for k in kf)
                if nested == 0:
                    return 0.0
                best = min(best, nested)
                continue
            if depth < 6:
                # the key itself needs a hop first (key-to-key): only if that is possible
                best = min(best, 0.5 + self.cost(graph, type_name, kf, provided, depth + 1))
        return best
