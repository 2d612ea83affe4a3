"""Content data exports: create (one active per workspace), build in the background, cancel, download.

The export covers the workspace's outbound messages (admin or bot -> contact) sent in the range,
one CSV row per message with the columns of the description's `data_export_csv`. The range is
inclusive of whole days in the workspace timezone: from the start of `created_at_after`'s day to
the end of `created_at_before`'s. The gzipped CSV is kept on the export row until it expires, two
days after completion.
"""

from __future__ import annotations

import base64
import csv
import gzip
import io
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from opencom.core import ids, jobs
from opencom.core.clock import clock
from opencom.core.errors import ApiError, not_found, parameter_invalid, parameter_not_found
from opencom.core.search import day_bounds
from opencom.data_export.models import CANCELED, COMPLETED, FAILED, NO_DATA, PENDING, DataExport

KIND = "data_export"
DOWNLOAD_LIFETIME = 2 * 24 * 3600
MAX_ATTEMPTS = 3
IDENTIFIER_ATTEMPTS = 5
MAX_TIMESTAMP = 2**53  # beyond any date; keeps day arithmetic and BIGINT columns safe

CSV_COLUMNS = (
    "user_id", "user_external_id", "company_id", "email", "name", "ruleset_id", "content_id",
    "content_type", "content_title", "ruleset_version_id", "receipt_id", "received_at", "series_id",
    "series_title", "node_id", "first_reply", "first_completion", "first_series_completion",
    "first_series_disengagement", "first_series_exit", "first_goal_success", "first_open",
    "first_click", "first_dismisall", "first_unsubscribe", "first_hard_bounce",
)
CONTENT_TYPES = {"email": "Email", "inapp": "Chat", "sms": "SMS"}


def too_many_exports() -> ApiError:
    return ApiError(429, "rate_limit_exceeded", "Exceeded rate limit of 1 pending message data export jobs")


# -- requests ----------------------------------------------------------------------------------


