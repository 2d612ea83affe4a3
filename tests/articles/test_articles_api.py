"""Articles over HTTP: create, retrieve, update (locale by locale), delete, list."""

from __future__ import annotations

from opencom.core.clock import clock


def make_article(api, workspace, **fields) -> dict:
    response = api.post("/articles", json={"title": "Thanks for everything", "author_id": workspace.owner_id, **fields})
    assert response.status_code == 200, response.text
    return response.json()


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    item = response.json()["errors"][0]
    assert item["code"] == code
    return item


def test_create_like_the_example(api, workspace):
    collection = api.post("/help_center/collections", json={"name": "Docs"}).json()
    created = make_article(
        api, workspace, description="Description of the Article", body="Body of the Article",
        state="published", parent_id=int(collection["id"]), parent_type="collection",
        translated_content={"fr": {"title": "Merci pour tout", "description": "Description de l'article",
                                   "body": "Corps de l'article", "author_id": workspace.owner_id, "state": "published"}},
    )
    assert created["type"] == "article" and created["title"] == "Thanks for everything"
    assert created["body"] == '<p class="no-margin">Body of the Article</p>'
    assert created["author_id"] == workspace.owner_id and created["state"] == "published"
    assert created["parent_id"] == int(collection["id"]) and created["parent_type"] == "collection"
    assert created["parent_ids"] == [int(collection["id"])]
    assert created["statistics"]["type"] == "article_statistics" and created["statistics"]["views"] == 0
    assert created["url"].endswith(f"/en/articles/{created['id']}-thanks-for-everything")
    fr = created["translated_content"]["fr"]
    assert fr["type"] == "article_content" and fr["title"] == "Merci pour tout" and fr["body"] == "<p class=\"no-margin\">Corps de l'article</p>"
    assert fr["url"].endswith(f"/fr/articles/{created['id']}-merci-pour-tout")
    assert created["translated_content"]["en"]["title"] == "Thanks for everything"
    assert api.get(f"/articles/{created['id']}").json() == created


def test_defaults_and_sections(api, workspace):
    created = make_article(api, workspace)
    assert created["state"] == "draft" and created["url"] is None and created["description"] == "" and created["body"] == ""
    assert created["parent_id"] is None and created["parent_type"] is None and created["parent_ids"] == []
    top = api.post("/help_center/collections", json={"name": "Top"}).json()
    section = api.post("/help_center/collections", json={"name": "Section", "parent_id": top["id"]}).json()
    nested = make_article(api, workspace, parent_id=section["id"], parent_type="section")
    assert nested["parent_type"] == "section" and nested["parent_ids"] == [int(top["id"]), int(section["id"])]


def test_author_from_the_default_locale(api, workspace):
    created = api.post("/articles", json={"title": "T", "translated_content": {"en": {"author_id": workspace.owner_id}}}).json()
    assert created["author_id"] == workspace.owner_id
    item = error(api.post("/articles", json={"title": "T", "body": "B", "state": "published"}), 400, "parameter_not_found")
    assert item["message"] == "author_id must be in the main body or default locale translated_content object"
    # another locale's author does not count
    error(api.post("/articles", json={"title": "T", "translated_content": {"fr": {"title": "x", "author_id": workspace.owner_id}}}), 400, "parameter_not_found")


def test_create_errors(api, workspace):
    owner = workspace.owner_id
    error(api.post("/articles", json={"author_id": owner}), 400, "parameter_not_found")
    error(api.post("/articles", json={"title": "T", "author_id": 999999999}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": "T", "author_id": "abc"}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": "T", "author_id": owner, "state": "live"}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": "T", "author_id": owner, "parent_id": 99999}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": "T", "author_id": owner, "parent_type": "shelf"}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": " ", "author_id": owner}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": 7, "author_id": owner}), 400, "parameter_invalid")
    error(api.post("/articles", json={"title": "T", "author_id": True}), 400, "parameter_invalid")
    item = error(api.post("/articles", json={"title": "T", "author_id": owner, "translated_content": {"klingon": {"title": "x"}}}), 400, "parameter_invalid")
    assert item["field"] == "translated_content.klingon"
    item = error(api.post("/articles", json={"title": "T", "author_id": owner, "translated_content": {"de": {"body": "x"}}}), 400, "parameter_not_found")
    assert item["field"] == "translated_content.de.title"
    item = error(api.post("/articles", json={"title": "T", "author_id": owner, "translated_content": {"de": {"title": "x", "author_id": 12345678}}}), 400, "parameter_invalid")
    assert item["field"] == "translated_content.de.author_id"
    error(api.post("/articles", content=b"[]", headers={"content-type": "application/json"}), 400, "bad_request")
    assert api.get("/articles").json()["total_count"] == 0  # nothing half-written


