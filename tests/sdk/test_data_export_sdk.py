"""The official python-intercom SDK (5.0.1) against a real Opencom server: content data exports."""

from __future__ import annotations

import csv
import gzip
import io
import time

import pytest
from intercom import Intercom
from intercom.core.api_error import ApiError

from opencom.core.clock import clock


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_data_export(client, workspace):
    joe = client.contacts.create(request={"email": "sdk-export@example.com"})
    client.messages.create(request={"message_type": "email", "subject": "Hi", "body": "x", "template": "plain",
                                    "from": {"type": "admin", "id": workspace.owner_id}, "to": {"type": "user", "id": joe.id}})
    now = clock.now()
    export = client.data_export.create(created_at_after=now - 60, created_at_before=now + 60)
    assert export.status == "pending" and len(export.job_identifier) == 16

    deadline = time.monotonic() + 10
    while export.status in ("pending", "in_progress") and time.monotonic() < deadline:
        time.sleep(0.05)
        export = client.data_export.find(job_identifier=export.job_identifier)
    assert export.status == "completed" and export.download_url.endswith(export.job_identifier)
    assert int(export.download_expires_at) > now

    client.data_export.download(job_identifier=export.job_identifier)  # the SDK discards the body
    raw = client.data_export.with_raw_response.download(job_identifier=export.job_identifier)
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(raw._response.content).decode())))
    assert [(r["user_id"], r["content_title"], r["content_type"]) for r in rows] == [(joe.id, "Hi", "Email")]

    assert client.data_export.cancel(job_identifier=export.job_identifier).status == "completed"
    with pytest.raises(ApiError) as raised:
        client.data_export.find(job_identifier="nosuchjob0000000")
    assert raised.value.status_code == 404
    with pytest.raises(ApiError) as raised:
        client.data_export.create(created_at_after=now, created_at_before=now - 1)
    assert raised.value.status_code == 400