def create_export(session: Session, workspace_id: int, tz_name: str | None, body: Any) -> tuple[DataExport, str | None]:
    after, before = _check_range(body)
    if _active(session, workspace_id):
        raise too_many_exports()
    from opencom.contacts.search import workspace_tz

    tz = workspace_tz(tz_name)
    now = clock.now()
    export = DataExport(
        workspace_id=workspace_id, job_identifier=_free_identifier(session, workspace_id), status=PENDING,
        created_at_after=after, created_at_before=before,
        range_start=day_bounds(after, tz)[0], range_end=day_bounds(before, tz)[1],
        created_at=now, updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(export)
            session.flush()
    except IntegrityError:  # a concurrent create won the race for the one active slot
        raise too_many_exports() from None
    export.job_id = jobs.enqueue(session, workspace_id, KIND, {"export_id": export.id}).id
    _forget_expired_files(session, workspace_id, now)
    return export, jobs.QUEUED


def get_export(session: Session, workspace_id: int, job_identifier: str) -> tuple[DataExport, str | None]:
    """The export and the state of its job (`running` shows as in_progress)."""
    row = session.execute(
        select(DataExport, jobs.Job.state)
        .outerjoin(jobs.Job, jobs.Job.id == DataExport.job_id)
        .where(DataExport.workspace_id == workspace_id, DataExport.job_identifier == job_identifier)
    ).first()
    if row is None:
        raise not_found("Export job not found")
    return row[0], row[1]


def cancel_export(session: Session, workspace_id: int, job_identifier: str) -> tuple[DataExport, str | None]:
    export, _ = get_export(session, workspace_id, job_identifier)
    # Conditional, so that a worker completing it meanwhile wins and the export is returned as it is.
    changed = session.execute(
        update(DataExport).where(DataExport.id == export.id, DataExport.status == PENDING)
        .values(status=CANCELED, updated_at=clock.now()).execution_options(synchronize_session=False)
    ).rowcount
    if changed and export.job_id is not None:
        jobs.cancel(session, export.job_id)  # a job already running finds the export canceled
    session.refresh(export)
    return get_export(session, workspace_id, job_identifier)


def download(session: Session, workspace_id: int, job_identifier: str) -> bytes:
    export = session.scalar(
        select(DataExport).options(undefer(DataExport.file))
        .where(DataExport.workspace_id == workspace_id, DataExport.job_identifier == job_identifier)
    )
    if export is None:
        raise not_found("Export job not found")
    if not is_downloadable(export) or export.file is None:  # not ready, no data, or expired
        raise not_found("The export has no file to download")
    return base64.b64decode(export.file)


def is_downloadable(export: DataExport) -> bool:
    return export.status == COMPLETED and export.expires_at is not None and clock.now() < export.expires_at


def _check_range(body: Any) -> tuple[int, int]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The request body must be a JSON object.")
    after = _timestamp(body, "created_at_after")
    before = _timestamp(body, "created_at_before")
    if after >= before:
        raise parameter_invalid("created_at_after must be before created_at_before", "created_at_after")
    return after, before


def _timestamp(body: dict, name: str) -> int:
    value = body.get(name)
    if value is None:
        raise parameter_not_found(f"{name} is a required parameter", name)
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():  # numeric strings count as numbers
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TIMESTAMP:
        raise parameter_invalid(f"{name} must be a Unix timestamp (an integer of seconds)", name)
    return value


def _active(session: Session, workspace_id: int) -> bool:
    query = select(DataExport.id).where(DataExport.workspace_id == workspace_id, DataExport.status == PENDING)
    return session.scalar(query.limit(1)) is not None


def _free_identifier(session: Session, workspace_id: int) -> str:
    for _ in range(IDENTIFIER_ATTEMPTS):
        candidate = ids.job_identifier()
        taken = select(DataExport.id).where(DataExport.workspace_id == workspace_id, DataExport.job_identifier == candidate)
        if session.scalar(taken) is None:
            return candidate
    return ids.job_identifier()


def _forget_expired_files(session: Session, workspace_id: int, now: int) -> None:
    """Expired files are never served again: drop them so they don't weigh on the database."""
    session.execute(
        update(DataExport)
        .where(DataExport.workspace_id == workspace_id, DataExport.expires_at <= now, DataExport.file.is_not(None))
        .values(file=None).execution_options(synchronize_session=False)
    )


# -- the background job ------------------------------------------------------------------------


def build_export(session: Session, job: jobs.ClaimedJob) -> None:
    export = session.scalar(
        select(DataExport).where(DataExport.id == job.payload.get("export_id"), DataExport.workspace_id == job.workspace_id)
    )
    if export is None or export.status != PENDING:
        return  # canceled, or the workspace was reset meanwhile
    data, rows = export_file(session, export)
    now = clock.now()
    if rows:
        values = dict(status=COMPLETED, file=data, row_count=rows, completed_at=now, expires_at=now + DOWNLOAD_LIFETIME)
    else:
        values = dict(status=NO_DATA, row_count=0, completed_at=now)
    # Conditional: a cancel that committed while the file was built wins.
    session.execute(
        update(DataExport).where(DataExport.id == export.id, DataExport.status == PENDING)
        .values(updated_at=now, **values).execution_options(synchronize_session=False)
    )


def mark_failed(session: Session, job: jobs.ClaimedJob, error: str) -> None:
    session.execute(
        update(DataExport)
        .where(DataExport.id == job.payload.get("export_id"), DataExport.workspace_id == job.workspace_id, DataExport.status == PENDING)
        .values(status=FAILED, updated_at=clock.now()).execution_options(synchronize_session=False)
    )


jobs.register(KIND, build_export, max_attempts=MAX_ATTEMPTS, on_failure=mark_failed)


def export_file(session: Session, export: DataExport) -> tuple[bytes, int]:
    """The gzipped CSV of the export's messages, and how many rows it has."""
    buffer = io.BytesIO()
    rows = 0
    # mtime=0: the same messages always give the same bytes.
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
        text = io.TextIOWrapper(compressed, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS)
        for row in session.execute(_rows_query(export)).yield_per(500):
            writer.writerow(_csv_row(row, export))
            rows += 1
        text.flush()
        text.detach()
    return buffer.getvalue(), rows


def _rows_query(export: DataExport):
    from opencom.companies.models import Company
    from opencom.contacts.models import Contact, ContactCompany
    from opencom.conversations.models import Conversation
    from opencom.messages.models import Message

    # The contact's first company (by when it was attached), as the export's one company_id.
    company = (
        select(ContactCompany.company_id).join(Company, Company.id == ContactCompany.company_id)
        .where(ContactCompany.contact_id == Message.contact_id)
        .order_by(ContactCompany.created_at, ContactCompany.company_id).limit(1)
        .correlate(Message).scalar_subquery()
    )
    return (
        select(
            Message.id, Message.created_at, Message.message_type, Message.subject, Message.contact_id,
            Message.to_address, Contact.external_id, Contact.email, Contact.name, company.label("company_id"),
            Conversation.first_contact_reply_at,
        )
        .outerjoin(Contact, and_(Contact.id == Message.contact_id, Contact.workspace_id == Message.workspace_id))
        .outerjoin(Conversation, Conversation.message_id == Message.id)
        .where(
            Message.workspace_id == export.workspace_id,
            Message.direction == "outbound",
            Message.created_at >= export.range_start,
            Message.created_at < export.range_end,
        )
        .order_by(Message.created_at, Message.id)
    )


def _csv_row(row: Any, export: DataExport) -> list:
    message_id = str(row.id)
    replied = row.first_contact_reply_at
    in_range = replied is not None and export.range_start <= replied < export.range_end
    email = row.email or (row.to_address if row.message_type == "email" else None)
    values = {
        "user_id": row.contact_id or "",
        "user_external_id": row.external_id or "",
        "company_id": row.company_id or "-1",
        "email": email or "",
        "name": row.name or "",
        # A message is its own ruleset, content, version and (one recipient) receipt.
        "ruleset_id": message_id,
        "content_id": message_id,
        "content_type": CONTENT_TYPES.get(row.message_type, row.message_type),
        "content_title": row.subject or "",
        "ruleset_version_id": message_id,
        "receipt_id": message_id,
        "received_at": row.created_at,
        "series_id": "-1",
        "first_reply": replied if in_range else "",
    }
    return [values.get(column, "") for column in CSV_COLUMNS]
