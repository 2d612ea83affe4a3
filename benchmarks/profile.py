"""Where a request's time goes: py-spy on an Opencom worker while wrk drives a mix at it.

    .venv/bin/python benchmarks/profile.py --mix get --duration 10
    .venv/bin/python benchmarks/profile.py --mix mix --contacts 10000 --out benchmarks/results/profile-mix.txt

Serves Opencom on SQLite with one worker process (so one process holds the whole profile),
seeds it, runs wrk for --duration seconds while `py-spy record --gil` samples the server (only
samples holding the GIL: CPU spent in Python, not time waiting), and writes a text summary:
CPU ms per request, then the functions with the largest inclusive and self share of samples.
"""

from __future__ import annotations

import argparse
import collections
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (benchmarks/run.py: the same servers, data and wrk script)


def summarise(raw: Path, top: int) -> list[str]:
    inclusive, own = collections.Counter(), collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples", "", "Inclusive (the function and what it calls):"]
    lines += [f"  {n * 100 / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "Self (the function's own code):"]
    lines += [f"  {n * 100 / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    return lines


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mix", default="get", choices=["get", "mix", "write"])
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--contacts", type=int, default=2000)
    p.add_argument("--top", type=int, default=45)
    p.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    p.add_argument("--out", type=Path, default=None, help="write the summary here too")
    args = p.parse_args(argv)
    seed_args = bench.parse_args(["--contacts", str(args.contacts)])
    py_spy = bench.VENV_BIN / "py-spy"
    with tempfile.TemporaryDirectory(prefix="opencom-profile-") as tmp:
        workdir = Path(tmp)
        token = secrets.token_urlsafe(32)
        url = f"sqlite:///{workdir / 'bench.db'}"
        env = bench.opencom_env(url, token)
        subprocess.run([str(bench.VENV_BIN / "opencom"), "migrate"], env=env, cwd=bench.ROOT, check=True, capture_output=True)
        workspace_id = bench.default_workspace(url)
        how = bench.seed(url, env, seed_args, workspace_id)
        port = bench.free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [str(bench.VENV_BIN / "opencom"), "serve", "--port", str(port), "--workers", "1"]
        with bench.process(serve, env, workdir / "server.log") as proc:
            bench.wait_http(base + "/healthz")
            if how == "api":
                bench.seed_through_api(base, token, seed_args)
            me = httpx.get(base + "/me", headers={"Authorization": f"Bearer {token}"}).raise_for_status().json()
            data = bench.sample_data(url, workspace_id)
            data.pop("counts")
            data_file = bench.write_data(workdir / "data.lua", {"token": token, "admin_id": me["id"], **data})
            bench.run_wrk(base, data_file, args.mix, 8, 3)  # warm-up
            raw = workdir / "profile.txt"
            spy = subprocess.Popen([str(py_spy), "record", "--gil", "--nonblocking", "-f", "raw", "-o", str(raw),
                                    "-r", str(args.rate), "-p", str(proc.pid), "-d", str(int(args.duration))],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            result: dict = {}
            load = threading.Thread(target=lambda: result.update(
                run=bench.measure("opencom", proc.pid, base, data_file, args.mix, args.connections, args.duration)))
            load.start()
            load.join()
            spy.wait()
            run = result["run"]
            header = [
                f"Profile of `opencom serve --workers 1` (SQLite, {args.contacts} contacts) under the {args.mix!r} mix, "
                f"{args.connections} connections, {args.duration:g} s: {run.rps:.0f} req/s, "
                f"server CPU {run.cpu_ms_per_request:.2f} ms/request, peak RSS {run.peak_rss_mb:.0f} MB.",
                "py-spy record --gil (samples holding the GIL only).", "",
            ]
            text = "\n".join(header + (summarise(raw, args.top) if raw.exists() else ["(py-spy wrote nothing)"])) + "\n"
            if args.out and raw.exists():  # the folded stacks, for a flame graph or a closer look
                args.out.with_suffix(".folded").write_text(raw.read_text())
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
