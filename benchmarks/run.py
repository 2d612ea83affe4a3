"""The load benchmark: Opencom (SQLite and PostgreSQL) against Prism and a bare Starlette app.

    .venv/bin/python benchmarks/run.py                  # what `make bench` runs
    .venv/bin/python benchmarks/run.py --duration 5 --contacts 2000 --targets sqlite,bare

Everything runs on loopback, in one run, with the same load generator (wrk + benchmarks/mix.lua,
one thread per connection so each operation is timed). For every target and connection count
it reports per-operation requests/s, p50/p95/p99 and non-2xx answers, plus the server's CPU time
per request (utime+stime of the server's process tree from /proc, before and after) and its peak
RSS (sampled). Results: a markdown table on stdout and in benchmarks/results/latest.md, and
the raw numbers in benchmarks/results/latest.json. Only ratios between targets are meaningful.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
RESULTS = BENCH / "results"
LUA = BENCH / "mix.lua"
PRISM = BENCH / ".node" / "node_modules" / ".bin" / "prism"
SEARCH_SCALING = BENCH / "search_scaling.py"
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_IDS = 2000
# High enough never to refuse a call, so the limiter's bookkeeping is measured but not its 429s.
RATE_LIMIT = 1_000_000_000


@dataclass
class Run:
    target: str      # sqlite, postgres, prism, bare
    mix: str         # mix or get
    connections: int
    duration_s: float
    requests: int
    rps: float
    status_errors: int
    socket_errors: int
    cpu_ms_per_request: float
    peak_rss_mb: float
    ops: dict = field(default_factory=dict)  # op -> {count, rps, errors, p50_ms, p95_ms, p99_ms}


# ---------------------------------------------------------------------------------------------
# Processes: start, wait, measure, stop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def process(args: list[str], env: dict | None = None, log: Path | None = None):
    """A server in its own session, stopped (SIGTERM, then SIGKILL) with its children at the end."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
        if log:
            out.close()


