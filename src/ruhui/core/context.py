"""Per-request facts (client IP) that services and the audit log need without a request object."""

from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("ruhui_client_ip", default=None)


def set_client_ip(ip: str | None):
    """Remember the current request's client IP; returns a token to reset it."""
    return _client_ip.set(ip)


def reset_client_ip(token) -> None:
    _client_ip.reset(token)


def client_ip() -> str | None:
    """The IP of the request being served, or None outside a request (commands, tasks)."""
    return _client_ip.get()
