"""`pos gateway --config FILE`: every gateway option in one TOML file.

The file says what the command-line flags say, grouped by concern, plus settings per
subgraph; a flag given on the command line still wins over the file. String values may
name environment variables, `${NAME}` or `${NAME:-default}` (a missing variable without
a default is an error naming it), so secrets and per-machine addresses stay out of the
file. Unknown keys are errors (a typo never silently does nothing). The JSON Schema of
the format, for editors and CI checks, is `docs/gateway-config.schema.json`
(`pos gateway --print-config-schema` writes it).

    supergraph = "schema/supergraph.graphql"
    port = 4000
    profile = "production"

    [subgraphs.catalog]
    url = "${CATALOG_URL:-http://catalog:4001/graphql}"
    traffic = { retries = 0, request_timeout = 10 }

    [auth]
    jwks = "https://idp.example/.well-known/jwks.json"
    jwt_roles_claim = "groups"
    jwt_roles = { pos-cashier = ["sales:write", "catalog:read"] }

    [limits]
    max_depth = 15

    [cors]
    origins = ["https://till.example"]
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(ValueError):
    """The file cannot be used: unreadable, not TOML, a missing variable, a bad value."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Traffic(_Section):
    """Traffic shaping (supergraph/runtime/fetching/traffic.py); unset keys keep their defaults."""

    connect_timeout: float | None = Field(default=None, gt=0, description="Seconds (default 5).")
    request_timeout: float | None = Field(default=None, gt=0, description="Seconds (default 30).")
    retries: int | None = Field(default=None, ge=0, description="Queries only (default 2).")
    retry_backoff: float | None = Field(default=None, ge=0, description="Seconds (default 0.05).")
    retry_budget_percent: float | None = Field(default=None, ge=0, description="Default 0.2.")
    retry_budget_min_per_second: float | None = Field(default=None, ge=0, description="Default 10.")
    breaker_failures: int | None = Field(
        default=None, ge=0, description="0: no breaker (default 5)."
    )
    breaker_open_seconds: float | None = Field(default=None, gt=0, description="Default 10.")
    dedup: bool | None = Field(default=None, description="Default true.")
    max_connections: int | None = Field(default=None, ge=0, description="0: no cap (default 100).")
    batch_window: float | None = Field(
        default=None, ge=0, description="Seconds _entities calls wait to share one request."
    )
    http2: bool | None = Field(
        default=None, description="HTTP/2 to the subgraph (h2c on http://). Default false."
    )
    compression: bool | None = Field(
        default=None, description="gzip request bodies, accept gzip answers. Default false."
    )

    def settings(self, subgraph: str | None) -> list[str]:
        prefix = f"{subgraph}:" if subgraph else ""
        out = []
        for key, value in self.model_dump(exclude_none=True).items():
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            out.append(f"{prefix}{key}={shown}")
        return out


class SubgraphSettings(_Section):
    url: str | None = Field(
        default=None, description="Call the subgraph here, not its supergraph URL."
    )
    traffic: Traffic = Field(default_factory=lambda: Traffic())


class Auth(_Section):
    jwks: str | None = Field(default=None, description="An OIDC provider's JWKS (URL or file).")
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_roles_claim: str | None = None
    jwt_roles: dict[str, list[str]] = Field(
        default_factory=dict, description="Provider role -> our scopes."
    )
    staff_tokens: bool | None = Field(default=None, description="Trust the staff subgraph's JWKS.")
    policies: list[str] = Field(default_factory=list, description="@policy names granted.")
    authorization_mode: Literal["filter", "reject", "dry_run"] | None = None
    authorization_errors: str | None = None
    authorization_log: bool | None = None


class Limits(_Section):
    max_cost: int | None = None
    default_list_size: int | None = None
    max_depth: int | None = None
    max_height: int | None = None
    max_root_fields: int | None = None
    max_aliases: int | None = None
    max_document_length: int | None = None
    max_tokens: int | None = None
    max_nesting: int | None = None
    max_expanded_fields: int | None = None
    max_directives: int | None = None
    max_field_repeats: int | None = None
    request_timeout: float | None = Field(default=None, description="The whole request, seconds.")
    max_response_bytes: int | None = None
    plan_cache_bytes: int | None = None
    max_body_size: int | None = None
    warn_only: bool | None = None


class Cors(_Section):
    origins: list[str] = Field(default_factory=list)
    credentials: bool | None = None
    csrf: bool | None = None
    check_origin: bool | None = None


class RateLimits(_Section):
    rate: float | None = Field(default=None, ge=0, description="Operations per second per client.")
    burst: int | None = Field(default=None, ge=0)
    max_websockets: int | None = Field(default=None, ge=0)
    max_subscriptions: int | None = Field(default=None, ge=0)


class Batching(_Section):
    enabled: bool | None = None
    max_size: int | None = Field(default=None, gt=0)


class TrustedDocuments(_Section):
    files: list[Path] = Field(default_factory=list)
    mode: Literal["enforce", "log", "allow"] | None = None


class Telemetry(_Section):
    """Traces and logs (docs/observability.md)."""

    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector for traces (http://collector:4318)."
    )
    log_format: Literal["text", "json"] | None = None
    access_log: bool | None = Field(default=None, description="A line per request (default on).")


