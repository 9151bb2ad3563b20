"""Authorization directives (`@authenticated`, `@requiresScopes`, `@policy`).

Like Apollo Router's default: before planning, every field the request may not see is
removed from the operation; the rest runs as usual, and each removed field comes back as
`null` (GraphQL null propagation applies) with an error `UNAUTHORIZED_FIELD_OR_TYPE` at its
path in the response. When nothing is left, no subgraph is called.

What is checked, for a field `f` selected on type `P` and returning named type `N`:
- the requirement on `P.f`; when `P` is an interface, also on every implementer `T` and
  `T.f` (the data could be any of them);
- the requirement on `N` (object, interface, scalar or enum); a field whose selection set
  becomes empty is removed as a whole;
- a fragment `... on C` (inline or named) needs the requirement on `C`; if it fails, the
  fields inside it are removed for objects of type `C` only.
`__typename` and introspection are never filtered.

A requirement holds when: `@authenticated` - the request carries a verified token;
`@requiresScopes(scopes: [[a, b], [c]])` - the token's `scope` claim has a and b, or c;
`@policy(policies: [[p, q], [r]])` - the policy evaluator grants p and q, or r. Several
directives on one element must all hold.

The filtered operation depends only on the *outcome* for the atoms the document mentions
(authenticated or not, which of its scopes are present, which of its policies are
granted), so the filter result is cached per (document, operation, outcome) and the plan
cache, keyed by the filtered text, reuses plans across requests with the same outcome.

Apollo Router's two other behaviours are `AuthorizationMode`s (the verdict is the same):
- `reject` (Router's `reject_unauthorized`): an operation that selects anything the request
  may not see is refused as a whole before planning - no subgraph call, no `data` - with
  one `UNAUTHORIZED_FIELD_OR_TYPE` error per removed field at its path in the operation
  (`"@"` stands for list items: nothing ran, so there are no indices);
- `dry_run` (Router's `dry_run`): the operation runs unfiltered (the client's document is
  what is planned) and the same operation-path errors are added to the response, so rules
  can be tried on live traffic without breaking it.

Where the `UNAUTHORIZED_FIELD_OR_TYPE` errors go is Router's `authorization.directives.errors`
(`ErrorReporting`): `response` "errors" (default) puts them first in `errors`, "extensions"
moves them to `extensions.authorizationErrors` (clients that throw on any error keep
working), "disabled" drops them; `log` (default on) logs the unauthorized paths of every
request that had any, at ERROR level as Router does.
"""

from __future__ import annotations

from .authorizer import (
    Authorizer,
)
from .claims import (
    ClaimPolicies,
    ClaimRule,
)
from .filter import (
    Filtered,
)
from .reporting import (
    AUTHORIZATION_MODES,
    ERRORS_RESPONSES,
    UNAUTHORIZED,
    AuthorizationMode,
    ErrorReporting,
    PolicyEvaluator,
)
from .requirements import (
    Requirement,
    Requirements,
)
from .subscriptions import (
    SubscriptionGuard,
)

__all__ = [
    "AUTHORIZATION_MODES",
    "ERRORS_RESPONSES",
    "UNAUTHORIZED",
    "AuthorizationMode",
    "Authorizer",
    "ClaimPolicies",
    "ClaimRule",
    "ErrorReporting",
    "Filtered",
    "PolicyEvaluator",
    "Requirement",
    "Requirements",
    "SubscriptionGuard",
]
