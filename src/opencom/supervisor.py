"""The supervisor of `opencom serve --workers N`, which execs into it once the database is prepared.

It imports only the standard library (~12 MB resident instead of ~43 MB for uvicorn's own
supervisor in the CLI process, plus ~12 MB for the resource tracker its multiprocessing workers
need). It binds the listening socket, runs N `python -m opencom.worker` processes on it, starts a
new one when one dies, and on SIGTERM or SIGINT stops them all and exits 0.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

POLL_SECONDS = 0.5
# A worker that dies sooner than this after it started counts as failing at startup: each such
# death in a row waits a little longer before the next start, and this many in a row is a broken
# setup (the app can't start), so the supervisor gives up instead of looping.
STARTUP_SECONDS = 10
MAX_STARTUP_FAILURES = 5
STOP_SECONDS = 30  # how long workers get to finish their requests before SIGKILL


class Worker:
    def __init__(self, listener: socket.socket, log_level: str) -> None:
        fd = listener.fileno()
        command = [sys.executable, "-m", "opencom.worker", "--fd", str(fd), "--log-level", log_level]
        self.process = subprocess.Popen(command, pass_fds=[fd])
        self.started = time.monotonic()

    def uptime(self) -> float:
        return time.monotonic() - self.started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m opencom.supervisor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    try:
        listener = listen(args.host, args.port)
    except OSError as exc:
        sys.exit(f"opencom: can't listen on {args.host}:{args.port}: {exc}")
    sys.exit(supervise(listener, args.workers, args.log_level))


def listen(host: str, port: int) -> socket.socket:
    """The socket every worker accepts on (the kernel spreads connections), as uvicorn binds it."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(2048)  # now, so connections queue while workers start or restart
    return listener


def supervise(listener: socket.socket, count: int, log_level: str) -> int:
    """Keep `count` workers running until SIGTERM/SIGINT (0) or repeated startup failures (1)."""
    signals: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, frame: signals.append(signum))
    workers = [Worker(listener, log_level) for _ in range(count)]
    failures = 0  # workers in a row that died at startup
    while not signals:
        time.sleep(POLL_SECONDS)
        for index, worker in enumerate(workers):
            code = worker.process.poll()
            if code is None or signals:
                continue
            failures = failures + 1 if worker.uptime() < STARTUP_SECONDS else 0
            if failures >= MAX_STARTUP_FAILURES:
                print(f"opencom: workers keep dying at startup (last exit code {code}); giving up", file=sys.stderr)
                stop(workers)
                return 1
            print(f"opencom: worker {worker.process.pid} exited with code {code}; starting another", file=sys.stderr)
            time.sleep(0.5 * failures)  # no wait after a worker that had been serving
            if not signals:
                workers[index] = Worker(listener, log_level)
    stop(workers)
    return 0


def stop(workers: list[Worker]) -> None:
    """SIGTERM every worker (they finish their requests), SIGKILL any still running after STOP_SECONDS."""
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for worker in workers:
        try:
            worker.process.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()


if __name__ == "__main__":
    main()
