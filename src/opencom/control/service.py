"""The control plane's rules: reset, workspaces and tokens, the clock, seeded ids. No HTTP here."""

from __future__ import annotations

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencom.admins.models import Admin
from opencom.control import sequences
from opencom.control.tables import DATA, KEPT_KIND, TRANSIENT_KIND, clear, tables_of
from opencom.core import ids
from opencom.core.clock import FOLLOWS_BASE, ClockState, clock, stored_clock
from opencom.core.errors import not_found, parameter_invalid
from opencom.core.models import RateLimitWindow
from opencom.core.settings import Settings
from opencom.workspaces.bootstrap import seed_defaults
from opencom.workspaces.models import ApiToken, Workspace
from opencom.workspaces.service import create_token, create_workspace

DEFAULT_OWNER = ("Workspace Owner", "owner@example.com")
CODE_ATTEMPTS = 100


def apply_seed(settings: Settings, workspace_id: int | None = None) -> None:
    """OPENCOM_SEED: make generated ids reproducible from now on (app start, every reset).

    A reset of one workspace seeds with the seed and the workspace id: other workspaces still
    hold the ids the plain seed made, and restarting that sequence would make them again.
    At app start and on a full reset the process clock also stops at OPENCOM_SEED_EPOCH:
    ids embed the time and rows carry timestamps, so a running clock would differ run to run.
    """
    if settings.seed is None:
        return
    ids.seed(settings.seed if workspace_id is None else f"{settings.seed}/workspace/{workspace_id}")
    if workspace_id is None and settings.seed_epoch != "real":
        clock.freeze(settings.seed_epoch)


def get_workspace(session: Session, workspace_id: int) -> Workspace:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise not_found("Workspace Not Found")
    return workspace


def default_or_given(session: Session, workspace_id: int | None) -> Workspace:
    if workspace_id is not None:
        return get_workspace(session, workspace_id)
    workspace = session.scalar(select(Workspace).where(Workspace.is_default.is_(True)).order_by(Workspace.id).limit(1))
    if workspace is None:
        raise not_found("Workspace Not Found")
    return workspace


# -- reset -----------------------------------------------------------------------------------


def reset(session: Session, settings: Settings, workspace_id: int | None) -> list[int]:
    """Empty one workspace (or all) and give it its defaults again; keeps workspaces and tokens.

    A full reset also forgets the rate-limit windows and restarts the id sequences, so that
    with OPENCOM_SEED the same calls give the same ids run after run.
    """
    if workspace_id is None:
        workspaces = list(session.scalars(select(Workspace).order_by(Workspace.id)))
    else:
        workspaces = [get_workspace(session, workspace_id)]
    owners = {ws.id: _owner_identity(session, ws.id) for ws in workspaces}
    if workspace_id is None:
        _lock_all(session)
        clear(session, None, DATA, TRANSIENT_KIND)
        session.execute(delete(RateLimitWindow))
        sequences.restart(session, [entry.table for entry in tables_of(DATA)])
        clock.reset()  # the process clock as at start: real time, or (seed) frozen at the epoch
    else:
        clear(session, workspace_id, DATA, TRANSIENT_KIND)
    _store_clock(session, [ws.id for ws in workspaces], FOLLOWS_BASE)
    apply_seed(settings, workspace_id)
    for workspace in workspaces:
        name, email = owners[workspace.id]
        owner = seed_defaults(session, workspace, owner_name=name, owner_email=email)
        # The old owner is gone (its tokens' admin_id went NULL): tokens now act as the new one.
        session.execute(update(ApiToken).where(ApiToken.workspace_id == workspace.id).values(admin_id=owner.id))
    return [ws.id for ws in workspaces]


def _owner_identity(session: Session, workspace_id: int) -> tuple[str, str]:
    query = select(Admin.name, Admin.email).where(Admin.workspace_id == workspace_id).order_by(Admin.is_owner.desc(), Admin.id)
    row = session.execute(query.limit(1)).first()
    return (row.name, row.email) if row else DEFAULT_OWNER


