"""The `pos gateway` options turned into `create_app` arguments: one function per concern
(security, limits, traffic, caching, trusted documents, plugins, subgraph identity).

Kept out of the command module so the command reads as its options and what it starts;
each function raises `typer.BadParameter` (or exits 2) for an option it cannot use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import typer


def plugins(specs: Sequence[str]) -> list[Any]:
    """`create_app(plugins=...)` from --plugin package.module:Class options."""
    from supergraph.runtime.plugins.api import load_plugin

    try:
        loaded = [load_plugin(spec) for spec in specs]
    except Exception as e:  # a plugin's import or constructor may raise anything
        raise typer.BadParameter(str(e), param_hint="--plugin") from e
    for p in loaded:
        typer.echo(
            f"  plugin: {p.name} ({p.__class__.__module__}.{p.__class__.__name__})", err=True
        )
    return loaded


def entity_cache(store: str, redis_url: str | None = None, redis_prefix: str | None = None) -> Any:
    """`create_app(entity_cache=...)`: memory, redis (the store shared by gateway instances,
    at --entity-cache-redis-url, else POS_REDIS_URL) or off (runtime/caching/)."""
    from pos.settings import Settings
    from supergraph.runtime.caching.entity_cache_feed import STORES, EntityCacheOptions

    if store not in STORES:
        raise typer.BadParameter(
            f"{store!r}: expected memory, redis or off", param_hint="--entity-cache"
        )
    if store != "redis":
        for value, hint in ((redis_url, "url"), (redis_prefix, "prefix")):
            if value is not None:
                raise typer.BadParameter(
                    "needs --entity-cache redis", param_hint=f"--entity-cache-redis-{hint}"
                )
        return store
    url = redis_url or Settings.from_env().redis_url
    if url.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        raise typer.BadParameter(
            f"{url!r}: expected redis://host:port/db, rediss://... or unix://...",
            param_hint="--entity-cache-redis-url",
        )
    if redis_prefix is None:
        return EntityCacheOptions(store="redis", redis_url=url)
    if not redis_prefix or not redis_prefix.isprintable():
        raise typer.BadParameter(
            f"{redis_prefix!r}: expected printable text", param_hint="--entity-cache-redis-prefix"
        )
    return EntityCacheOptions(store="redis", redis_url=url, redis_prefix=redis_prefix)


def trusted_documents(paths: Sequence[Path], mode: str | None, profile: str) -> Any:
    """`create_app(trusted_documents=...)`: the loaded manifests, or None without any."""
    from supergraph.runtime.plugins.trusted_documents import MODES, TrustedDocuments

    if not paths:
        if mode is not None:
            raise typer.BadParameter(
                "needs --trusted-documents", param_hint="--trusted-documents-mode"
            )
        return None
    chosen = mode or ("enforce" if profile == "production" else "allow")
    if chosen not in MODES:
        raise typer.BadParameter(
            f"{chosen!r}: expected one of {', '.join(MODES)}", param_hint="--trusted-documents-mode"
        )
    try:
        loaded = TrustedDocuments.from_files(paths, chosen)
    except (OSError, ValueError) as e:
        raise typer.BadParameter(str(e), param_hint="--trusted-documents") from e
    typer.echo(f"  trusted documents: {len(loaded)} ({chosen})", err=True)
    return loaded


def policies(
    profile: str,
    introspection: bool | None,
    graphiql: bool | None,
    origins: Sequence[str],
    credentials: bool,
    csrf: bool,
    check_origin: bool,
    max_body_size: int,
    rates: tuple[float, int, int, int],
) -> dict[str, Any]:
    """`create_app` arguments for the HTTP policies (supergraph/runtime/server/policies.py)."""
    from supergraph.runtime.plugins.rate_limit import RateLimits
    from supergraph.runtime.server.cors import Cors
    from supergraph.runtime.server.csrf import CsrfPrevention
    from supergraph.runtime.server.profile import PROFILES

    if profile not in PROFILES:
        raise typer.BadParameter(
            f"{profile!r}: expected production or development", param_hint="--profile"
        )
    rate, burst, websockets, subscriptions = rates
    try:
        cors = Cors(allow_origins=tuple(origins), allow_credentials=credentials)
        limits = (
            RateLimits(rate, burst, websockets or None, subscriptions or None) if rate > 0 else None
        )
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--cors-origin/--rate-*") from e
    return {
        "profile": profile,
        "introspection": introspection,
        "graphiql": graphiql,
        "cors": cors,
        "csrf": CsrfPrevention() if csrf else None,
        "check_origin": check_origin,
        "max_body_size": max_body_size if max_body_size > 0 else None,
        "rate_limits": limits,
    }


def staff_issuer(sdl: str, urls: Mapping[str, str]) -> list[Any]:
    """The POS staff context as a trusted issuer when the supergraph has a subgraph named
    `staff` (its URL overridden or as composed): its tokens are what POS clients send.
    Its keys are read on first use (the staff service may start after the gateway).
    Nothing for any other supergraph."""
    from urllib.parse import urlsplit

    from subgraphs.staff.security.identity import AUDIENCE, DEFAULT_ISSUER
    from supergraph.runtime import load_supergraph
    from supergraph.runtime.plugins.authentication import JwksSource, TrustedIssuer

    try:
        graphs = load_supergraph(sdl).graphs.values()
    except Exception:  # the gateway reports an unusable supergraph itself
        return []
    url = urls.get("staff") or next((g.url for g in graphs if g.name == "staff"), None)
    if not url:
        return []
    parts = urlsplit(url)
    jwks = f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"
    typer.echo(f"  staff tokens: verified with {jwks}", err=True)
    issuer = os.environ.get("POS_STAFF_ISSUER", DEFAULT_ISSUER)
    return [TrustedIssuer(JwksSource(jwks), issuer=issuer, audience=AUDIENCE)]


def issuers(
    jwks: str | None,
    issuer: str | None,
    audience: str | None,
    roles_claim: str | None,
    roles: Sequence[str],
) -> list[Any]:
    """The --jwks issuer (read now: a wrong path or URL stops the gateway), if any."""
    from supergraph.runtime.plugins.authentication import JwksError, JwksSource, TrustedIssuer

    if not jwks:
        if issuer or audience or roles_claim or roles:
            raise typer.BadParameter(
                "--jwt-issuer/--jwt-audience/--jwt-roles-claim/--jwt-role need --jwks",
                param_hint="--jwks",
            )
        return []
    role_scopes: dict[str, list[str]] = {}
    for entry in roles:
        role, sep, scopes = entry.partition("=")
        if not sep or not role.strip():
            raise typer.BadParameter(
                f"{entry!r}: expected ROLE=scope,scope", param_hint="--jwt-role"
            )
        role_scopes[role.strip()] = [x.strip() for x in scopes.split(",") if x.strip()]
    if role_scopes and not roles_claim:
        raise typer.BadParameter("--jwt-role needs --jwt-roles-claim", param_hint="--jwt-role")
    source = JwksSource(jwks)
    try:
        source.load_now()
    except (OSError, JwksError) as e:
        typer.echo(f"error: cannot use the JWKS {jwks}: {e}", err=True)
        raise typer.Exit(2) from e
    return [TrustedIssuer(source, issuer, audience, roles_claim, role_scopes)]


def security(issuers: Sequence[Any], policies: Sequence[str]) -> dict[str, Any]:
    """`create_app` arguments for JWT authentication and `@policy` decisions."""
    from supergraph.runtime.plugins.authentication import JwtAuthenticator
    from supergraph.runtime.plugins.authorization import ClaimPolicies

    out: dict[str, Any] = {}
    try:
        out["policy_evaluator"] = ClaimPolicies.parse(policies)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--policy") from e
    if issuers:
        out["authenticator"] = JwtAuthenticator(issuers=issuers)
    return out


def authorization_mode(option: str) -> Any:
    """`--authorization-mode` (filter, reject, dry-run) as an `AuthorizationMode`."""
    from supergraph.runtime.plugins.authorization import AUTHORIZATION_MODES

    mode = option.strip().lower().replace("-", "_")
    if mode not in AUTHORIZATION_MODES:
        raise typer.BadParameter(
            f"{option!r}: expected filter, reject or dry-run", param_hint="--authorization-mode"
        )
    return mode


def authorization_errors(option: str, log_paths: bool) -> Any:
    """`--authorization-errors` and `--[no-]authorization-log` as an `ErrorReporting`."""
    from supergraph.runtime.plugins.authorization import ERRORS_RESPONSES, ErrorReporting

    wanted = option.strip().lower()
    for response in ERRORS_RESPONSES:
        if response == wanted:
            return ErrorReporting(response, log_paths)
    raise typer.BadParameter(
        f"{option!r}: expected errors, extensions or disabled",
        param_hint="--authorization-errors",
    )


def demand_control(max_cost: float | None, list_size: int | None) -> Any:
    """The `DemandControl` budget the options ask for (the safe default when not given), or
    None (--max-cost 0: no cost limit)."""
    import dataclasses

    from supergraph.runtime.plugins.demand_control import DemandControl

    if max_cost == 0:
        if list_size is not None:
            raise typer.BadParameter("needs demand control", param_hint="--default-list-size")
        return None
    budget = DemandControl.safe_default()
    changes: dict[str, Any] = {}
    if max_cost is not None:
        changes["max_cost"] = max_cost
    if list_size is not None:
        changes["list_size"] = list_size
    try:
        return dataclasses.replace(budget, **changes)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-cost/--default-list-size") from e


def safety(*values: int | None) -> dict[str, Any]:
    """`create_app(document_limits=...)` from the document options (None: the default,
    0: off)."""
    import dataclasses

    from supergraph.runtime.plugins.document_limits import DocumentLimits

    names = (
        "max_length",
        "max_tokens",
        "max_nesting",
        "max_expanded_fields",
        "max_directives",
        "max_field_repeats",
    )
    given = {n: v or None for n, v in zip(names, values, strict=True) if v is not None}
    try:
        return {"document_limits": dataclasses.replace(DocumentLimits(), **given)}
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-tokens/--max-nesting/...") from e


def limits(
    depth: int | None, height: int | None, roots: int | None, aliases: int | None, warn: bool
) -> Any:
    """The `OperationLimits` the options ask for (a limit not given keeps its safe default,
    0 turns it off), or None (no limit)."""
    import dataclasses

    from supergraph.runtime.plugins.limits import OperationLimits

    names = ("max_depth", "max_height", "max_root_fields", "max_aliases")
    values = (depth, height, roots, aliases)
    given: dict[str, Any] = {
        n: v or None for n, v in zip(names, values, strict=True) if v is not None
    }
    try:
        limits = dataclasses.replace(OperationLimits(warn_only=warn), **given)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-depth/--max-height/...") from e
    if warn and not limits.enabled:
        raise typer.BadParameter("needs a --max-* limit", param_hint="--limits-warn-only")
    return limits if limits.enabled else None


def batching(enabled: bool, max_size: int | None) -> Any:
    """The `Batching` settings the options ask for, or None (batching off)."""
    from supergraph.runtime.server.batching import DEFAULT_MAX_SIZE, Batching

    if not enabled:
        if max_size is not None:
            raise typer.BadParameter("needs --batching", param_hint="--max-batch-size")
        return None
    try:
        return Batching(DEFAULT_MAX_SIZE if max_size is None else max_size)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-batch-size") from e


def traffic(settings: Sequence[str]) -> Any:
    """The `TrafficPolicy` the --subgraph-traffic settings ask for (None: the defaults)."""
    from supergraph.runtime.fetching.traffic import TrafficPolicy

    if not settings:
        return None
    try:
        return TrafficPolicy.from_settings(list(settings))
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--subgraph-traffic") from e


def subgraph_identity(settings: Any) -> Any:
    """The key the gateway signs its subgraph calls with (`subgraph_identity.py`):
    POS_GATEWAY_IDENTITY_KEY (a private Ed25519 JWK file), else the development default
    under the data dir, made on first start. The public JWKS is written beside it, where
    `pos serve` looks by default (POS_GATEWAY_IDENTITY_JWKS)."""
    from supergraph.runtime.fetching.subgraph_identity import IdentitySigner, jwks_path_for

    path = settings.identity_key_path
    try:
        if settings.gateway_identity_key is not None:
            signer = IdentitySigner.from_file(path)
            try:
                signer.write_jwks(jwks_path_for(path))
            except OSError as e:
                typer.echo(f"  gateway identity: cannot write the public JWKS: {e}", err=True)
        else:
            signer, created = IdentitySigner.load_or_create(path)
            made = "generated" if created else "using"
            typer.echo(
                f"  gateway identity: DEV DEFAULT key, {made} {path} (mode 0600); set "
                "POS_GATEWAY_IDENTITY_KEY in production",
                err=True,
            )
    except (OSError, ValueError) as e:
        typer.echo(f"error: cannot use the gateway identity key {path}: {e}", err=True)
        raise typer.Exit(2) from e
    typer.echo(f"  gateway identity JWKS: {jwks_path_for(path)}", err=True)
    return signer
