"""Production and development profiles: what the gateway shows about itself.

`create_app(..., profile="production")` (the default, and `pos gateway`'s) or
`"development"` (`pos run`'s). Overrides: `introspection=`, `graphiql=` (`pos gateway
--introspection/--no-introspection --graphiql/--no-graphiql`).

| | production | development |
|---|---|---|
| introspection (`__schema`, `__type`) | refused: `INTROSPECTION_DISABLED` | served |
| GraphiQL page and assets | 404 | served |
| "Did you mean ...?" in messages | cut | kept |
| unexpected and subgraph-internal errors | generic message + `errorId`, logged | as they are |
| `serviceName` / subgraph socket errors | hidden | shown |
| stack traces | never | never |

`__typename` is always allowed. The error rules are `masking.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..execution.masking import ErrorMasking

ProfileName = Literal["production", "development"]
PROFILES: tuple[ProfileName, ...] = ("production", "development")


@dataclass(frozen=True)
class Profile:
    name: ProfileName
    introspection: bool
    graphiql: bool
    masking: ErrorMasking

    @classmethod
    def of(
        cls, name: str, *, introspection: bool | None = None, graphiql: bool | None = None
    ) -> Profile:
        if name not in PROFILES:
            raise ValueError(f"profile {name!r}: expected production or development")
        production = name == "production"
        return cls(
            "production" if production else "development",
            (not production) if introspection is None else introspection,
            (not production) if graphiql is None else graphiql,
            ErrorMasking(mask=production, suggestions=not production),
        )


INTROSPECTION_DISABLED = {
    "message": "GraphQL introspection is disabled on this gateway (production profile); "
    "`__typename` is allowed. Enable it with --introspection or use the development "
    "profile.",
    "extensions": {"code": "INTROSPECTION_DISABLED"},
}