def _lock_all(session: Session) -> None:
    """PostgreSQL: hold off writers while a full reset restarts the sequences under them."""
    if session.bind.dialect.name != "postgresql":
        return  # SQLite: the request's BEGIN IMMEDIATE already holds the only write lock
    quote = session.bind.dialect.identifier_preparer.quote
    names = ", ".join(quote(entry.table.name) for entry in tables_of(DATA, TRANSIENT_KIND))
    session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


# -- workspaces and tokens -------------------------------------------------------------------


def list_workspaces(session: Session) -> list[Workspace]:
    return list(session.scalars(select(Workspace).order_by(Workspace.id)))


def new_workspace(session: Session, name: str, *, timezone: str, owner_name: str, owner_email: str):
    if not name.strip():
        raise parameter_invalid("name must not be blank", "name")
    # With OPENCOM_SEED, a reset restarts the id_code sequence while earlier workspaces keep
    # theirs, so a code can come round again: draw the next one (still reproducible).
    for _ in range(CODE_ATTEMPTS - 1):
        try:
            with session.begin_nested():
                return create_workspace(session, name.strip(), timezone=timezone, owner_name=owner_name, owner_email=owner_email)
        except IntegrityError:
            continue
    return create_workspace(session, name.strip(), timezone=timezone, owner_name=owner_name, owner_email=owner_email)


def delete_workspace(session: Session, workspace_id: int) -> None:
    workspace = get_workspace(session, workspace_id)
    if workspace.is_default:
        raise parameter_invalid("The default workspace can't be deleted; reset it instead", "id")
    clear(session, workspace_id, DATA, TRANSIENT_KIND, KEPT_KIND)
    session.delete(workspace)
    session.flush()


def new_token(session: Session, workspace_id: int, name: str) -> str:
    get_workspace(session, workspace_id)
    return create_token(session, workspace_id, name=name)


# -- clock -----------------------------------------------------------------------------------


# Without a workspace id these act on the process clock (this process's memory); with one, on
# the workspace's clock, stored on its row so that every server process reads the same.


def change_clock(*, reset: bool, freeze: bool | None, at: float | None, advance: float | None) -> None:
    """Applied in this order: back to real time, run/stop, jump to `at`, move by `advance`."""
    if reset:
        clock.reset()
    if freeze is False:
        clock.unfreeze()
    if freeze:
        clock.freeze()
    if at is not None:
        clock.set(at)
    if advance:
        clock.advance(advance)


def clock_state() -> dict:
    return {"now": clock.process_now(), "time": clock.process_time(), "frozen": clock.frozen}


def change_workspace_clock(session: Session, workspace_id: int, *, reset: bool, freeze: bool | None,
                           at: float | None, advance: float | None) -> dict:
    """As change_clock, on the workspace's clock; its base is the process clock, so `reset`
    makes the workspace follow the process clock again."""
    workspace = get_workspace(session, workspace_id)
    state = stored_clock(workspace.clock_frozen_at, workspace.clock_offset)
    base = clock.process_time()
    if reset:
        state = FOLLOWS_BASE
    if freeze is False:
        state = state.unfreeze(base)
    if freeze:
        state = state.freeze(base)
    if at is not None:
        state = state.set(base, at)
    if advance:
        state = state.advance(advance)
    _store_clock(session, [workspace_id], state)
    return _workspace_clock_json(workspace_id, state)


def workspace_clock_state(session: Session, workspace_id: int) -> dict:
    workspace = get_workspace(session, workspace_id)
    return _workspace_clock_json(workspace_id, stored_clock(workspace.clock_frozen_at, workspace.clock_offset))


def _workspace_clock_json(workspace_id: int, state: ClockState) -> dict:
    now = state.at(clock.process_time())
    return {
        "workspace_id": workspace_id, "now": int(now), "time": now,
        # A workspace clock that only shifts a frozen process clock stands still too.
        "frozen": state.frozen or clock.frozen,
        "follows_process_clock": state.follows_base,
    }


def _store_clock(session: Session, workspace_ids: list[int], state: ClockState) -> None:
    values = {"clock_frozen_at": state.frozen_at, "clock_offset": state.offset}
    session.execute(update(Workspace).where(Workspace.id.in_(workspace_ids)).values(**values).execution_options(synchronize_session=False))