def test_update_keeps_state_and_other_locales(api, workspace):
    created = make_article(api, workspace, state="published", translated_content={
        "fr": {"title": "Bonjour", "state": "published"}, "de": {"title": "Hallo"}})
    clock.advance(5)
    updated = api.put(f"/articles/{created['id']}", json={"title": "Christmas is here!", "body": "<p>New gifts in store for the jolly season</p>"}).json()
    assert updated["title"] == "Christmas is here!" and updated["state"] == "published"
    assert updated["body"] == '<p class="no-margin">New gifts in store for the jolly season</p>'
    assert updated["updated_at"] >= created["updated_at"] + 5 and "statistics" in updated
    updated = api.put(f"/articles/{created['id']}", json={"translated_content": {"de": {"body": "Text", "state": "published"}}}).json()
    content = updated["translated_content"]
    assert content["de"]["title"] == "Hallo" and content["de"]["body"] == '<p class="no-margin">Text</p>' and content["de"]["state"] == "published"
    assert content["fr"] == created["translated_content"]["fr"]
    assert updated["title"] == "Christmas is here!"
    draft = api.put(f"/articles/{created['id']}", json={"state": "draft"}).json()
    assert draft["state"] == "draft" and draft["url"] is None
    assert api.put(f"/articles/{created['id']}", json={"description": "d"}).json()["state"] == "draft"


def test_update_parent_and_errors(api, workspace):
    created = make_article(api, workspace)
    collection = api.post("/help_center/collections", json={"name": "Docs"}).json()
    moved = api.put(f"/articles/{created['id']}", json={"parent_id": collection["id"], "parent_type": "collection"}).json()
    assert moved["parent_id"] == int(collection["id"])
    assert api.put(f"/articles/{created['id']}", json={"parent_id": None}).json()["parent_id"] is None
    error(api.put("/articles/99999999", json={"title": "Christmas is here!"}), 404, "not_found")
    error(api.put("/articles/abc", json={"title": "x"}), 404, "not_found")
    error(api.put(f"/articles/{created['id']}", json={"author_id": 1234567}), 400, "parameter_invalid")
    error(api.put(f"/articles/{created['id']}", json={"state": "gone"}), 400, "parameter_invalid")
    error(api.put(f"/articles/{created['id']}", json={"parent_id": "999999"}), 400, "parameter_invalid")
    error(api.put(f"/articles/{created['id']}", json={"translated_content": {"en-GB": {"title": "x"}}}), 400, "parameter_invalid")
    assert api.get(f"/articles/{created['id']}").json()["title"] == created["title"]


def test_delete(api, workspace):
    created = make_article(api, workspace)
    assert api.delete(f"/articles/{created['id']}").json() == {"id": created["id"], "object": "article", "deleted": True}
    error(api.get(f"/articles/{created['id']}"), 404, "not_found")
    error(api.delete(f"/articles/{created['id']}"), 404, "not_found")


def test_list_newest_updated_first(api, workspace):
    ids = []
    for n in range(3):
        ids.append(make_article(api, workspace, title=f"A{n}")["id"])
        clock.advance(1)
    api.put(f"/articles/{ids[0]}", json={"description": "touched"})
    body = api.get("/articles").json()
    assert [a["id"] for a in body["data"]] == [ids[0], ids[2], ids[1]]
    assert body["total_count"] == 3 and body["pages"] == {"type": "pages", "page": 1, "per_page": 25, "total_pages": 1}
    assert all("statistics" not in a for a in body["data"])
    page = api.get("/articles", params={"page": 2, "per_page": 2}).json()
    assert [a["id"] for a in page["data"]] == [ids[1]]
    error(api.get("/articles", params={"per_page": 1000}), 400, "parameter_invalid")


def test_other_workspaces_articles_are_not_found(api, workspace, server, validator, db):
    from opencom.workspaces.service import create_workspace
    from tests.support import make_client

    created = make_article(api, workspace)
    with db.transaction() as session:
        other = create_workspace(session, "Other")
    with make_client(server, other.token, validator) as client:
        error(client.get(f"/articles/{created['id']}"), 404, "not_found")
        assert client.get("/articles").json()["total_count"] == 0


def test_unauthenticated(anon):
    assert anon.get("/articles").status_code == 401
    assert anon.get("/articles/search").status_code == 401
