"""Help Center over HTTP: help centers (seeded, read-only) and collections (nesting, locales, delete)."""

from __future__ import annotations

from opencom.help_center.service import create_help_center


def make_collection(api, **fields) -> dict:
    response = api.post("/help_center/collections", json={"name": "Getting started", **fields})
    assert response.status_code == 200, response.text
    return response.json()


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    item = response.json()["errors"][0]
    assert item["code"] == code
    return item


# --- help centers ----------------------------------------------------------------------------


def test_a_new_workspace_has_one_default_help_center(api):
    body = api.get("/help_center/help_centers").json()
    assert body["type"] == "list" and len(body["data"]) == 1
    center = body["data"][0]
    assert "type" not in center and center["website_turned_on"] is False
    assert center["url"] == f"https://intercom.help/{center['identifier']}"
    assert api.get(f"/help_center/help_centers/{center['id']}").json() == center


def test_unknown_help_center_is_404(api, workspace, db):
    error(api.get("/help_center/help_centers/999999999"), 404, "not_found")
    error(api.get("/help_center/help_centers/abc"), 404, "not_found")


def test_help_centers_of_other_workspaces_are_not_found(api, db, workspace):
    from opencom.workspaces.service import create_workspace

    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace
        foreign = create_help_center(session, other.id, "Foreign", "foreign")
    error(api.get(f"/help_center/help_centers/{foreign.id}"), 404, "not_found")
    error(api.post("/help_center/collections", json={"name": "x", "help_center_id": foreign.id}), 400, "parameter_invalid")


# --- collections -----------------------------------------------------------------------------


def test_create_collection_goes_to_the_default_help_center(api):
    center = api.get("/help_center/help_centers").json()["data"][0]
    created = make_collection(api, description="First steps")
    assert "type" not in created
    assert created["name"] == "Getting started" and created["description"] == "First steps"
    assert created["help_center_id"] == int(center["id"]) and created["parent_id"] is None
    assert created["order"] == 0 and created["icon"] == "book-bookmark"
    assert created["url"].startswith(center["url"] + "/en/collections/" + created["id"])
    assert created["translated_content"]["type"] == "group_translated_content"
    assert created["translated_content"]["en"] == {"type": "group_content", "name": "Getting started", "description": "First steps"}
    assert api.get(f"/help_center/collections/{created['id']}").json() == created
    assert make_collection(api, name="Second")["order"] == 1


def test_create_collection_in_another_help_center(api, db, workspace):
    with db.transaction() as session:
        center = create_help_center(session, workspace.id, "Docs", "docs")
    created = make_collection(api, help_center_id=str(center.id))
    assert created["help_center_id"] == center.id and created["order"] == 0
    assert "/docs/" in created["url"]


def test_name_is_required(api):
    item = error(api.post("/help_center/collections", json={"description": "Missing required parameter"}), 400, "parameter_not_found")
    assert item["message"] == "Name is a required parameter."
    error(api.post("/help_center/collections", json={"name": "  "}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": 5}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": "x" * 256}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": "x", "parent_id": "abc"}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": "x", "parent_id": "²"}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": "x", "parent_id": 999999}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": "x", "help_center_id": 999999}), 400, "parameter_invalid")
    # name and description are not nullable: an explicit null is refused, not taken as absent
    for body in ({"name": "x", "description": None}, {"name": None}, {"name": "x", "translated_content": {"en": {"description": None}}}):
        error(api.post("/help_center/collections", json=body), 400, "parameter_invalid")
    assert api.get("/help_center/collections").json()["total_count"] == 0


def test_sections_nest_under_collections(api):
    top = make_collection(api)
    section = make_collection(api, name="Section", parent_id=int(top["id"]))
    assert section["parent_id"] == top["id"] and section["help_center_id"] == top["help_center_id"]
    sub = make_collection(api, name="Sub", parent_id=section["id"])
    assert sub["parent_id"] == section["id"] and sub["order"] == 0
    # parent in a different help center than the one given
    error(api.post("/help_center/collections", json={"name": "x", "parent_id": top["id"], "help_center_id": 999}), 400, "parameter_invalid")


def test_translated_content(api):
    created = make_collection(api, translated_content={"fr": {"name": "Premiers pas", "description": "Bienvenue"}, "pt-BR": {"name": "Começando"}})
    content = created["translated_content"]
    assert content["fr"] == {"type": "group_content", "name": "Premiers pas", "description": "Bienvenue"}
    assert content["pt-BR"]["name"] == "Começando"
    updated = api.put(f"/help_center/collections/{created['id']}", json={"translated_content": {"fr": {"description": "Salut"}}}).json()
    assert updated["translated_content"]["fr"] == {"type": "group_content", "name": "Premiers pas", "description": "Salut"}
    assert updated["translated_content"]["pt-BR"]["name"] == "Começando"
    assert updated["name"] == "Getting started"
    # the default locale's entry is the top level
    updated = api.put(f"/help_center/collections/{created['id']}", json={"translated_content": {"en": {"name": "Start"}}}).json()
    assert updated["name"] == "Start"


