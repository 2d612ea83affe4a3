"""Articles and the control plane: a reset or a snapshot import keeps the full-text index in step."""

from __future__ import annotations

import orjson
from sqlalchemy import text

from tests.support import make_client


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def fts_consistent(db) -> None:
    with db.transaction() as session:
        if session.bind.dialect.name == "sqlite":  # raises if the FTS index and articles disagree
            session.execute(text("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)"))


def test_reset_and_snapshot_keep_search_consistent(api, server, db, workspace):
    collection = ok(api.post("/help_center/collections", json={"name": "Guides"}))
    article = ok(api.post("/articles", json={"title": "Quantum widgets", "author_id": workspace.owner_id,
                                             "parent_id": collection["id"], "state": "published",
                                             "translated_content": {"fr": {"title": "Gadgets quantiques"}}}))
    with make_client(server, None) as control:
        saved = control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}).content
        tables = orjson.loads(saved)["tables"]
        assert [row["title"] for row in tables["articles"]] == ["Quantum widgets"]
        assert len(tables["help_centers"]) == 1 and len(tables["help_center_collections"]) == 1

        ok(control.post("/_opencom/reset", json={"workspace_id": workspace.id}))
        fts_consistent(db)
        assert ok(api.get("/articles/search", params={"phrase": "quantum"}))["total_count"] == 0
        assert ok(api.get("/articles"))["total_count"] == 0
        assert len(ok(api.get("/help_center/help_centers"))["data"]) == 1  # seeded again

        response = control.post("/_opencom/snapshot", params={"workspace_id": workspace.id}, content=saved,
                                headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        assert control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}).content == saved
    fts_consistent(db)
    found = ok(api.get("/articles/search", params={"phrase": "quantum"}))
    assert [a["id"] for a in found["data"]["articles"]] == [article["id"]]
    assert ok(api.get("/articles/search", params={"phrase": "gadgets"}))["total_count"] == 1
    assert ok(api.get(f"/articles/{article['id']}")) == article