class GatewayConfig(_Section):
    """The whole file. Keys left out keep the flags' defaults."""

    supergraph: Path | None = None
    supergraph_url: str | None = Field(default=None, description="Poll the supergraph here.")
    supergraph_poll: float | None = Field(default=None, ge=0, description="Seconds; 0: once.")
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    workers: int | None = Field(default=None, ge=1, description="Processes on the port.")
    log_level: str | None = None
    profile: Literal["production", "development"] | None = None
    introspection: bool | None = None
    graphiql: bool | None = None
    subscriptions: bool | None = None
    app: bool | None = Field(default=None, description="Serve the POS web app at /.")
    forward_headers: list[str] = Field(default_factory=list)
    override_labels: list[str] = Field(default_factory=list)
    plugins: list[str] = Field(
        default_factory=list, description="package.module:Class, run in this order."
    )
    entity_cache: Literal["memory", "redis", "off"] | None = Field(
        default=None,
        description="Cache @cacheable subgraph answers in memory, in Redis (shared by "
        "instances) or not (off).",
    )
    entity_cache_redis_url: str | None = Field(
        default=None, description="Redis for entity_cache = redis (default POS_REDIS_URL)."
    )
    entity_cache_redis_prefix: str | None = Field(
        default=None, description="Key prefix in Redis (default pos:entity-cache:)."
    )
    subgraphs: dict[str, SubgraphSettings] = Field(default_factory=dict)
    traffic: Traffic = Field(default_factory=lambda: Traffic(), description="For every subgraph.")
    auth: Auth = Field(default_factory=lambda: Auth())
    limits: Limits = Field(default_factory=lambda: Limits())
    cors: Cors = Field(default_factory=lambda: Cors())
    rate_limits: RateLimits = Field(default_factory=lambda: RateLimits())
    batching: Batching = Field(default_factory=lambda: Batching())
    trusted_documents: TrustedDocuments = Field(default_factory=lambda: TrustedDocuments())
    telemetry: Telemetry = Field(default_factory=lambda: Telemetry())

    def flags(self) -> dict[str, Any]:
        """The `pos gateway` parameters this file sets (parameter name -> value)."""
        out: dict[str, Any] = {}

        def put(name: str, value: Any) -> None:
            if value is not None and value != []:
                out[name] = value

        for name in (
            "supergraph", "supergraph_url", "supergraph_poll", "host", "port", "workers",
            "log_level", "profile",
        ):  # fmt: skip
            put(name, getattr(self, name))
        put("introspection", self.introspection)
        put("graphiql", self.graphiql)
        put("no_subscriptions", None if self.subscriptions is None else not self.subscriptions)
        put("web_app", self.app)
        put("forward_header", list(self.forward_headers))
        put("override_label", list(self.override_labels))
        put("plugin", list(self.plugins))
        put("entity_cache", self.entity_cache)
        put("entity_cache_redis_url", self.entity_cache_redis_url)
        put("entity_cache_redis_prefix", self.entity_cache_redis_prefix)
        put("subgraph_url", [f"{n}={s.url}" for n, s in self.subgraphs.items() if s.url])
        traffic = self.traffic.settings(None)
        for name, settings in self.subgraphs.items():
            traffic += settings.traffic.settings(name)
        put("subgraph_traffic", traffic)
        auth = self.auth
        for name in ("jwks", "jwt_issuer", "jwt_audience", "jwt_roles_claim", "staff_tokens"):
            put(name, getattr(auth, name))
        put("jwt_role", [f"{role}={','.join(s)}" for role, s in auth.jwt_roles.items()])
        put("policy", list(auth.policies))
        for name in ("authorization_mode", "authorization_errors", "authorization_log"):
            put(name, getattr(auth, name))
        limits = self.limits.model_dump(exclude_none=True)
        if "warn_only" in limits:
            out["limits_warn_only"] = limits.pop("warn_only")
        out.update(limits)
        put("cors_origin", list(self.cors.origins))
        put("cors_credentials", self.cors.credentials)
        put("csrf", self.cors.csrf)
        put("check_origin", self.cors.check_origin)
        rates = self.rate_limits
        put("rate_limit", rates.rate)
        put("rate_burst", rates.burst)
        put("max_websockets", rates.max_websockets)
        put("max_subscriptions", rates.max_subscriptions)
        put("batching", self.batching.enabled)
        put("max_batch_size", self.batching.max_size)
        put("trusted_documents", list(self.trusted_documents.files))
        put("trusted_documents_mode", self.trusted_documents.mode)
        put("otlp_endpoint", self.telemetry.otlp_endpoint)
        put("log_format", self.telemetry.log_format)
        put("access_log", self.telemetry.access_log)
        return out


def expand(value: Any, env: dict[str, str], where: str = "") -> Any:
    """`value` with `${NAME}` / `${NAME:-default}` replaced in every string in it."""
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"{where or 'a value'}: environment variable {name} is not set")

        return _VARIABLE.sub(one, value)
    if isinstance(value, dict):
        return {k: expand(v, env, f"{where}.{k}" if where else k) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, env, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def load(path: Path, env: dict[str, str] | None = None) -> GatewayConfig:
    """The validated configuration in `path`; relative file paths in it are taken from
    the file's folder, as an operator who writes `files = ["docs.json"]` next to it means."""
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not TOML: {e}") from None
    expanded = expand(raw, dict(os.environ) if env is None else env)
    try:
        config = GatewayConfig.model_validate(expanded)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
    base = path.parent
    if config.supergraph is not None and not config.supergraph.is_absolute():
        config.supergraph = base / config.supergraph
    config.trusted_documents.files = [
        f if f.is_absolute() else base / f for f in config.trusted_documents.files
    ]
    return config


def json_schema() -> dict[str, Any]:
    schema = GatewayConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pos gateway configuration"
    return schema
