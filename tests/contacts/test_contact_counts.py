"""GET /contacts total_count stays the number of listed (unarchived) contacts, whatever changes them.

On SQLite the number is kept by triggers (migration 0013_contact_counts) instead of counted per
page; on PostgreSQL the list counts. Either way, after every kind of change the answer must
equal a count of the table itself: creates, archive/unarchive, deletes, merges, seeding,
snapshot import, resets, and a deleted workspace.
"""

from __future__ import annotations

import orjson
from sqlalchemy import text

from opencom.seeding.service import seed_workspace
from tests.support import make_client


def counted(db, workspace_id: int) -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM contacts WHERE workspace_id = :w AND archived = :f"), {"w": workspace_id, "f": False}
        ).scalar_one()


def listed(api) -> int:
    response = api.get("/contacts", params={"per_page": 1})
    assert response.status_code == 200, response.text
    return response.json()["total_count"]


def check(api, db, workspace_id: int, expected: int) -> None:
    assert counted(db, workspace_id) == expected
    assert listed(api) == expected


def test_api_changes_keep_the_count(api, db, workspace):
    check(api, db, workspace.id, 0)
    users = [api.post("/contacts", json={"role": "user", "email": f"u{i}@example.com"}).json()["id"] for i in range(4)]
    lead = api.post("/contacts", json={"role": "lead", "name": "Lead"}).json()["id"]
    check(api, db, workspace.id, 5)
    assert api.post(f"/contacts/{users[0]}/archive").status_code == 200
    assert api.post(f"/contacts/{users[0]}/archive").status_code == 200  # twice: counted once
    check(api, db, workspace.id, 4)
    assert api.delete(f"/contacts/{users[0]}").status_code == 200  # an archived contact deleted
    check(api, db, workspace.id, 4)
    assert api.post(f"/contacts/{users[1]}/archive").status_code == 200
    assert api.post(f"/contacts/{users[1]}/unarchive").status_code == 200
    assert api.put(f"/contacts/{users[1]}", json={"name": "Renamed"}).status_code == 200
    check(api, db, workspace.id, 4)
    assert api.delete(f"/contacts/{users[2]}").status_code == 200
    check(api, db, workspace.id, 3)
    assert api.post("/contacts/merge", json={"from": lead, "into": users[3]}).status_code == 200
    check(api, db, workspace.id, 2)


def test_seeding_snapshots_and_resets_keep_the_count(api, control, db, workspace):
    seed_workspace(db, workspace.id, seed=11, contacts=30, companies=3, conversations=5)
    seeded = counted(db, workspace.id)
    assert seeded == 30 - counted_archived(db, workspace.id)
    check(api, db, workspace.id, seeded)
    saved = control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}).content
    assert control.post("/_opencom/reset", json={"workspace_id": workspace.id}).status_code == 200
    check(api, db, workspace.id, 0)
    response = control.post("/_opencom/snapshot", params={"workspace_id": workspace.id}, content=saved,
                            headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert orjson.loads(saved)["tables"]["contacts"]
    check(api, db, workspace.id, seeded)


def counted_archived(db, workspace_id: int) -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM contacts WHERE workspace_id = :w AND archived = :t"), {"w": workspace_id, "t": True}
        ).scalar_one()


def test_workspaces_count_apart_and_a_deleted_workspace_leaves_nothing(api, control, db, workspace):
    api.post("/contacts", json={"role": "lead"})
    other = control.post("/_opencom/workspaces", json={"name": "Other"}).json()
    with make_client(control.base_url, other["token"]) as theirs:
        for _ in range(3):
            theirs.post("/contacts", json={"role": "lead"})
        check(theirs, db, other["id"], 3)
    check(api, db, workspace.id, 1)
    assert control.delete(f"/_opencom/workspaces/{other['id']}").status_code == 200
    if db.is_sqlite:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM contact_counts WHERE workspace_id = :w"), {"w": other["id"]}).scalar_one()
        assert rows == 0
