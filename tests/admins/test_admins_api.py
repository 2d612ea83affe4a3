"""Admins over HTTP: /me, list, retrieve, away mode, activity logs."""

from __future__ import annotations

from opencom.admins.service import create_admin
from opencom.teams.service import add_member, create_team


def test_me_returns_the_token_admin_with_its_app(api, workspace):
    body = api.get("/me").json()
    assert body["type"] == "admin"
    assert body["id"] == str(workspace.owner_id)
    assert body["email_verified"] is True
    assert body["app"]["type"] == "app"
    assert body["app"]["name"] == "Test workspace"
    assert body["app"]["timezone"] == "UTC"
    assert body["avatar"]["type"] == "avatar"


def test_list_admins_holds_the_workspace_admins_only(api, db, workspace):
    with db.transaction() as session:
        extra = create_admin(session, workspace.id, name="Ann Lee", email="ann@example.com", job_title="Support")
        extra_id = extra.id
    body = api.get("/admins").json()
    assert body["type"] == "admin.list"
    assert [a["id"] for a in body["admins"]] == [str(workspace.owner_id), str(extra_id)]
    ann = body["admins"][1]
    assert ann["name"] == "Ann Lee" and ann["job_title"] == "Support"
    assert "avatar" not in ann


def test_list_admins_with_display_avatar_adds_the_avatar_object(api):
    admins = api.get("/admins", params={"display_avatar": "true"}).json()["admins"]
    assert all(a["avatar"]["type"] == "avatar" for a in admins)


def test_bad_display_avatar_is_a_parameter_error(api):
    response = api.get("/admins", params={"display_avatar": "perhaps"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "parameter_invalid",
        "message": response.json()["errors"][0]["message"],
        "field": "display_avatar",
    }


def test_retrieve_admin_shows_team_membership(api, db, workspace):
    with db.transaction() as session:
        team = create_team(session, workspace.id, name="Billing")
        add_member(session, workspace.id, team.id, workspace.owner_id, priority="secondary")
        team_id = team.id
    body = api.get(f"/admins/{workspace.owner_id}").json()
    assert team_id in body["team_ids"]
    assert team_id in body["team_priority_level"]["secondary_team_ids"]


def test_retrieve_unknown_admin_is_admin_not_found(api):
    for admin_id in ("999999999", "not-a-number"):
        response = api.get(f"/admins/{admin_id}")
        assert response.status_code == 404
        assert response.json()["errors"] == [{"code": "admin_not_found", "message": "Admin not found"}]


def test_set_away_changes_the_admin_and_is_logged(api, workspace):
    response = api.put(f"/admins/{workspace.owner_id}/away", json={"away_mode_enabled": True, "away_mode_reassign": True})
    assert response.status_code == 200
    assert response.json()["away_mode_enabled"] is True
    assert response.json()["away_mode_reassign"] is True
    assert api.get(f"/admins/{workspace.owner_id}").json()["away_mode_enabled"] is True

    logs = api.get("/admins/activity_logs", params={"created_at_after": "0"}).json()
    assert logs["type"] == "activity_log.list"
    entry = logs["activity_logs"][0]
    assert entry["activity_type"] == "admin_away_mode_change"
    assert entry["performed_by"]["id"] == str(workspace.owner_id)
    assert entry["metadata"]["away_mode"] is True
    assert entry["metadata"]["reassign_conversations"] is True


def test_set_away_on_unknown_admin(api):
    response = api.put("/admins/424242/away", json={"away_mode_enabled": True, "away_mode_reassign": False})
    assert response.status_code == 404
    assert response.json()["errors"] == [{"code": "admin_not_found", "message": "Admin for admin_id not found"}]


def test_set_away_validates_the_body(api, workspace):
    response = api.put(f"/admins/{workspace.owner_id}/away", json={"away_mode_enabled": "yes"})
    assert response.status_code == 400
    errors = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert errors == {"away_mode_enabled": "parameter_invalid", "away_mode_reassign": "parameter_not_found"}
    # nothing changed
    assert api.get(f"/admins/{workspace.owner_id}").json()["away_mode_enabled"] is False


def test_activity_logs_filter_by_time_and_page(api, workspace):
    for enabled in (True, False, True):
        api.put(f"/admins/{workspace.owner_id}/away", json={"away_mode_enabled": enabled, "away_mode_reassign": False})
    everything = api.get("/admins/activity_logs", params={"created_at_after": "0"}).json()
    assert len(everything["activity_logs"]) == 3
    assert [e["metadata"]["away_mode"] for e in everything["activity_logs"]] == [True, False, True]

    first = api.get("/admins/activity_logs", params={"created_at_after": "0", "per_page": 2}).json()
    assert len(first["activity_logs"]) == 2 and first["pages"]["total_pages"] == 2
    cursor = first["pages"]["next"]["starting_after"]
    second = api.get("/admins/activity_logs", params={"created_at_after": "0", "per_page": 2, "starting_after": cursor}).json()
    assert len(second["activity_logs"]) == 1 and "next" not in second["pages"]
    ids = [e["id"] for e in first["activity_logs"] + second["activity_logs"]]
    assert sorted(ids) == sorted(e["id"] for e in everything["activity_logs"])

    future = api.get("/admins/activity_logs", params={"created_at_after": "4102444800"}).json()
    assert future["activity_logs"] == []
    past = api.get("/admins/activity_logs", params={"created_at_after": "0", "created_at_before": "1"}).json()
    assert past["activity_logs"] == []


def test_activity_logs_parameters_are_checked(api):
    missing = api.get("/admins/activity_logs")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["code"] == "parameter_not_found"
    assert missing.json()["errors"][0]["field"] == "created_at_after"
    bad = api.get("/admins/activity_logs", params={"created_at_after": "yesterday"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "created_at_after"
    bad_cursor = api.get("/admins/activity_logs", params={"created_at_after": "0", "starting_after": "garbage"})
    assert bad_cursor.status_code == 400 and bad_cursor.json()["errors"][0]["field"] == "starting_after"


def test_activity_logs_empty_or_oversized_timestamps_are_400(api):
    # Found by the conformance gate: an empty created_at_after was a 500.
    empty = api.get("/admins/activity_logs", params={"created_at_after": ""})
    assert empty.status_code == 400
    assert empty.json()["errors"][0] == {"code": "parameter_not_found", "message": "created_at_after is required", "field": "created_at_after"}
    for value in ("1" * 30, "1_000", " 7"):
        for name in ("created_at_after", "created_at_before"):
            response = api.get("/admins/activity_logs", params={"created_at_after": "0", name: value})
            assert response.status_code == 400 and response.json()["errors"][0]["field"] == name
