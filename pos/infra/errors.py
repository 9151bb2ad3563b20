"""The one error type of pos.infra."""


class InfraError(RuntimeError):
    """A local service could not be installed, started or stopped; the message says why
    and what to do (it usually ends with the tail of the service's log)."""
