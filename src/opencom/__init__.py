"""Opencom: a stateful server for the Intercom REST API 2.10."""

__version__ = "0.1.0"
API_VERSION = "2.10"

_TESTING = ("running", "connect", "Server", "Workspace")


def __getattr__(name: str):
    # `opencom.running()` and friends load on first use: `import opencom` (the CLI, the pytest
    # plugin's discovery) stays free of httpx and the server's modules.
    if name in _TESTING:
        from opencom.testing import server

        return getattr(server, name)
    raise AttributeError(f"module 'opencom' has no attribute {name!r}")
