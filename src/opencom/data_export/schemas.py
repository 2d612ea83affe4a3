"""The `data_export` object."""

from __future__ import annotations

from opencom.core import jobs
from opencom.data_export.models import COMPLETED, PENDING, DataExport


def data_export_json(export: DataExport, job_state: str | None, base_url: str) -> dict:
    status = export.status
    if status == PENDING and job_state == jobs.RUNNING:
        status = "in_progress"
    ready = export.status == COMPLETED and export.expires_at is not None
    return {
        "job_identifier": export.job_identifier,
        "status": status,
        # Kept after expiry, so a client can see when the file went; the download is then a 404.
        "download_url": f"{base_url.rstrip('/')}/download/content/data/{export.job_identifier}" if ready else "",
        "download_expires_at": str(export.expires_at) if ready else "",
    }
