"""The `opencom` command line: serve, migrate, and manage what 2.10 has no write API for."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer
from rich.console import Console

from opencom.core.settings import Settings, get_settings
from opencom.worker import uvicorn_options  # stdlib-only module; benchmarks/run.py imports it from here

app = typer.Typer(help="Opencom: a stateful server for the Intercom REST API 2.10.", no_args_is_help=True)
workspace_app = typer.Typer(help="Workspaces (Intercom apps).", no_args_is_help=True)
token_app = typer.Typer(help="Access tokens.", no_args_is_help=True)
admin_app = typer.Typer(help="Admins (teammates).", no_args_is_help=True)
team_app = typer.Typer(help="Teams.", no_args_is_help=True)
app.add_typer(workspace_app, name="workspace")
app.add_typer(token_app, name="token")
app.add_typer(admin_app, name="admin")
app.add_typer(team_app, name="team")

err = Console(stderr=True)
DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help="Overrides OPENCOM_DATABASE_URL.")]
WorkspaceId = Annotated[Optional[int], typer.Option("--workspace", help="Workspace id (default: the default workspace).")]


def _settings(database_url: str | None) -> Settings:
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _database(database_url: str | None):
    from opencom.core.db import Database
    from opencom.core.startup import prepare_database

    settings = _settings(database_url)
    db = Database(settings.database_url)
    prepared = prepare_database(db, settings)
    return db, prepared


def _workspace_id(session, workspace: int | None, prepared) -> int:
    from opencom.workspaces.service import get_workspace

    if workspace is None:
        return prepared.workspace_id
    if get_workspace(session, workspace) is None:
        err.print(f"[red]No workspace with id {workspace}[/red]")
        raise typer.Exit(1)
    return workspace


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Overrides OPENCOM_HOST.")] = None,
    port: Annotated[Optional[int], typer.Option(help="Overrides OPENCOM_PORT.")] = None,
    database_url: DatabaseUrl = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Migrate, bootstrap the default workspace, and serve the API."""
    settings = _settings(database_url)
    host, port = host or settings.host, port or settings.port
    if workers > 1:
        # The supervisor only watches the workers: preparing the database in a child process
        # keeps SQLAlchemy, Alembic and every model out of it.
        workspace_name, token = _prepare_in_child(settings.database_url)
    else:
        workspace_name, token = _prepare(settings.database_url)
    err.print(f"Opencom serving [bold]{workspace_name}[/bold] on [bold]http://{host}:{port}[/bold]")
    if token:
        err.print(f"Access token: [bold]{token}[/bold]")
    else:
        err.print("Access token: stored hashed; make a new one with `opencom token create`.")
    # Workers import the app from the environment, so hand them the effective settings.
    os.environ["OPENCOM_DATABASE_URL"] = settings.database_url
    if workers > 1:
        os.environ["OPENCOM_SERVE_PREPARED"] = "1"  # opencom.app.PREPARED_ENV: workers skip migrating
        # glibc gives each thread that mallocs (SQLite's page caches, in the threadpool) its own
        # arena, up to 8 per core, and freed memory stays in them: two keep RSS down.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        _exec_supervisor(host, port, workers, settings.log_level)
    import uvicorn

    from opencom.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level, access_log=False,
                **uvicorn_options())


def _prepare(database_url: str) -> tuple[str, str | None]:
    """Migrate and bootstrap; the default workspace's name and its new token (if any)."""
    db, prepared = _database(database_url)
    db.dispose()
    return prepared.workspace_name, prepared.token


@app.command("serve-prepare", hidden=True)
def serve_prepare() -> None:
    """`_prepare` for `serve --workers N`, run in a child process: its result as JSON on stdout."""
    import json

    workspace_name, token = _prepare(_settings(None).database_url)
    typer.echo(json.dumps({"workspace_name": workspace_name, "token": token}))


