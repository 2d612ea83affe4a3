"""Teams over HTTP: list and retrieve."""

from __future__ import annotations

from opencom.admins.service import create_admin
from opencom.teams.service import add_member, create_team


def test_a_new_workspace_has_a_default_team_with_its_owner(api, workspace):
    body = api.get("/teams").json()
    assert body["type"] == "team.list"
    assert len(body["teams"]) == 1
    team = body["teams"][0]
    assert team["admin_ids"] == [workspace.owner_id]
    assert team["admin_priority_level"]["primary_admin_ids"] == [workspace.owner_id]


def test_retrieve_team_with_members(api, db, workspace):
    with db.transaction() as session:
        team = create_team(session, workspace.id, name="Escalations")
        other = create_admin(session, workspace.id, name="Kim", email="kim@example.com")
        add_member(session, workspace.id, team.id, workspace.owner_id, priority="primary")
        add_member(session, workspace.id, team.id, other.id)
        team_id, other_id = team.id, other.id
    body = api.get(f"/teams/{team_id}").json()
    assert body == {
        "type": "team",
        "id": str(team_id),
        "name": "Escalations",
        "admin_ids": sorted([workspace.owner_id, other_id]),
        "admin_priority_level": {"primary_admin_ids": [workspace.owner_id], "secondary_admin_ids": []},
    }


def test_unknown_team_is_team_not_found(api):
    for team_id in ("987654321", "abc"):
        response = api.get(f"/teams/{team_id}")
        assert response.status_code == 404
        assert response.json()["errors"] == [{"code": "team_not_found", "message": "Team not found"}]


def test_admins_and_teams_never_share_an_id(api, db, workspace):
    # A ticket assignment names its assignee by id alone, so the two must not collide.
    with db.transaction() as session:
        ids = [create_team(session, workspace.id, name=f"T{n}").id for n in range(3)]
        ids += [create_admin(session, workspace.id, name=f"A{n}", email=f"a{n}@example.com").id for n in range(3)]
    admin_ids = {a["id"] for a in api.get("/admins").json()["admins"]}
    team_ids = {t["id"] for t in api.get("/teams").json()["teams"]}
    assert not admin_ids & team_ids
    assert len(set(ids)) == 6
