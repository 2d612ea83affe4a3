"""`opencom webhook add|list|remove|ping|resume`: subscriptions, written straight to the database
(a running server's deliverers pick changes up on their next poll)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

webhook_app = typer.Typer(help="Webhook subscriptions (Intercom configures them in its Developer Hub).", no_args_is_help=True)

DatabaseUrl = Annotated[Optional[str], typer.Option("--database-url", help="Overrides OPENCOM_DATABASE_URL.")]
WorkspaceId = Annotated[Optional[int], typer.Option("--workspace", help="Workspace id (default: the default workspace).")]
SubscriptionId = Annotated[int, typer.Argument(help="The subscription id (`opencom webhook list`).")]


@webhook_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where notifications are POSTed.")],
    topics: Annotated[str, typer.Option(help="Comma-separated topics, e.g. conversation.user.replied,conversation.admin.replied.")],
    secret: Annotated[Optional[str], typer.Option(help="The app's client secret, the key of X-Hub-Signature (generated when left out).")] = None,
    workspace: WorkspaceId = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Subscribe URL to topics; prints the subscription id (and the secret when generated)."""
    from opencom.webhooks.service import create_subscription

    names = [t.strip() for t in topics.split(",") if t.strip()]
    with _session(database_url, workspace) as (session, workspace_id):
        created = _or_exit(lambda: create_subscription(session, workspace_id, url, names, secret))
        typer.echo(created.id)
        if secret is None:
            typer.echo(f"secret: {created.secret}")


@webhook_app.command("list")
def list_(workspace: WorkspaceId = None, database_url: DatabaseUrl = None) -> None:
    """List subscriptions (every workspace's without --workspace): id, workspace, state, URL, topics."""
    from opencom.webhooks.service import list_subscriptions

    with _session(database_url, workspace, default=False) as (session, workspace_id):
        for s in list_subscriptions(session, workspace_id):
            typer.echo(f"{s.id}\t{s.workspace_id}\t{s.state}\t{s.url}\t{','.join(s.topics or [])}")


@webhook_app.command("remove")
def remove(subscription: SubscriptionId, database_url: DatabaseUrl = None) -> None:
    """Delete a subscription with its pending deliveries and log."""
    from opencom.webhooks.service import delete_subscription

    with _session(database_url, None, default=False) as (session, _):
        _or_exit(lambda: delete_subscription(session, subscription))
    typer.echo(f"removed {subscription}")


@webhook_app.command("ping")
def ping(subscription: SubscriptionId, database_url: DatabaseUrl = None) -> None:
    """Queue a `ping` notification for the subscription's URL; prints its notification id."""
    from opencom.webhooks.service import ping as queue_ping

    with _session(database_url, None, default=False) as (session, _):
        typer.echo(_or_exit(lambda: queue_ping(session, subscription)).notification_id)


@webhook_app.command("resume")
def resume(subscription: SubscriptionId, database_url: DatabaseUrl = None) -> None:
    """Make a paused subscription active again; its waiting events go out at once."""
    from opencom.webhooks.service import update_subscription

    with _session(database_url, None, default=False) as (session, _):
        _or_exit(lambda: update_subscription(session, subscription, state="active"))
    typer.echo(f"resumed {subscription}")


class _session:
    """A write transaction on the configured database, and the workspace it is for."""

    def __init__(self, database_url: str | None, workspace: int | None, *, default: bool = True) -> None:
        self.database_url, self.workspace, self.default = database_url, workspace, default

    def __enter__(self):
        from opencom.cli import _database, _workspace_id

        self.db, prepared = _database(self.database_url)
        self._transaction = self.db.transaction()
        session = self._transaction.__enter__()
        workspace_id = self.workspace
        if self.default or workspace_id is not None:
            workspace_id = _workspace_id(session, self.workspace, prepared)
        return session, workspace_id

    def __exit__(self, *exc):
        try:
            return self._transaction.__exit__(*exc)
        finally:
            self.db.dispose()


def _or_exit(action):
    from opencom.cli import err
    from opencom.core.errors import ApiError

    try:
        return action()
    except ApiError as exc:
        err.print(f"[red]{exc.field or 'webhook'}: {exc.message}[/red]")
        raise typer.Exit(1) from None
