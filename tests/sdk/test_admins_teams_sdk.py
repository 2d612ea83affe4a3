"""The official python-intercom SDK (5.0.1) against a real Opencom server: admins and teams."""

from __future__ import annotations

import pytest
from intercom import Intercom
from intercom.core.api_error import ApiError as SdkApiError
from intercom.errors import NotFoundError, UnauthorizedError


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_identify_list_find(client, workspace):
    me = client.admins.identify()
    assert me.id == str(workspace.owner_id) and me.app.name == "Test workspace"
    admins = client.admins.list()
    assert [a.id for a in admins.admins] == [str(workspace.owner_id)]
    assert client.admins.find(admin_id=workspace.owner_id).email == me.email


def test_away_and_activity_logs(client, workspace):
    admin = client.admins.away(admin_id=workspace.owner_id, away_mode_enabled=True, away_mode_reassign=False)
    assert admin.away_mode_enabled is True
    logs = client.admins.list_all_activity_logs(created_at_after="0")
    assert logs.activity_logs[0].activity_type == "admin_away_mode_change"


def test_teams(client, workspace):
    teams = client.teams.list()
    assert teams.teams[0].admin_ids == [workspace.owner_id]
    assert client.teams.find(team_id=teams.teams[0].id).name == "Support"


def test_sdk_errors(client, server):
    with pytest.raises(NotFoundError):
        client.admins.find(admin_id=987654321)
    with pytest.raises((UnauthorizedError, SdkApiError)) as raised:
        Intercom(token="wrong", base_url=server).admins.list()
    assert raised.value.status_code == 401
