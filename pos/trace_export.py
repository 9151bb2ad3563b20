"""Where a `pos` process sends its traces: an OTLP/HTTP collector, or nowhere (the default).

The instrumented modules (`eventbus.tracing`, `subgraphs.hosting.tracing`,
`supergraph.runtime.tracing`) use only the OpenTelemetry API. Until this module installs
an SDK provider every span is a no-op, so a deployment without a collector pays nothing
for them. The endpoint comes from, first to last:

- the caller (`pos gateway --otlp-endpoint`, the gateway file's `[telemetry] otlp_endpoint`);
- ``POS_OTLP_ENDPOINT``, or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``: the collector's
  base URL (``http://collector:4318``); ``/v1/traces`` is appended;
- ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``: the full traces URL, used as given.

The other standard variables keep their meaning: ``OTEL_SERVICE_NAME`` (default: the
process's own name, ``pos-gateway``, ``pos-catalog``...), ``OTEL_TRACES_SAMPLER`` and
``OTEL_TRACES_SAMPLER_ARG`` (default: every trace, or the caller's decision),
``OTEL_EXPORTER_OTLP_HEADERS`` (e.g. an API key), ``OTEL_EXPORTER_OTLP_TIMEOUT``. Spans
are exported in batches from a background thread; a collector that is down costs
dropped spans (logged by the SDK), never a failed request. Pending spans are flushed
when the process exits.
"""

from __future__ import annotations

import logging
import os

from opentelemetry import trace

log = logging.getLogger(__name__)

ENDPOINT_ENV = "POS_OTLP_ENDPOINT"
_configured = False


def traces_url(endpoint: str | None = None) -> str | None:
    """The OTLP/HTTP traces URL to export to, or None when tracing is off."""
    base = endpoint or os.environ.get(ENDPOINT_ENV) or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not base:
        return os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or None
    base = base.strip()
    if not base.startswith(("http://", "https://")):
        raise ValueError(
            f"OTLP endpoint {base!r}: give the collector's http(s) URL, e.g. http://127.0.0.1:4318"
        )
    return base if base.rstrip("/").endswith("/v1/traces") else base.rstrip("/") + "/v1/traces"


def configure_tracing(service_name: str, endpoint: str | None = None) -> str | None:
    """Export this process's spans over OTLP/HTTP when an endpoint is configured.

    Returns the traces URL in use (None: tracing stays off). Once per process: the first
    call decides (OpenTelemetry allows one global provider).
    """
    global _configured
    url = traces_url(endpoint)
    if url is None or _configured:
        return url
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME") or service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    trace.set_tracer_provider(provider)
    _configured = True
    log.info("tracing: %s exports spans to %s", name, url)
    return url