def test_translated_content_errors(api):
    item = error(api.post("/help_center/collections", json={"name": "x", "translated_content": {"xx": {"name": "?"}}}), 400, "parameter_invalid")
    assert item["field"] == "translated_content.xx"
    item = error(api.post("/help_center/collections", json={"name": "x", "translated_content": {"de": {"description": "no name"}}}), 400, "parameter_not_found")
    assert item["field"] == "translated_content.de.name"
    error(api.post("/help_center/collections", json={"name": "x", "translated_content": {"de": "Name"}}), 400, "parameter_invalid")
    error(api.post("/help_center/collections", json={"name": "x", "translated_content": []}), 400, "parameter_invalid")


def test_update_and_move(api):
    top = make_collection(api)
    other = make_collection(api, name="Other")
    section = make_collection(api, name="Section", parent_id=top["id"])
    updated = api.put(f"/help_center/collections/{section['id']}", json={"name": "Renamed"}).json()
    assert updated["name"] == "Renamed" and updated["parent_id"] == top["id"] and updated["updated_at"] >= section["updated_at"]
    moved = api.put(f"/help_center/collections/{section['id']}", json={"parent_id": other["id"]}).json()
    assert moved["parent_id"] == other["id"]
    to_top = api.put(f"/help_center/collections/{section['id']}", json={"parent_id": None}).json()
    assert to_top["parent_id"] is None and to_top["order"] == 2  # after top and other
    # no cycles
    child = make_collection(api, name="Child", parent_id=top["id"])
    error(api.put(f"/help_center/collections/{top['id']}", json={"parent_id": child["id"]}), 400, "parameter_invalid")
    error(api.put(f"/help_center/collections/{top['id']}", json={"parent_id": top["id"]}), 400, "parameter_invalid")
    error(api.put(f"/help_center/collections/{top['id']}", json={"parent_id": "9999999"}), 400, "parameter_invalid")
    error(api.put("/help_center/collections/9999999", json={"name": "x"}), 404, "not_found")
    error(api.put(f"/help_center/collections/{top['id']}", json={"name": ["x"]}), 400, "parameter_invalid")


def test_list_is_newest_updated_first_with_pages(api, workspace):
    from opencom.core.clock import clock

    ids = []
    for n in range(3):
        ids.append(make_collection(api, name=f"C{n}")["id"])
        clock.advance(1)
    api.put(f"/help_center/collections/{ids[0]}", json={"description": "touched"})
    body = api.get("/help_center/collections").json()
    assert [c["id"] for c in body["data"]] == [ids[0], ids[2], ids[1]]
    assert body["total_count"] == 3 and body["pages"]["per_page"] == 20
    page2 = api.get("/help_center/collections", params={"per_page": 2, "page": 2}).json()
    assert [c["id"] for c in page2["data"]] == [ids[1]] and page2["pages"]["total_pages"] == 2
    error(api.get("/help_center/collections", params={"per_page": 0}), 400, "parameter_invalid")
    error(api.get("/help_center/collections", params={"page": "x"}), 400, "parameter_invalid")


def test_delete_removes_sub_collections_and_detaches_articles(api, workspace):
    top = make_collection(api)
    section = make_collection(api, name="Section", parent_id=top["id"])
    keep = make_collection(api, name="Keep")
    article = api.post("/articles", json={"title": "In a section", "author_id": workspace.owner_id, "parent_id": section["id"]}).json()
    assert article["parent_id"] == int(section["id"])
    assert api.delete(f"/help_center/collections/{top['id']}").json() == {"id": top["id"], "object": "collection", "deleted": True}
    error(api.get(f"/help_center/collections/{top['id']}"), 404, "not_found")
    error(api.get(f"/help_center/collections/{section['id']}"), 404, "not_found")
    assert [c["id"] for c in api.get("/help_center/collections").json()["data"]] == [keep["id"]]
    detached = api.get(f"/articles/{article['id']}").json()
    assert detached["parent_id"] is None and detached["parent_ids"] == [] and detached["parent_type"] is None
    error(api.delete(f"/help_center/collections/{top['id']}"), 404, "not_found")


def test_unauthenticated(anon):
    assert anon.get("/help_center/collections").status_code == 401
    assert anon.get("/help_center/help_centers").status_code == 401
