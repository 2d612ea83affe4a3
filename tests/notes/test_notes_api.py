"""Notes over HTTP: create on a contact, list newest first with page numbers, retrieve."""

from __future__ import annotations

import pytest

from opencom.admins.service import create_admin
from opencom.core.clock import clock
from tests.people import make_contact

USER_NOT_FOUND = [{"code": "not_found", "message": "User Not Found"}]
NOT_FOUND = [{"code": "not_found", "message": "Resource Not Found"}]


@pytest.fixture
def contact(db, workspace):
    return make_contact(db, workspace.id, email="ann@example.com")


def post_note(api, path_id, status=200, **body):
    response = api.post(f"/contacts/{path_id}/notes", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_create_and_retrieve(api, workspace, contact):
    note = post_note(api, contact, body="Hello", admin_id=workspace.owner_id, contact_id=contact)
    assert note["type"] == "note" and note["id"].isdigit()
    assert note["body"] == "<p>Hello</p>"
    assert note["contact"] == {"type": "contact", "id": contact}
    assert note["author"]["type"] == "admin" and note["author"]["id"] == str(workspace.owner_id)
    assert isinstance(note["created_at"], int)
    assert api.get(f"/notes/{note['id']}").json() == note


def test_author_defaults_to_the_tokens_admin_and_can_be_another_admin(api, db, workspace, contact):
    assert post_note(api, contact, body="x")["author"]["id"] == str(workspace.owner_id)
    with db.transaction() as session:
        other = create_admin(session, workspace.id, name="Kim", email="kim@example.com").id
    note = post_note(api, contact, body="x", admin_id=str(other))
    assert note["author"]["id"] == str(other) and note["author"]["name"] == "Kim"


@pytest.mark.parametrize(
    "text, html",
    [
        ("Hello", "<p>Hello</p>"),
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"),
        ("I <3 it", "<p>I &lt;3 it</p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("line one\n\nline two", "<p>line one</p><p>line two</p>"),
        ("<p>Already <b>HTML</b></p>", "<p>Already <b>HTML</b></p>"),
        ("Some <strong>bold</strong> text", "Some <strong>bold</strong> text"),
    ],
)
def test_body_becomes_html(api, contact, text, html):
    assert post_note(api, contact, body=text)["body"] == html


def test_create_errors(api, db, workspace, contact):
    assert post_note(api, "6657ac4c6abd0166b52ae228", 404, body="x")["errors"] == USER_NOT_FOUND
    for admin_id in (123456789, "nope", "99999999999999999999999"):
        assert post_note(api, contact, 404, body="x", admin_id=admin_id)["errors"] == NOT_FOUND
    missing = post_note(api, contact, 400, admin_id=workspace.owner_id)["errors"][0]
    assert missing["code"] == "parameter_not_found" and missing["field"] == "body"
    for bad in ({"body": 5}, {"body": "  "}, {"body": "x", "admin_id": [1]}, {"body": None}):
        error = post_note(api, contact, 400, **bad)["errors"][0]
        assert error["code"] in ("parameter_invalid", "parameter_not_found")
    assert api.get(f"/contacts/{contact}/notes").json()["total_count"] == 0


def test_admin_of_another_workspace_is_not_found(api, db, contact):
    from opencom.workspaces.service import create_workspace, owner_admin_id

    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
        foreign_admin = owner_admin_id(session, other)
    assert post_note(api, contact, 404, body="x", admin_id=foreign_admin)["errors"] == NOT_FOUND


def test_list_newest_first_with_pages(api, contact, db, workspace):
    other_contact = make_contact(db, workspace.id)
    post_note(api, other_contact, body="not mine")
    clock.freeze()
    try:
        ids = []
        for i in range(5):
            ids.append(post_note(api, contact, body=f"note {i}")["id"])
            clock.advance(60)
    finally:
        clock.reset()
    body = api.get(f"/contacts/{contact}/notes").json()
    assert body["type"] == "list" and body["total_count"] == 5
    assert [n["id"] for n in body["data"]] == ids[::-1]
    assert body["pages"] == {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1}
    second = api.get(f"/contacts/{contact}/notes", params={"per_page": 2, "page": 2}).json()
    assert [n["id"] for n in second["data"]] == ids[::-1][2:4]
    assert second["pages"] == {"type": "pages", "page": 2, "per_page": 2, "total_pages": 3}
    assert api.get(f"/contacts/{contact}/notes", params={"page": 9}).json()["data"] == []


def test_list_errors(api, contact):
    assert api.get("/contacts/123/notes").json()["errors"] == USER_NOT_FOUND
    for params in ({"page": "0"}, {"page": "x"}, {"per_page": "0"}, {"per_page": "151"}):
        response = api.get(f"/contacts/{contact}/notes", params=params)
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == "parameter_invalid"


def test_retrieve_unknown_or_foreign_note(api, db, server, validator, contact):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    note = post_note(api, contact, body="secret")
    for note_id in ("999999", "abc", "99999999999999999999999", "0", "²"):  # "²".isdigit() was a 500
        response = api.get(f"/notes/{note_id}")
        assert response.status_code == 404 and response.json()["errors"] == NOT_FOUND
    with db.transaction() as session:
        token = create_workspace(session, "Other").token
    with make_client(server, token, validator) as other:
        assert other.get(f"/notes/{note['id']}").status_code == 404
        assert other.get(f"/contacts/{contact}/notes").status_code == 404