def process_tree(root: int) -> list[int]:
    """root and all its descendants (uvicorn's supervisor and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(root: int) -> float:
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def rss_mb(root: int) -> float:
    total = 0
    for pid in process_tree(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except OSError:
            continue
    return total * PAGE_SIZE / 1e6


class RssSampler(threading.Thread):
    def __init__(self, root: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.root, self.interval, self.peak = root, interval, 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss_mb(self.root))
            self._done.wait(self.interval)

    def stop(self) -> float:
        self._done.set()
        self.join()
        return max(self.peak, rss_mb(self.root))


# ---------------------------------------------------------------------------------------------
# wrk


def run_wrk(base: str, data_file: Path, mix: str, connections: int, duration: float) -> tuple[dict, list[dict]]:
    env = {**os.environ, "BENCH_DATA": str(data_file), "BENCH_MIX": mix, "BENCH_RUN": secrets.token_hex(4)}
    args = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{duration:g}s",
            "--timeout", "30s", "-s", str(LUA), base]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    lines = [json.loads(line[6:]) for line in out.stdout.splitlines() if line.startswith("BENCH ")]
    total = next((line for line in lines if line["op"] == "_total"), None)
    if out.returncode != 0 or total is None:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return total, [line for line in lines if line["op"] != "_total"]


def measure(target: str, root_pid: int, base: str, data_file: Path, mix: str, connections: int, duration: float) -> Run:
    sampler = RssSampler(root_pid)
    cpu_before = cpu_seconds(root_pid)
    sampler.start()
    total, ops = run_wrk(base, data_file, mix, connections, duration)
    peak = sampler.stop()
    cpu = cpu_seconds(root_pid) - cpu_before
    seconds = total["duration_us"] / 1e6
    requests = total["requests"]
    run = Run(
        target=target, mix=mix, connections=connections, duration_s=round(seconds, 2), requests=requests,
        rps=round(requests / seconds, 1), status_errors=total["status_errors"], socket_errors=total["socket_errors"],
        cpu_ms_per_request=round(cpu * 1000 / max(1, requests), 3), peak_rss_mb=round(peak, 1),
    )
    for op in sorted(ops, key=lambda o: o["op"]):
        run.ops[op["op"]] = {
            "count": op["count"], "rps": round(op["count"] / seconds, 1), "errors": op["errors"],
            "p50_ms": round(op["p50_us"] / 1000, 2), "p95_ms": round(op["p95_us"] / 1000, 2),
            "p99_ms": round(op["p99_us"] / 1000, 2),
        }
    print(f"  {target:8} {mix:3} c={connections:<3} {run.rps:8.1f} req/s  errors={run.status_errors}"
          f"+{run.socket_errors}  cpu={run.cpu_ms_per_request} ms/req  rss={run.peak_rss_mb} MB", flush=True)
    return run


def write_data(path: Path, data: dict) -> Path:
    def lua(value):
        if isinstance(value, list):
            return "{" + ",".join(lua(v) for v in value) + "}"
        return json.dumps(str(value))  # a JSON string literal is a valid Lua string literal here

    path.write_text("return {" + ",".join(f"{k}={lua(v)}" for k, v in data.items()) + "}\n")
    return path


# ---------------------------------------------------------------------------------------------
# Opencom


SERVER_ENV: dict[str, str] = {}  # --env KEY=VALUE: extra settings for the Opencom servers


def opencom_env(url: str, token: str) -> dict:
    return {
        **os.environ, "OPENCOM_DATABASE_URL": url, "OPENCOM_BOOTSTRAP_TOKEN": token,
        "OPENCOM_RATE_LIMIT": str(RATE_LIMIT), "OPENCOM_LOG_LEVEL": "warning", **SERVER_ENV,
    }


def has_seed_command() -> bool:
    out = subprocess.run([str(VENV_BIN / "opencom"), "seed", "--help"], capture_output=True, cwd=ROOT)
    return out.returncode == 0


def seed(url: str, env: dict, args, workspace_id: int) -> str:
    """Bulk-seed with `opencom seed`; returns how, for the report."""
    if not has_seed_command():
        return "api"  # seeded through the API once the server is up (slow: small counts only)
    cmd = [str(VENV_BIN / "opencom"), "seed", "--database-url", url, "--workspace", str(workspace_id),
           "--contacts", str(args.contacts), "--companies", str(args.companies),
           "--conversations", str(args.conversations), "--seed", "7"]
    started = time.monotonic()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return f"opencom seed ({time.monotonic() - started:.0f} s)"


def seed_through_api(base: str, token: str, args) -> None:
    """Fallback while `opencom seed` is unavailable: a few thousand rows through the API."""
    headers = {"Authorization": f"Bearer {token}"}
    contacts = min(args.contacts, 2000)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        ids = []
        for n in range(contacts):
            body = {"role": "user", "email": f"seed{n}@example.com", "name": f"Seed User {n}",
                    "custom_attributes": {}}
            ids.append(client.post("/contacts", json=body).raise_for_status().json()["id"])
        for n in range(min(args.conversations, 500)):
            body = {"from": {"type": "user", "id": ids[n % len(ids)]}, "body": f"Help with order {n}"}
            client.post("/conversations", json=body).raise_for_status()


def sample_data(url: str, workspace_id: int) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            contacts = conn.execute(text(
                "SELECT id, email FROM contacts WHERE workspace_id = :w AND role = 'user' AND email IS NOT NULL"
                " ORDER BY random() LIMIT :n"), {"w": workspace_id, "n": SAMPLE_IDS}).all()
            conversations = conn.execute(text(
                "SELECT id FROM conversations WHERE workspace_id = :w ORDER BY random() LIMIT :n"),
                {"w": workspace_id, "n": SAMPLE_IDS}).scalars().all()
            counts = {
                table: conn.execute(text(f"SELECT count(*) FROM {table} WHERE workspace_id = :w"), {"w": workspace_id}).scalar_one()
                for table in ("contacts", "companies", "conversations")
            }
    finally:
        engine.dispose()
    return {"contacts": [c.id for c in contacts], "emails": [c.email for c in contacts],
            "conversations": [str(c) for c in conversations], "counts": counts}


def default_workspace(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM workspaces ORDER BY id LIMIT 1")).scalar_one()
    finally:
        engine.dispose()


@contextmanager
def postgres_database():
    name = f"opencom_bench_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(kind: str, workdir: Path):
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
    else:
        with postgres_database() as url:
            yield url


def bench_opencom(kind: str, args, workdir: Path, meta: dict) -> list[Run]:
    token = secrets.token_urlsafe(32)
    runs = []
    with database(kind, workdir) as url:
        env = opencom_env(url, token)
        subprocess.run([str(VENV_BIN / "opencom"), "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
        workspace_id = default_workspace(url)
        how = seed(url, env, args, workspace_id)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [str(VENV_BIN / "opencom"), "serve", "--port", str(port), "--workers", str(args.workers)]
        with process(serve, env, workdir / f"opencom-{kind}.log") as proc:
            wait_http(base + "/healthz")
            if how == "api":
                seed_through_api(base, token, args)
            me = httpx.get(base + "/me", headers={"Authorization": f"Bearer {token}"}).raise_for_status().json()
            data = sample_data(url, workspace_id)
            meta[kind] = {"seeded_with": how, "rows": data.pop("counts")}
            print(f"{kind}: {meta[kind]}", flush=True)
            data_file = write_data(workdir / f"data-{kind}.lua", {"token": token, "admin_id": me["id"], **data})
            run_wrk(base, data_file, "mix", 8, args.warmup)
            for mix in args.mixes_for(kind):
                for connections in args.connections:
                    runs.append(measure(kind, proc.pid, base, data_file, mix, connections, args.duration))
    return runs


# ---------------------------------------------------------------------------------------------
# References: Prism and the bare Starlette app


def bench_prism(args, workdir: Path) -> list[Run]:
    if not PRISM.exists():
        print(f"prism: skipped ({PRISM} missing; `make bench` installs it)", flush=True)
        return []
    spec = workdir / "intercom-2.10-patched.yaml"
    subprocess.run([sys.executable, "-m", "opencom.testing.spec", "build", str(spec)], cwd=ROOT, check=True,
                   capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # -v warn: Prism logs every request at info; a quiet Prism is its best case.
    cmd = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(spec)]
    fake = {"token": "prism", "admin_id": "991267460",
            "contacts": [secrets.token_hex(12) for _ in range(100)],
            "emails": [f"user{n}@example.com" for n in range(100)],
            "conversations": [str(n) for n in range(1, 101)]}
    data_file = write_data(workdir / "data-prism.lua", fake)
    runs = []
    with process(cmd, log=workdir / "prism.log") as proc:
        wait_http(base + "/me", timeout=120)
        run_wrk(base, data_file, "mix", 8, args.warmup)
        for connections in args.connections:
            runs.append(measure("prism", proc.pid, base, data_file, "mix", connections, args.duration))
    return runs


def bench_bare(args, workdir: Path) -> list[Run]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(VENV_BIN / "uvicorn"), "benchmarks.bare_app:app", "--port", str(port),
           "--workers", str(args.workers), "--log-level", "warning", "--no-access-log", *server_options()]
    data_file = write_data(workdir / "data-bare.lua", {"token": "bare", "admin_id": "1", "contacts": ["6571a1b2c3d4e5f60718293a"],
                                                       "emails": ["a@example.com"], "conversations": ["1"]})
    runs = []
    with process(cmd, log=workdir / "bare.log") as proc:
        wait_http(base + "/contacts/1")
        run_wrk(base, data_file, "get", 8, args.warmup)
        for connections in args.connections:
            runs.append(measure("bare", proc.pid, base, data_file, "get", connections, args.duration))
    return runs


def server_options() -> list[str]:
    """The same uvicorn event loop and HTTP parser `opencom serve` picks (when installed)."""
    from opencom.cli import uvicorn_options

    options = uvicorn_options()
    return ["--loop", options["loop"], "--http", options["http"]]


# ---------------------------------------------------------------------------------------------
# Report


def find(runs: list[Run], target: str, mix: str, connections: int) -> Run | None:
    return next((r for r in runs if (r.target, r.mix, r.connections) == (target, mix, connections)), None)


def targets_table(runs: list[Run], connections: list[int], contacts: int) -> list[str]:
    lines = ["| Target | Connections | Measured | Goal | Met |", "|---|---|---|---|---|"]
    for c in connections:
        mix, prism = find(runs, "sqlite", "mix", c), find(runs, "prism", "mix", c)
        if mix and prism and prism.rps:
            ratio = mix.rps / prism.rps
            lines.append(f"| Mix req/s vs Prism | {c} | {ratio:.2f}× | ≥ 5× | {'yes' if ratio >= 5 else 'no'} |")
        get, bare = find(runs, "sqlite", "get", c), find(runs, "bare", "get", c)
        if get and bare and bare.rps:
            ratio = get.rps / bare.rps
            lines.append(f"| GET /contacts/{{id}} req/s vs bare Starlette | {c} | {ratio:.0%} | ≥ 40% | {'yes' if ratio >= 0.4 else 'no'} |")
            p99, bare_p99 = get.ops["get_contact"]["p99_ms"], bare.ops["get_contact"]["p99_ms"]
            times = p99 / bare_p99 if bare_p99 else float("inf")
            lines.append(f"| GET /contacts/{{id}} p99 vs bare Starlette | {c} | {times:.1f}× ({p99} vs {bare_p99} ms) | < 10× | {'yes' if times < 10 else 'no'} |")
    peak = max((r.peak_rss_mb for r in runs if r.target == "sqlite"), default=None)
    if peak is not None:
        lines.append(f"| Server RSS serving the mix ({contacts:,} contacts, SQLite) | all | {peak:.0f} MB | < 300 MB | {'yes' if peak < 300 else 'no'} |")
    pg = max((r.peak_rss_mb for r in runs if r.target == "postgres"), default=None)
    if pg is not None:
        lines.append(f"| Server RSS serving the mix ({contacts:,} contacts, PostgreSQL) | all | {pg:.0f} MB | < 300 MB | {'yes' if pg < 300 else 'no'} |")
    return lines


def summary_table(runs: list[Run]) -> list[str]:
    lines = ["| Target | Mix | Conns | req/s | non-2xx | socket errors | server CPU ms/req | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.target} | {r.mix} | {r.connections} | {r.rps:.0f} | {r.status_errors} | {r.socket_errors} "
                     f"| {r.cpu_ms_per_request:.2f} | {r.peak_rss_mb:.0f} |")
    return lines


def ops_table(runs: list[Run]) -> list[str]:
    lines = ["| Target | Conns | Operation | req/s | p50 ms | p95 ms | p99 ms | non-2xx |", "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        for op, s in r.ops.items():
            lines.append(f"| {r.target} | {r.connections} | {op} | {s['rps']:.0f} | {s['p50_ms']:.2f} | {s['p95_ms']:.2f} "
                         f"| {s['p99_ms']:.2f} | {s['errors']} |")
    return lines


def report(runs: list[Run], meta: dict, args, search: str | None) -> str:
    out = [
        "# Opencom load benchmark", "",
        f"Run {meta['started']} on {meta['machine']}; {args.duration:g} s per configuration, "
        f"`opencom serve --workers {args.workers}` ({meta['uvicorn']}; settings {meta['server_env']}), "
        f"wrk {meta['wrk']} with one thread per connection. "
        f"Data: {json.dumps({k: v for k, v in meta.items() if k in ('sqlite', 'postgres')})}.", "",
        "## Targets (ratios from this run)", "", *targets_table(runs, args.connections, args.contacts), "",
        "## Per configuration", "", *summary_table(runs), "",
        "## Per operation", "", *ops_table(runs), "",
    ]
    if search:
        out += ["## Search scaling (benchmarks/search_scaling.py)", "", search.strip(), ""]
    return "\n".join(out)


def run_search_scaling(args) -> str | None:
    if args.no_search or not SEARCH_SCALING.exists():
        return None
    cmd = [sys.executable, str(SEARCH_SCALING), *shlex.split(args.search_args)]
    print(f"search scaling: {' '.join(cmd)}", flush=True)
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        return f"search_scaling.py failed ({out.returncode}):\n\n```\n{out.stderr[-3000:]}\n```"
    return out.stdout


# ---------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 30)), help="seconds per configuration")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up per server")
    p.add_argument("--connections", default=os.environ.get("BENCH_CONNECTIONS", "16,64"))
    p.add_argument("--contacts", type=int, default=int(os.environ.get("BENCH_CONTACTS", 100_000)))
    p.add_argument("--companies", type=int, default=None)
    p.add_argument("--conversations", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--targets", default=os.environ.get("BENCH_TARGETS", "sqlite,postgres,prism,bare"))
    p.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                   help="a setting for the Opencom servers (repeatable), e.g. OPENCOM_JOURNAL=false")
    p.add_argument("--no-search", action="store_true", help="skip benchmarks/search_scaling.py")
    p.add_argument("--search-args", default=os.environ.get("BENCH_SEARCH_ARGS", ""))
    p.add_argument("--out", type=Path, default=RESULTS, help="where latest.md and latest.json go")
    args = p.parse_args(argv)
    args.connections = [int(c) for c in args.connections.split(",")]
    args.targets = args.targets.split(",")
    args.companies = args.companies if args.companies is not None else max(10, args.contacts // 20)
    args.conversations = args.conversations if args.conversations is not None else max(10, args.contacts // 10)
    # Opencom also runs GET /contacts/{id} alone, the comparison with the bare app (SQLite's is the target).
    args.mixes_for = lambda kind: ["mix", "get"] if kind in ("sqlite", "postgres") else ["mix"]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    SERVER_ENV.update(item.split("=", 1) for item in args.env)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk; `make bench` does it)")
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[1]
    import uvicorn

    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "wrk": wrk_version,
            "uvicorn": f"uvicorn {uvicorn.__version__}, " + " ".join(server_options()),
            "machine": f"{os.cpu_count()} CPUs, {os.uname().release}",
            "server_env": {"OPENCOM_RATE_LIMIT": str(RATE_LIMIT), **SERVER_ENV}}
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="opencom-bench-") as tmp:
        workdir = Path(tmp)
        for target in args.targets:
            print(f"== {target}", flush=True)
            if target in ("sqlite", "postgres"):
                runs += bench_opencom(target, args, workdir, meta)
            elif target == "prism":
                runs += bench_prism(args, workdir)
            elif target == "bare":
                runs += bench_bare(args, workdir)
            else:
                sys.exit(f"unknown target {target}")
    search = run_search_scaling(args)
    text_report = report(runs, meta, args, search)
    print("\n" + text_report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.md").write_text(text_report)
    document = {"meta": meta, "args": {k: v for k, v in vars(args).items() if k not in ("mixes_for", "out")},
                "runs": [asdict(r) for r in runs], "search_scaling": search}
    (args.out / "latest.json").write_text(json.dumps(document, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
