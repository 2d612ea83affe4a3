"""Who may call the control plane.

With OPENCOM_ADMIN_KEY set, every call needs `Authorization: Bearer <admin key>` (an Intercom
API token is refused: it is a different secret with a different reach). Without it, the control
plane answers loopback clients only (127.0.0.0/8, ::1), judged by the ASGI scope's client
address; behind a proxy on the same host that means everyone the proxy lets in, so set a key.
"""

from __future__ import annotations

import ipaddress
import secrets

from starlette.requests import Request

from opencom.core.errors import ApiError


def require_admin(request: Request) -> None:
    """FastAPI dependency on every control route."""
    admin_key = request.app.state.settings.admin_key
    if admin_key:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), admin_key.encode()):
            raise ApiError(401, "unauthorized", "The control plane needs the admin key (OPENCOM_ADMIN_KEY) as a bearer token")
        return
    client = request.scope.get("client")
    if not client or not _is_loopback(client[0]):
        raise ApiError(403, "forbidden", "Without OPENCOM_ADMIN_KEY the control plane is open to loopback clients only")


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return (mapped or address).is_loopback
