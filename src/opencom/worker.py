"""One worker of `opencom serve --workers N`: uvicorn serving the app on a socket the supervisor
(opencom.supervisor) bound and handed down as a file descriptor.

Run as `python -m opencom.worker --fd K --log-level L`. The environment says which database
(OPENCOM_DATABASE_URL) and that it is already prepared (OPENCOM_SERVE_PREPARED=1).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading
import time

APP = "opencom.app:create_app_from_env"


def uvicorn_options() -> dict[str, str]:
    """uvloop and httptools when installed (they are dependencies): the fastest loop and parser."""
    import importlib.util

    has = importlib.util.find_spec
    return {"loop": "uvloop" if has("uvloop") else "asyncio", "http": "httptools" if has("httptools") else "h11"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m opencom.worker")
    parser.add_argument("--fd", type=int, required=True, help="The listening socket's file descriptor.")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    _stop_when_orphaned()
    import uvicorn

    config = uvicorn.Config(APP, factory=True, log_level=args.log_level, access_log=False, **uvicorn_options())
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=args.fd)])


def _stop_when_orphaned() -> None:
    """Shut down (as on SIGTERM) if the supervisor dies without stopping us, e.g. on SIGKILL:
    a worker left behind would go on holding the port and the database."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: uvicorn re-raises it after stopping
        pass
