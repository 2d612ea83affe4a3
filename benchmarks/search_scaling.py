"""Contact search at growing sizes: does POST /contacts/search stay fast as contacts grow?

    .venv/bin/python benchmarks/search_scaling.py                     # SQLite and PostgreSQL, 10k/100k/1M
    .venv/bin/python benchmarks/search_scaling.py --sizes 10000,100000 --databases sqlite --runs 20
    .venv/bin/python benchmarks/search_scaling.py --data-dir benchmarks/.data --keep --reuse --output r.json
    .venv/bin/python benchmarks/search_scaling.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

Each size gets a database of its own (a SQLite file, or the PostgreSQL database
opencom_search_<size> beside the admin URL's), made with `opencom migrate`, a workspace from the
control plane and `opencom seed --contacts <size> --seed 1`, served by its own `opencom serve` on
loopback. Each shape is then timed over HTTP (one keep-alive client per server, sequential
requests, --warmup untimed then --runs timed), the sizes taking turns request by request so that
the machine's load falls on every size alike. It prints a markdown table (median per shape and
size, the matches at the largest size, and the ratio of the largest size to the one before) on
stdout, progress on stderr, and writes the raw numbers as JSON with --output. --keep leaves
the databases, --reuse takes them again (seeding 1M contacts takes minutes).

Shapes, and what they match in `opencom seed`'s data (see docs/benchmarks.md):
- email:        `email = <an existing address>`                                     1 contact
- name_prefix:  `name ^ "<First> <Las>"` (someone typing a name)                     ~0.03%
- range:        `custom_attributes.seats > 50` (an integer attribute)                ~0.2%
- and3:         seats > 50 AND plan_tier IN [growth, scale, enterprise] AND role = user   ~0.1%
- and3_broad:   seats > 10 AND plan_tier IN [growth, scale, enterprise] AND role = user   ~1.4%
- tag_rare:     `tag_id = <a tag on 100 contacts>` (tagged by this script through the API)
- tag_common:   `tag_id = <a seeded tag>`                                             ~5%
All but email and tag_rare match a fixed share of the contacts, so their match count, and the
exact total_count every response carries, grows tenfold from 100k to 1M.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
OPENCOM = Path(sys.executable).parent / "opencom"
# The PostgreSQL server to make the per-size databases on (--database-url changes it).
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHAPES = ("email", "name_prefix", "range", "and3", "and3_broad", "tag_rare", "tag_common")
RARE_TAGGED = 100
SAMPLES = 20  # distinct values per shape, cycled through the runs


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- databases and the server ------------------------------------------------------------------


def database_url(kind: str, size: int, data_dir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{data_dir / f'search_{size}.db'}"
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/opencom_search_{size}"


def drop_database(kind: str, url: str) -> None:
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        admin.dispose()


def create_database(kind: str, url: str) -> None:
    drop_database(kind, url)
    if kind == "postgres":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'))
        finally:
            admin.dispose()


def seeded_workspace(url: str, size: int) -> int | None:
    """The workspace a previous run seeded with `size` contacts in this database, if any."""
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            workspace_id = conn.execute(text("SELECT id FROM workspaces WHERE name = :n"),
                                        {"n": f"Search scaling {size}"}).scalar()
            if workspace_id is None:
                return None
            count = conn.execute(text("SELECT count(*) FROM contacts WHERE workspace_id = :w"), {"w": workspace_id}).scalar()
        engine.dispose()
        return workspace_id if count >= size else None
    except Exception:
        return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(url: str) -> dict:
    env = {**os.environ, "OPENCOM_DATABASE_URL": url, "OPENCOM_RATE_LIMIT": "0", "OPENCOM_LOG_LEVEL": "warning"}
    env.pop("OPENCOM_ADMIN_KEY", None)  # the control plane then answers loopback callers
    return env


@contextmanager
def server(url: str):
    port = free_port()
    process = subprocess.Popen(
        [str(OPENCOM), "serve", "--port", str(port), "--host", "127.0.0.1", "--database-url", url],
        env=environment(url), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("opencom serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def prepare(kind: str, size: int, data_dir: Path, reuse: bool) -> tuple[str, int]:
    """A database holding a workspace of `size` seeded contacts: (url, workspace id)."""
    url = database_url(kind, size, data_dir)
    workspace_id = seeded_workspace(url, size) if reuse else None
    if workspace_id is not None:
        log(f"[{kind}] reusing the {size} contacts in {url}")
        vacuum(kind, url)
        return url, workspace_id
    create_database(kind, url)
    subprocess.run([str(OPENCOM), "migrate", "--database-url", url], env=environment(url), cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with server(url) as base:
        made = httpx.post(f"{base}/_opencom/workspaces", json={"name": f"Search scaling {size}"}).raise_for_status().json()
    workspace_id = int(made["id"])
    log(f"[{kind}] seeding {size} contacts")
    started = time.monotonic()
    subprocess.run(
        [str(OPENCOM), "seed", "--database-url", url, "--workspace", str(workspace_id), "--contacts", str(size),
         "--seed", "1", "--quiet"],
        env=environment(url), cwd=ROOT, check=True,
    )
    log(f"[{kind}] seeded {size} in {time.monotonic() - started:.0f} s")
    vacuum(kind, url)
    return url, workspace_id


def vacuum(kind: str, url: str) -> None:
    """On PostgreSQL, what autovacuum does to a table some time after a bulk load: set the
    visibility map (index-only scans, which the counts and list walks rely on, otherwise visit
    the table for each entry) and statistics. Timing before that would time a transient."""
    if kind != "postgres":
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()


# --- the queries -------------------------------------------------------------------------------


def f(field: str, op: str, value) -> dict:
    return {"field": field, "operator": op, "value": value}


def and3(seats: int) -> dict:
    return {"operator": "AND", "value": [
        f("custom_attributes.seats", ">", seats),
        f("custom_attributes.plan_tier", "IN", ["growth", "scale", "enterprise"]),
        f("role", "=", "user"),
    ]}


def sample_queries(url: str, workspace_id: int, rare_tag: str) -> dict[str, list[dict]]:
    """SAMPLES queries per shape, drawn from the data (deterministically)."""
    rng = random.Random(7)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT email, name FROM contacts WHERE workspace_id = :w AND email IS NOT NULL AND name IS NOT NULL"
                " ORDER BY id LIMIT 5000"), {"w": workspace_id}).all()
            tags = conn.execute(text(
                "SELECT id FROM tags WHERE workspace_id = :w AND name <> 'Benchmark rare' ORDER BY id"),
                {"w": workspace_id}).scalars().all()
    finally:
        engine.dispose()
    picked = rng.sample(rows, min(SAMPLES, len(rows)))
    return {
        "email": [f("email", "=", r.email) for r in picked],
        "name_prefix": [f("name", "^", r.name[: r.name.index(" ") + 4]) for r in picked],
        "range": [f("custom_attributes.seats", ">", 50)],
        "and3": [and3(50)],
        "and3_broad": [and3(10)],
        "tag_rare": [f("tag_id", "=", rare_tag)],
        "tag_common": [f("tag_id", "=", str(tag)) for tag in tags],
    }


def tag_rare_contacts(client: httpx.Client, url: str, workspace_id: int) -> str:
    """A tag on RARE_TAGGED contacts (spread over the workspace), applied through the API."""
    tag_id = client.post("/tags", json={"name": "Benchmark rare"}).raise_for_status().json()["id"]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tagged = conn.execute(text("SELECT count(*) FROM contact_tags WHERE tag_id = :t"), {"t": int(tag_id)}).scalar_one()
            total = conn.execute(text("SELECT count(*) FROM contacts WHERE workspace_id = :w"), {"w": workspace_id}).scalar_one()
            ids = conn.execute(text(
                "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM contacts WHERE workspace_id = :w) AS c"
                " WHERE n % :s = 0 LIMIT :k"), {"w": workspace_id, "s": max(1, total // RARE_TAGGED), "k": RARE_TAGGED},
            ).scalars().all()
    finally:
        engine.dispose()
    for contact_id in ids[tagged:]:  # a reused database already has them
        client.post(f"/contacts/{contact_id}/tags", json={"id": tag_id}).raise_for_status()
    return tag_id


def timed(client: httpx.Client, query: dict) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.post("/contacts/search", json={"query": query, "pagination": {"per_page": 50}})
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()["total_count"]


def summary(timings: list[float], counts: list[int]) -> dict:
    timings = sorted(timings)
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p90_ms": round(timings[max(0, int(len(timings) * 0.9) - 1)], 2),
        "min_ms": round(timings[0], 2),
        "median_total_count": int(statistics.median(counts)),
    }


# --- one database ------------------------------------------------------------------------------


def bench_database(kind: str, sizes: list[int], args) -> dict:
    """Every size in a database of its own, each behind its own server; the sizes take turns
    request by request, so that load on the machine falls on all of them alike and the ratios
    between sizes stay meaningful on a busy box."""
    prepared = [prepare(kind, size, args.data_dir, args.reuse) for size in sizes]
    results: dict = {"database": kind, "sizes": {str(size): {} for size in sizes}}
    with ExitStack() as stack:
        clients, queries = [], []
        for url, workspace_id in prepared:
            base = stack.enter_context(server(url))
            token = httpx.post(f"{base}/_opencom/workspaces/{workspace_id}/tokens", json={}).raise_for_status().json()["token"]
            client = stack.enter_context(httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300))
            clients.append(client)
            queries.append(sample_queries(url, workspace_id, tag_rare_contacts(client, url, workspace_id)))
        for shape in SHAPES:
            timings = [[] for _ in sizes]
            counts = [[] for _ in sizes]
            for i in range(args.warmup + args.runs):
                for n, client in enumerate(clients):
                    shape_queries = queries[n][shape]
                    elapsed, count = timed(client, shape_queries[i % len(shape_queries)])
                    if i >= args.warmup:
                        timings[n].append(elapsed)
                        counts[n].append(count)
            for n, size in enumerate(sizes):
                row = results["sizes"][str(size)][shape] = summary(timings[n], counts[n])
                log(f"[{kind}] {size:>9} {shape:12} median {row['median_ms']:8.2f} ms  total_count {row['median_total_count']}")
    if not args.keep:
        for url, _ in prepared:
            drop_database(kind, url)
    return results


# --- report ------------------------------------------------------------------------------------


def table(results: list[dict], sizes: list[int]) -> str:
    ratio_of = (sizes[-1], sizes[-2]) if len(sizes) > 1 else None
    head = ["database", "shape", *(f"{s:,} (ms)" for s in sizes), *(f"matches at {sizes[-1]:,}",)]
    if ratio_of:
        head.append(f"{ratio_of[0]:,} / {ratio_of[1]:,}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        for shape in SHAPES:
            medians = [result["sizes"][str(s)][shape]["median_ms"] for s in sizes]
            cells = [result["database"], shape, *(f"{m:.2f}" for m in medians),
                     str(result["sizes"][str(sizes[-1])][shape]["median_total_count"])]
            if ratio_of:
                cells.append(f"{medians[-1] / medians[-2]:.2f}x")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000", help="contact counts, ascending")
    p.add_argument("--databases", default="sqlite,postgres", help="sqlite and/or postgres, each a fresh database")
    p.add_argument("--database-url", default=None,
                   help="postgresql+psycopg://...: make the per-size databases on that server (PostgreSQL only);"
                        " sqlite:///dir/x.db: put the per-size files in that directory (SQLite only)")
    p.add_argument("--data-dir", type=Path, default=None, help="where the SQLite files go (default: a temporary directory)")
    p.add_argument("--keep", action="store_true", help="keep the seeded databases (SQLite files, opencom_search_<size>)")
    p.add_argument("--reuse", action="store_true", help="reuse databases a --keep run left, when they hold the size")
    p.add_argument("--runs", type=int, default=30, help="timed requests per shape and size")
    p.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    p.add_argument("--output", type=Path, default=None, help="write the raw results as JSON here")
    args = p.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    args.databases = args.databases.split(",")
    if args.database_url and args.database_url.startswith("postgresql"):
        global PG_ADMIN_URL
        PG_ADMIN_URL, args.databases = args.database_url, ["postgres"]
    elif args.database_url:
        args.data_dir, args.databases = Path(args.database_url.removeprefix("sqlite:///")).parent, ["sqlite"]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="opencom-search-") as tmp:
        if args.data_dir is None:
            args.data_dir, args.keep, args.reuse = Path(tmp), False, False
        args.data_dir.mkdir(parents=True, exist_ok=True)
        for kind in args.databases:
            results.append(bench_database(kind, args.sizes, args))
    report = {"sizes": args.sizes, "runs": args.runs, "results": results}
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results, args.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
