"""What a SIGHUP re-reads: the supergraph file and, with `--config FILE`, the settings of
the config file that the gateway can change without a restart.

The file is read again with the same rules as at start (flags given on the command line
still win over it), the reloadable `create_app` arguments are built by the same
functions as at start (`gateway_settings`), and only those are handed to
`app.state.reload`. Settings that need a restart (CORS, CSRF, rate limits, body size,
profile, authentication, plugins, the event feed) are compared with what the process
started with and, when changed, named in one log line, so an operator who edits one of
them learns that the edit is not in effect yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pos.commands import gateway_settings

log = logging.getLogger("pos.gateway")

# command parameters -> the reloadable `create_app` arguments built from them
_RELOADABLE_PARAMS = (
    "max_cost",
    "default_list_size",
    "max_depth",
    "max_height",
    "max_root_fields",
    "max_aliases",
    "limits_warn_only",
    "max_document_length",
    "max_tokens",
    "max_nesting",
    "max_expanded_fields",
    "max_directives",
    "max_field_repeats",
    "request_timeout",
    "max_response_bytes",
    "authorization_mode",
    "authorization_errors",
    "authorization_log",
    "trusted_documents",
    "trusted_documents_mode",
    "override_label",
    "subgraph_traffic",
)
# parameters that never need to be compared: where the process reads its inputs from
_NOT_SETTINGS = frozenset(
    {"ctx", "config", "validate_config", "print_config_schema", "supergraph", "workers"}
)


@dataclass
class Reloaded:
    """One re-read of the config: what to hand to `app.state.reload`, and the rest."""

    changes: dict[str, Any]
    traffic: Any = None  # a new TrafficPolicy, only when the traffic settings changed
    needs_restart: list[str] = field(default_factory=list)


def reloadable_arguments(params: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """The reloadable `create_app` arguments (and the traffic policy) for `params`."""
    args: dict[str, Any] = {
        "demand_control": gateway_settings.demand_control(
            params["max_cost"], params["default_list_size"]
        ),
        "limits": gateway_settings.limits(
            params["max_depth"],
            params["max_height"],
            params["max_root_fields"],
            params["max_aliases"],
            params["limits_warn_only"],
        ),
        **gateway_settings.safety(
            params["max_document_length"],
            params["max_tokens"],
            params["max_nesting"],
            params["max_expanded_fields"],
            params["max_directives"],
            params["max_field_repeats"],
        ),
        "authorization_mode": gateway_settings.authorization_mode(params["authorization_mode"]),
        "authorization_errors": gateway_settings.authorization_errors(
            params["authorization_errors"], params["authorization_log"]
        ),
        "trusted_documents": gateway_settings.trusted_documents(
            params["trusted_documents"] or [], params["trusted_documents_mode"], params["profile"]
        ),
        "override_labels": list(params["override_label"] or ()),
    }
    for name, value in (
        ("deadline", params["request_timeout"]),
        ("max_response_bytes", params["max_response_bytes"]),
    ):
        if value is not None:
            args[name] = value or None
    return args, gateway_settings.traffic(params["subgraph_traffic"] or [])


def _default_traffic() -> Any:
    from supergraph.runtime.fetching.traffic import TrafficPolicy

    return TrafficPolicy()


def reloader(
    started: Mapping[str, Any], read: Callable[[], Mapping[str, Any]]
) -> Callable[[], Reloaded]:
    """A function that re-reads the config (`read`: the command's parameters with the
    file's settings filled in) and says what changed against `started`."""
    baseline = dict(started)

    def reload() -> Reloaded:
        params = read()
        changes, traffic = reloadable_arguments(params)
        if _comparable(params["subgraph_traffic"]) == _comparable(baseline["subgraph_traffic"]):
            traffic = None  # unchanged: keep the breakers' and budgets' state
        elif traffic is None:
            traffic = _default_traffic()  # the settings were removed: back to the defaults
        baseline["subgraph_traffic"] = params["subgraph_traffic"]
        restart = sorted(
            name
            for name, value in params.items()
            if name not in _NOT_SETTINGS
            and name not in _RELOADABLE_PARAMS
            and _comparable(value) != _comparable(baseline.get(name))
        )
        return Reloaded(changes, traffic, restart)

    return reload


def _comparable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def apply(app: Any, supergraph_sdl: str | None, reloaded: Reloaded | None) -> None:
    """Hand a re-read supergraph and config to the running app, logging what stays."""
    if reloaded is None:
        app.state.reload(supergraph_sdl)
        return
    app.state.reload(supergraph_sdl, **reloaded.changes)
    if reloaded.traffic is not None:
        app.state.gateway.fetcher.configure_traffic(reloaded.traffic)
    if reloaded.needs_restart:
        log.warning(
            "config reloaded; changed settings that need a restart to take effect: %s",
            ", ".join(reloaded.needs_restart),
        )