def _prepare_in_child(database_url: str) -> tuple[str, str | None]:
    # A plain subprocess, not multiprocessing: that leaves a resource-tracker process (~12 MB)
    # running beside the server. The URL goes in the environment, where `ps` doesn't show it.
    import json
    import subprocess
    import sys

    env = {**os.environ, "OPENCOM_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "opencom.cli", "serve-prepare"], env=env, stdout=subprocess.PIPE)
    if done.returncode != 0:  # the child printed why on stderr
        raise typer.Exit(1)
    result = json.loads(done.stdout.decode().splitlines()[-1])
    return result["workspace_name"], result["token"]


def _exec_supervisor(host: str, port: int, workers: int, log_level: str) -> None:
    """Become `python -m opencom.supervisor` (same pid): a stdlib-only process of ~12 MB that runs
    the workers, instead of this one with typer, rich and uvicorn loaded (~43 MB)."""
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    command = [sys.executable, "-m", "opencom.supervisor", "--host", host, "--port", str(port),
               "--workers", str(workers), "--log-level", log_level]
    os.execv(sys.executable, command)


@app.command()
def migrate(database_url: DatabaseUrl = None) -> None:
    """Bring the database schema up to date (also done on every start)."""
    db, _ = _database(database_url)
    db.dispose()
    err.print("Database is up to date.")


@workspace_app.command("create")
def workspace_create(
    name: str,
    database_url: DatabaseUrl = None,
    owner_name: Annotated[str, typer.Option(help="The owner admin's name.")] = "Workspace Owner",
    owner_email: Annotated[str, typer.Option(help="The owner admin's email.")] = "owner@example.com",
    timezone: Annotated[str, typer.Option(help="The workspace timezone (IANA name).")] = "UTC",
) -> None:
    """Create a workspace; prints its id and an access token."""
    from opencom.workspaces.service import create_workspace

    db, _ = _database(database_url)
    with db.transaction() as session:
        created = create_workspace(session, name, owner_name=owner_name, owner_email=owner_email, timezone=timezone)
        workspace_id = created.workspace.id
    typer.echo(f"workspace_id: {workspace_id}")
    typer.echo(f"token: {created.token}")


@workspace_app.command("list")
def workspace_list(database_url: DatabaseUrl = None) -> None:
    """List workspaces."""
    from sqlalchemy import select

    from opencom.workspaces.models import Workspace

    db, _ = _database(database_url)
    with db.transaction(write=False) as session:
        for ws in session.scalars(select(Workspace).order_by(Workspace.id)):
            typer.echo(f"{ws.id}\t{ws.id_code}\t{ws.name}{'  (default)' if ws.is_default else ''}")


@token_app.command("create")
def token_create(workspace: WorkspaceId = None, database_url: DatabaseUrl = None) -> None:
    """Create an access token; prints only the token."""
    from opencom.workspaces.service import create_token

    db, prepared = _database(database_url)
    with db.transaction() as session:
        token = create_token(session, _workspace_id(session, workspace, prepared), name="cli")
    typer.echo(token)


@admin_app.command("create")
def admin_create(
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str, typer.Option(help="Email address.")],
    job_title: Annotated[Optional[str], typer.Option(help="Job title.")] = None,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an admin; prints its id."""
    from opencom.admins.service import create_admin

    db, prepared = _database(database_url)
    with db.transaction() as session:
        admin = create_admin(session, _workspace_id(session, workspace, prepared), name=name, email=email, job_title=job_title)
        typer.echo(admin.id)


@team_app.command("create")
def team_create(
    name: str,
    admin: Annotated[Optional[list[int]], typer.Option("--admin", help="Admin id to add (repeatable).")] = None,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a team, optionally with members; prints its id."""
    from opencom.teams.service import add_member, create_team

    db, prepared = _database(database_url)
    with db.transaction() as session:
        workspace_id = _workspace_id(session, workspace, prepared)
        team = create_team(session, workspace_id, name=name)
        for admin_id in admin or []:
            _add(session, add_member, workspace_id, team.id, admin_id, None)
        typer.echo(team.id)


@team_app.command("add-member")
def team_add_member(
    team: int,
    admin: int,
    priority: Annotated[Optional[str], typer.Option(help="primary or secondary.")] = None,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Add an admin to a team (or change its priority level)."""
    from opencom.teams.service import add_member

    db, prepared = _database(database_url)
    with db.transaction() as session:
        _add(session, add_member, _workspace_id(session, workspace, prepared), team, admin, priority)


@team_app.command("remove-member")
def team_remove_member(team: int, admin: int, database_url: DatabaseUrl = None) -> None:
    """Remove an admin from a team."""
    from opencom.teams.service import remove_member

    db, _ = _database(database_url)
    with db.transaction() as session:
        if not remove_member(session, team, admin):
            err.print("[red]No such membership[/red]")
            raise typer.Exit(1)


segment_app = typer.Typer(help="Segments (stored contact or company queries).", no_args_is_help=True)
app.add_typer(segment_app, name="segment")


@segment_app.command("create")
def segment_create(
    name: Annotated[str, typer.Option("--name", help="The segment's name.")],
    query: Annotated[str, typer.Option("--query", help="A search query as JSON, e.g. '{\"field\": \"role\", \"operator\": \"=\", \"value\": \"user\"}'.")],
    person_type: Annotated[str, typer.Option("--person-type", help="user, contact (leads) or company.")] = "user",
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a segment from a search query; prints its id."""
    import json

    from opencom.core.errors import ApiError
    from opencom.segments.service import create_segment

    try:
        parsed = json.loads(query)
    except ValueError as exc:
        err.print(f"[red]--query is not valid JSON: {exc}[/red]")
        raise typer.Exit(1) from None
    db, prepared = _database(database_url)
    with db.transaction() as session:
        try:
            segment = create_segment(session, _workspace_id(session, workspace, prepared), name, parsed, person_type)
        except ApiError as exc:
            err.print(f"[red]{exc.field or 'query'}: {exc.message}[/red]")
            raise typer.Exit(1) from None
        typer.echo(segment.id)


def _add(session, add_member, workspace_id: int, team_id: int, admin_id: int, priority: str | None) -> None:
    try:
        add_member(session, workspace_id, team_id, admin_id, priority=priority)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


visitor_app = typer.Typer(help="Visitors (anonymous Messenger users; 2.10 has no API to create them).", no_args_is_help=True)
app.add_typer(visitor_app, name="visitor")


@visitor_app.command("create")
def visitor_create(
    name: Annotated[Optional[str], typer.Option(help="The visitor's name.")] = None,
    email: Annotated[Optional[str], typer.Option(help="The visitor's email.")] = None,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an anonymous visitor; prints it as JSON (id, user_id, ...)."""
    import orjson

    from opencom.visitors.schemas import visitor_json
    from opencom.visitors.service import create_visitor
    from opencom.workspaces.service import get_workspace

    db, prepared = _database(database_url)
    with db.transaction() as session:
        workspace_id = _workspace_id(session, workspace, prepared)
        visitor = create_visitor(session, workspace_id, name=name, email=email)
        body = visitor_json(visitor, get_workspace(session, workspace_id).id_code)
    typer.echo(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode())


newsfeed_app = typer.Typer(help="Newsfeeds (2.10 has no API to create them).", no_args_is_help=True)
app.add_typer(newsfeed_app, name="newsfeed")


@newsfeed_app.command("create")
def newsfeed_create(
    name: Annotated[str, typer.Argument(help="The newsfeed's name (never shown to users).")],
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a newsfeed; prints its id."""
    from opencom.core.errors import ApiError
    from opencom.news.service import create_newsfeed

    db, prepared = _database(database_url)
    with db.transaction() as session:
        try:
            feed = create_newsfeed(session, _workspace_id(session, workspace, prepared), name)
        except ApiError as exc:
            err.print(f"[red]{exc.field}: {exc.message}[/red]")
            raise typer.Exit(1) from None
        typer.echo(feed.id)


snapshot_app = typer.Typer(help="Snapshots: a workspace's whole state as one JSON file (fixtures).", no_args_is_help=True)
app.add_typer(snapshot_app, name="snapshot")
SnapshotFile = Annotated[str, typer.Argument(help="The JSON file; - for stdout/stdin.")]


@snapshot_app.command("export")
def snapshot_export(file: SnapshotFile, workspace: WorkspaceId = None, database_url: DatabaseUrl = None) -> None:
    """Write a workspace's state (ids, timestamps, relations) to FILE."""
    import sys
    from pathlib import Path

    from opencom.control.snapshot import dump, export_workspace
    from opencom.workspaces.service import get_workspace

    db, prepared = _database(database_url)
    with db.transaction(write=False) as session:
        data = dump(export_workspace(session, get_workspace(session, _workspace_id(session, workspace, prepared))))
    if file == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(file).write_bytes(data)


@snapshot_app.command("import")
def snapshot_import(file: SnapshotFile, workspace: WorkspaceId = None, database_url: DatabaseUrl = None) -> None:
    """Replace a workspace's data with the snapshot in FILE (its tokens stay valid)."""
    import sys
    from pathlib import Path

    import orjson

    from opencom.control.snapshot import import_workspace
    from opencom.core.errors import ApiError
    from opencom.workspaces.service import get_workspace

    try:
        document = orjson.loads(sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        err.print(f"[red]Can't read {file}: {exc}[/red]")
        raise typer.Exit(1) from None
    db, prepared = _database(database_url)
    with db.transaction() as session:
        try:
            counts = import_workspace(session, get_workspace(session, _workspace_id(session, workspace, prepared)), document)
        except ApiError as exc:
            err.print(f"[red]{exc.field or 'snapshot'}: {exc.message}[/red]")
            raise typer.Exit(1) from None
    err.print(f"Imported {sum(counts.values())} rows.")


help_center_app = typer.Typer(help="Help centers (2.10 has no API to create them).", no_args_is_help=True)
app.add_typer(help_center_app, name="help-center")


@help_center_app.command("create")
def help_center_create(
    name: Annotated[str, typer.Argument(help="The display name.")],
    identifier: Annotated[Optional[str], typer.Option(help="The URL slug (default: from the name).")] = None,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a help center; prints its id."""
    from opencom.core.errors import ApiError
    from opencom.help_center.content import slug
    from opencom.help_center.service import create_help_center

    db, prepared = _database(database_url)
    with db.transaction() as session:
        try:
            created = create_help_center(session, _workspace_id(session, workspace, prepared), name, identifier or slug(name))
        except ApiError as exc:
            err.print(f"[red]{exc.field or 'help center'}: {exc.message}[/red]")
            raise typer.Exit(1) from None
        typer.echo(created.id)


@app.command()
def seed(
    contacts: Annotated[int, typer.Option(help="Contacts to add (users and leads).")] = 0,
    companies: Annotated[int, typer.Option(help="Companies to add (contacts are attached to them).")] = 0,
    conversations: Annotated[int, typer.Option(help="Conversations to add, started by the new contacts.")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same data.")] = 0,
    batch_size: Annotated[int, typer.Option(help="Contacts (or companies) per batch: a transaction each, except for big seeds (one in all).")] = 10_000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or summary.")] = False,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Fill a workspace with realistic, deterministic data in bulk (seeding again appends)."""
    import resource
    from contextlib import nullcontext

    from opencom.seeding.progress import RichReporter
    from opencom.seeding.service import SeedError, seed_workspace

    db, prepared = _database(database_url)
    with db.transaction(write=False) as session:
        workspace_id = _workspace_id(session, workspace, prepared)
    reporter = None if quiet else RichReporter(err)
    try:
        with reporter or nullcontext():
            result = seed_workspace(db, workspace_id, contacts=contacts, companies=companies, conversations=conversations,
                                    seed=seed, batch_size=batch_size, reporter=reporter)
    except SeedError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if not quiet:
        rows = ", ".join(f"{count} {table}" for table, count in result.rows.items() if count)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        err.print(f"Seeded workspace {workspace_id} in {result.seconds:.1f}s (peak RSS {peak:.0f} MB): {rows or 'nothing'}", soft_wrap=True)


from opencom.webhooks.cli import webhook_app  # noqa: E402  (its commands import cli helpers lazily)

app.add_typer(webhook_app, name="webhook")


if __name__ == "__main__":  # pragma: no cover
    app()
