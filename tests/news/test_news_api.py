"""News over HTTP: news items (CRUD, list), newsfeeds (seeded, list, retrieve, live items),
publication dates, and the notifications recorded when an item goes live."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opencom.admins.service import create_admin
from opencom.core.clock import clock
from opencom.news.models import NewsNotification
from opencom.news.service import create_newsfeed
from opencom.workspaces.service import create_workspace, owner_admin_id

NOT_FOUND = [{"code": "not_found", "message": "Resource Not Found"}]
PAST = 1664638214


@pytest.fixture
def frozen():
    clock.freeze()
    try:
        yield clock.now()
    finally:
        clock.reset()


@pytest.fixture
def feed(api):
    return int(api.get("/news/newsfeeds").json()["data"][0]["id"])


def add_feed(db, workspace_id, name="Second"):
    with db.transaction() as session:
        return create_newsfeed(session, workspace_id, name).id


def post_item(api, status=200, **body):
    response = api.post("/news/news_items", json=body)
    assert response.status_code == status, response.text
    return response.json()


def put_item(api, item_id, status=200, **body):
    response = api.put(f"/news/news_items/{item_id}", json=body)
    assert response.status_code == status, response.text
    return response.json()


def notifications(db, workspace_id):
    with db.transaction(write=False) as session:
        rows = session.scalars(select(NewsNotification).where(NewsNotification.workspace_id == workspace_id).order_by(NewsNotification.id))
        return [(int(n.news_item_id), int(n.newsfeed_id), n.created_at) for n in rows]


def feed_items(api, feed_id, **params):
    response = api.get(f"/news/newsfeeds/{feed_id}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def error(response_body):
    item = response_body["errors"][0]
    return item["code"], item.get("field")


# --- newsfeeds ------------------------------------------------------------------------------------


def test_a_new_workspace_has_one_newsfeed(api):
    body = api.get("/news/newsfeeds").json()
    assert body["type"] == "list" and body["total_count"] == 1
    assert body["pages"] == {"type": "pages", "page": 1, "per_page": 10, "total_pages": 1}
    feed = body["data"][0]
    assert feed["type"] == "newsfeed" and feed["name"] == "Visitor Feed" and feed["id"].isdigit()
    assert isinstance(feed["created_at"], int) and feed["updated_at"] == feed["created_at"]
    assert api.get(f"/news/newsfeeds/{feed['id']}").json() == feed


def test_newsfeeds_page_and_unknown_ids(api, db, workspace):
    for n in range(3):
        add_feed(db, workspace.id, f"Feed {n}")
    page = api.get("/news/newsfeeds", params={"per_page": 2, "page": 2}).json()
    assert [f["name"] for f in page["data"]] == ["Feed 1", "Feed 2"]
    assert page["total_count"] == 4 and page["pages"]["total_pages"] == 2
    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
    foreign = add_feed(db, other)
    for bad in (foreign, 999999999, "abc", "0", "99999999999999999999999", "²", "%C2%B2"):
        for path in (f"/news/newsfeeds/{bad}", f"/news/newsfeeds/{bad}/items"):
            response = api.get(path)
            assert response.status_code == 404 and response.json()["errors"] == NOT_FOUND


@pytest.mark.parametrize("params", [{"per_page": 0}, {"per_page": 151}, {"per_page": "x"}, {"page": 0}, {"page": "two"}])
def test_bad_page_parameters(api, feed, params):
    for path in ("/news/newsfeeds", "/news/news_items", f"/news/newsfeeds/{feed}/items"):
        response = api.get(path, params=params)
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == "parameter_invalid"


# --- create and retrieve --------------------------------------------------------------------------


def test_create_a_draft_with_defaults(api, db, workspace, frozen):
    item = post_item(api, title="We have news", sender_id=workspace.owner_id)
    assert item["type"] == "news-item" and item["id"].isdigit()
    assert item["title"] == "We have news" and item["body"] == "" and item["sender_id"] == workspace.owner_id
    assert item["state"] == "draft" and item["deliver_silently"] is False
    assert item["labels"] == [] and item["reactions"] == [] and item["newsfeed_assignments"] == []
    assert item["cover_image_url"] is None
    assert item["created_at"] == item["updated_at"] == frozen
    assert item["workspace_id"] == api.get("/me").json()["app"]["id_code"]
    assert api.get(f"/news/news_items/{item['id']}").json() == item
    assert notifications(db, workspace.id) == []


def test_create_live_like_the_example(api, db, workspace, feed):
    item = post_item(
        api, title="Halloween is here!", body="<p>New costumes in store for this spooky season</p>",
        sender_id=str(workspace.owner_id), state="live", deliver_silently=True,
        labels=["Product", "Update", "New"], reactions=["😆", "😅"],
        newsfeed_assignments=[{"newsfeed_id": feed, "published_at": PAST}],
        cover_image_url="https://example.com/cover.JPG?size=2",
    )
    assert item["state"] == "live" and item["deliver_silently"] is True
    assert item["labels"] == ["New", "Product", "Update"] and item["reactions"] == ["😆", "😅"]
    assert item["newsfeed_assignments"] == [{"newsfeed_id": feed, "published_at": PAST}]
    assert item["cover_image_url"] == "https://example.com/cover.JPG?size=2"
    assert item["sender_id"] == workspace.owner_id
    assert notifications(db, workspace.id) == []  # delivered silently


def test_labels_sort_case_insensitively_once_each_and_reactions_keep_order(api, workspace):
    item = post_item(api, title="t", sender_id=workspace.owner_id, labels=["beta", "Alpha", "beta", "alpha"], reactions=["👍🏽", None, "❤️"])
    assert item["labels"] == ["Alpha", "alpha", "beta"]
    assert item["reactions"] == ["👍🏽", None, "❤️"]


def test_live_item_without_date_is_published_now_and_notifies(api, db, workspace, feed, frozen):
    second = add_feed(db, workspace.id)
    item = post_item(api, title="t", sender_id=workspace.owner_id, state="live", newsfeed_assignments=[
        {"newsfeed_id": str(second)}, {"newsfeed_id": feed, "published_at": PAST},
    ])
    assert item["newsfeed_assignments"] == [{"newsfeed_id": second, "published_at": frozen}, {"newsfeed_id": feed, "published_at": PAST}]
    assert notifications(db, workspace.id) == [(int(item["id"]), second, frozen), (int(item["id"]), feed, frozen)]


def test_a_date_in_the_future_is_refused_for_a_live_item_and_ignored_for_a_draft(api, db, workspace, feed, frozen):
    future = [{"newsfeed_id": feed, "published_at": frozen + 1}]
    body = post_item(api, 400, title="t", sender_id=workspace.owner_id, state="live", newsfeed_assignments=future)
    assert error(body) == ("parameter_invalid", "newsfeed_assignments.0.published_at")
    assert api.get("/news/news_items").json()["total_count"] == 0  # nothing half-written
    assert notifications(db, workspace.id) == []
    draft = post_item(api, title="t", sender_id=workspace.owner_id, newsfeed_assignments=future)
    assert draft["newsfeed_assignments"] == [{"newsfeed_id": feed}]
    now_ok = post_item(api, title="t", sender_id=workspace.owner_id, state="live",
                       newsfeed_assignments=[{"newsfeed_id": feed, "published_at": frozen}])
    assert now_ok["newsfeed_assignments"][0]["published_at"] == frozen


def test_missing_required_fields(api, workspace):
    for body, field in (({"sender_id": workspace.owner_id}, "title"), ({"title": "t"}, "sender_id")):
        assert error(post_item(api, 400, **body)) == ("parameter_not_found", field)
    response = api.post("/news/news_items", content=b"not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": 5}, "title"),
        ({"title": "  "}, "title"),
        ({"title": None}, "title"),
        ({"sender_id": 123456789}, "sender_id"),
        ({"sender_id": "abc"}, "sender_id"),
        ({"sender_id": True}, "sender_id"),
        ({"sender_id": None}, "sender_id"),
        ({"body": 7}, "body"),
        ({"state": "published"}, "state"),
        ({"state": None}, "state"),
        ({"deliver_silently": "yes"}, "deliver_silently"),
        ({"labels": "Product"}, "labels"),
        ({"labels": [""]}, "labels.0"),
        ({"labels": [3]}, "labels.0"),
        ({"reactions": ["a"]}, "reactions.0"),
        ({"reactions": ["😆😆"]}, "reactions.0"),
        ({"reactions": ["😆", "😆"]}, "reactions.1"),
        ({"cover_image_url": "https://example.com/cover.gif"}, "cover_image_url"),
        ({"cover_image_url": "cover.png"}, "cover_image_url"),
        ({"cover_image_url": "ftp://example.com/cover.png"}, "cover_image_url"),
        ({"newsfeed_assignments": {"newsfeed_id": 1}}, "newsfeed_assignments"),
        ({"newsfeed_assignments": [{"published_at": PAST}]}, "newsfeed_assignments.0.newsfeed_id"),
        ({"newsfeed_assignments": [{"newsfeed_id": 999999999}]}, "newsfeed_assignments.0.newsfeed_id"),
        ({"newsfeed_assignments": [{"newsfeed_id": "abc"}]}, "newsfeed_assignments.0.newsfeed_id"),
        ({"newsfeed_assignments": [{"newsfeed_id": "FEED", "published_at": -1}]}, "newsfeed_assignments.0.published_at"),
        ({"newsfeed_assignments": [{"newsfeed_id": "FEED", "published_at": True}]}, "newsfeed_assignments.0.published_at"),
        ({"newsfeed_assignments": [{"newsfeed_id": "FEED"}, {"newsfeed_id": "FEED"}]}, "newsfeed_assignments.1.newsfeed_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, db, workspace, feed, fields, field):
    if "newsfeed_assignments" in fields and isinstance(fields["newsfeed_assignments"], list):
        for assignment in fields["newsfeed_assignments"]:
            if assignment.get("newsfeed_id") == "FEED":
                assignment["newsfeed_id"] = feed
    body = {"title": "t", "sender_id": workspace.owner_id, "state": "live", **fields}
    code, named = error(post_item(api, 400, **body))
    assert code in ("parameter_invalid", "parameter_not_found") and named == field
    assert api.get("/news/news_items").json()["total_count"] == 0
    existing = post_item(api, title="t", sender_id=workspace.owner_id)
    assert error(put_item(api, existing["id"], 400, **fields))[1] == field
    assert api.get(f"/news/news_items/{existing['id']}").json() == existing


def test_sender_and_feed_of_another_workspace_are_refused(api, db, workspace):
    with db.transaction() as session:
        other = create_workspace(session, "Other").workspace.id
        foreign_admin = owner_admin_id(session, other)
    foreign_feed = add_feed(db, other)
    assert error(post_item(api, 400, title="t", sender_id=foreign_admin)) == ("parameter_invalid", "sender_id")
    body = post_item(api, 400, title="t", sender_id=workspace.owner_id, newsfeed_assignments=[{"newsfeed_id": foreign_feed}])
    assert error(body) == ("parameter_invalid", "newsfeed_assignments.0.newsfeed_id")


# --- update ---------------------------------------------------------------------------------------


def test_update_is_partial(api, db, workspace, feed):
    with db.transaction() as session:
        kim = create_admin(session, workspace.id, name="Kim", email="kim@example.com").id
    item = post_item(api, title="t", body="<p>b</p>", sender_id=workspace.owner_id, labels=["x"], reactions=["👍"],
                     cover_image_url="https://example.com/a.png", newsfeed_assignments=[{"newsfeed_id": feed}])
    clock.advance(5)
    try:
        updated = put_item(api, item["id"], title="New title", sender_id=kim)
    finally:
        clock.reset()
    assert updated["title"] == "New title" and updated["sender_id"] == kim
    assert updated["updated_at"] >= item["updated_at"] + 5 and updated["created_at"] == item["created_at"]
    unchanged = ("body", "labels", "reactions", "cover_image_url", "newsfeed_assignments", "state", "deliver_silently")
    assert {k: updated[k] for k in unchanged} == {k: item[k] for k in unchanged}
    cleared = put_item(api, item["id"], body=None, labels=None, reactions=[], cover_image_url=None, newsfeed_assignments=[])
    assert (cleared["body"], cleared["labels"], cleared["reactions"], cleared["cover_image_url"], cleared["newsfeed_assignments"]) == ("", [], [], None, [])
    assert api.get(f"/news/news_items/{item['id']}").json() == cleared


def test_update_like_the_sdk_with_title_and_sender(api, workspace):
    item = post_item(api, title="t", sender_id=workspace.owner_id)
    updated = put_item(api, int(item["id"]), title="Christmas is here!", sender_id=workspace.owner_id,
                       body="<p>New gifts</p>", reactions=["😝", "😂"])
    assert (updated["title"], updated["body"], updated["reactions"]) == ("Christmas is here!", "<p>New gifts</p>", ["😝", "😂"])


def test_going_live_dates_assignments_and_notifies_once(api, db, workspace, feed, frozen):
    second = add_feed(db, workspace.id)
    item = post_item(api, title="t", sender_id=workspace.owner_id, newsfeed_assignments=[{"newsfeed_id": feed, "published_at": PAST}])
    assert feed_items(api, feed)["total_count"] == 0 and notifications(db, workspace.id) == []
    live = put_item(api, item["id"], state="live")
    assert live["newsfeed_assignments"] == [{"newsfeed_id": feed, "published_at": frozen}]  # the draft's date was ignored
    assert [i["id"] for i in feed_items(api, feed)["data"]] == [item["id"]]
    clock.advance(10)
    # Still live: the kept feed keeps its date; a newly added feed is published (and notified) now.
    again = put_item(api, item["id"], title="t2", newsfeed_assignments=[{"newsfeed_id": feed}, {"newsfeed_id": second}])
    assert again["newsfeed_assignments"] == [{"newsfeed_id": feed, "published_at": frozen}, {"newsfeed_id": second, "published_at": frozen + 10}]
    backdated = put_item(api, item["id"], newsfeed_assignments=[{"newsfeed_id": feed, "published_at": PAST}])
    assert backdated["newsfeed_assignments"] == [{"newsfeed_id": feed, "published_at": PAST}]
    assert notifications(db, workspace.id) == [(int(item["id"]), feed, frozen), (int(item["id"]), second, frozen + 10)]
    assert error(put_item(api, item["id"], 400, newsfeed_assignments=[{"newsfeed_id": feed, "published_at": frozen + 11}]))[1] == "newsfeed_assignments.0.published_at"


def test_back_to_draft_leaves_the_feed_and_a_silent_relaunch_does_not_notify(api, db, workspace, feed, frozen):
    item = post_item(api, title="t", sender_id=workspace.owner_id, state="live", newsfeed_assignments=[{"newsfeed_id": feed}])
    assert [i["id"] for i in feed_items(api, feed)["data"]] == [item["id"]]  # live: in its feed
    draft = put_item(api, item["id"], state="draft")
    assert draft["newsfeed_assignments"] == [{"newsfeed_id": feed}]
    assert feed_items(api, feed)["total_count"] == 0
    put_item(api, item["id"], state="live", deliver_silently=True)
    assert feed_items(api, feed)["total_count"] == 1
    assert notifications(db, workspace.id) == [(int(item["id"]), feed, frozen)]


def test_a_live_item_without_feeds_notifies_nobody(api, db, workspace):
    post_item(api, title="t", sender_id=workspace.owner_id, state="live")
    assert notifications(db, workspace.id) == []


# --- delete, unknown ids, isolation ---------------------------------------------------------------


def test_delete(api, db, workspace, feed):
    item = post_item(api, title="t", sender_id=workspace.owner_id, state="live", newsfeed_assignments=[{"newsfeed_id": feed}])
    response = api.delete(f"/news/news_items/{item['id']}")
    assert response.status_code == 200 and response.json() == {"id": item["id"], "object": "news-item", "deleted": True}
    assert api.get(f"/news/news_items/{item['id']}").status_code == 404
    assert api.delete(f"/news/news_items/{item['id']}").status_code == 404
    assert feed_items(api, feed)["total_count"] == 0
    assert len(notifications(db, workspace.id)) == 1  # a sent notification stays in the record
    again = post_item(api, title="t", sender_id=workspace.owner_id)
    assert int(again["id"]) > int(item["id"])  # ids are never reused


def test_unknown_and_foreign_item_ids_are_not_found(api, db, workspace):
    with db.transaction() as session:
        other = create_workspace(session, "Other")
    from tests.support import make_client

    with make_client(api.base_url, other.token) as other_api:
        foreign = other_api.post("/news/news_items", json={"title": "t", "sender_id": owner_of(db, other.workspace.id)}).json()["id"]
    for bad in (foreign, "999999999", "abc", "0", "99999999999999999999999", "%C2%B2"):
        for method in ("GET", "PUT", "DELETE"):
            kwargs = {"json": {"title": "x"}} if method == "PUT" else {}
            response = api.request(method, f"/news/news_items/{bad}", **kwargs)
            assert response.status_code == 404 and response.json()["errors"] == NOT_FOUND


def owner_of(db, workspace_id):
    with db.transaction(write=False) as session:
        return owner_admin_id(session, workspace_id)


def test_without_a_token(anon):
    for path in ("/news/news_items", "/news/newsfeeds", "/news/newsfeeds/1", "/news/newsfeeds/1/items", "/news/news_items/1"):
        assert anon.get(path).status_code == 401
    assert anon.post("/news/news_items", json={"title": "t", "sender_id": 1}).status_code == 401


# --- lists ----------------------------------------------------------------------------------------


def test_news_items_list_pages_by_number(api, workspace):
    ids = [post_item(api, title=f"n{i}", sender_id=workspace.owner_id)["id"] for i in range(12)]
    first = api.get("/news/news_items").json()
    assert first["type"] == "list" and first["total_count"] == 12
    assert first["pages"] == {"type": "pages", "page": 1, "per_page": 10, "total_pages": 2}
    assert [i["id"] for i in first["data"]] == ids[:10]
    second = api.get("/news/news_items", params={"page": 2}).json()
    assert [i["id"] for i in second["data"]] == ids[10:] and second["pages"]["page"] == 2
    assert api.get("/news/news_items", params={"page": 3}).json()["data"] == []


def test_feed_items_are_the_live_ones_newest_first(api, db, workspace, feed, frozen):
    second = add_feed(db, workspace.id)
    def make(title, state, feeds, at=None):
        assignments = [{"newsfeed_id": f, **({"published_at": at} if at else {})} for f in feeds]
        return post_item(api, title=title, sender_id=workspace.owner_id, state=state, newsfeed_assignments=assignments)["id"]
    old = make("old", "live", [feed], PAST)
    new = make("new", "live", [feed, second])
    make("draft", "draft", [feed])
    make("elsewhere", "live", [second])
    make("nowhere", "live", [])
    middle = make("middle", "live", [feed], PAST + 100)
    empty = feed_items(api, add_feed(db, workspace.id, "Empty"))
    assert empty == {"type": "list", "data": [], "total_count": 0, "pages": {"type": "pages", "page": 1, "per_page": 20, "total_pages": 0}}
    listed = feed_items(api, feed)
    assert [i["id"] for i in listed["data"]] == [new, middle, old] and listed["total_count"] == 3
    assert listed["data"][0]["newsfeed_assignments"] == [{"newsfeed_id": feed, "published_at": frozen}, {"newsfeed_id": second, "published_at": frozen}]
    paged = feed_items(api, feed, per_page=2, page=2)
    assert [i["id"] for i in paged["data"]] == [old] and paged["pages"]["total_pages"] == 2


# --- control plane --------------------------------------------------------------------------------


def test_snapshot_round_trip_and_reset_keep_news_consistent(api, server, db, workspace, feed):
    from tests.support import make_client

    item = post_item(api, title="t", sender_id=workspace.owner_id, state="live", labels=["b", "a"], reactions=["👍"],
                     newsfeed_assignments=[{"newsfeed_id": feed, "published_at": PAST}])
    with make_client(server, None) as control:
        saved = control.get("/_opencom/snapshot", params={"workspace_id": workspace.id}).content
        api.delete(f"/news/news_items/{item['id']}")
        response = control.post("/_opencom/snapshot", params={"workspace_id": workspace.id}, content=saved,
                                headers={"Content-Type": "application/json"})
        assert response.status_code == 200, response.text
        assert api.get(f"/news/news_items/{item['id']}").json() == item
        assert [i["id"] for i in feed_items(api, feed)["data"]] == [item["id"]]
        assert control.post("/_opencom/reset", json={"workspace_id": workspace.id}).status_code == 200
    assert api.get("/news/news_items").json()["total_count"] == 0
    feeds = api.get("/news/newsfeeds").json()
    assert feeds["total_count"] == 1 and feeds["data"][0]["name"] == "Visitor Feed"  # seeded again
    assert notifications(db, workspace.id) == []


def test_concurrent_go_live_notifies_once(api, server, db, workspace, feed):
    from concurrent.futures import ThreadPoolExecutor

    from tests.support import make_client

    item = post_item(api, title="t", sender_id=workspace.owner_id, newsfeed_assignments=[{"newsfeed_id": feed}])

    def go_live(_):
        with make_client(server, workspace.token) as client:
            return client.put(f"/news/news_items/{item['id']}", json={"state": "live"}).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        assert list(pool.map(go_live, range(5))) == [200] * 5
    assert len(notifications(db, workspace.id)) == 1
