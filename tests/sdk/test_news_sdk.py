"""The official python-intercom SDK (5.0.1) against a real Opencom server: news items and newsfeeds."""

from __future__ import annotations

import pytest
from intercom import Intercom, NewsfeedAssignment
from intercom.core.api_error import ApiError
from intercom.errors import NotFoundError

PAST = 1664638214


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_news(client, workspace):
    feeds = client.news.feeds.list()
    assert feeds.total_count == 1
    feed = client.news.feeds.find(newsfeed_id=feeds.data[0].id)
    assert feed.type == "newsfeed" and feed.name == "Visitor Feed"

    item = client.news.items.create(
        title="Halloween is here!", body="<p>New costumes</p>", sender_id=workspace.owner_id, state="live",
        deliver_silently=True, labels=["Product", "Update", "New"], reactions=["😆", "😅"],
        newsfeed_assignments=[NewsfeedAssignment(newsfeed_id=int(feed.id), published_at=PAST)],
    )
    assert item.type == "news-item" and item.labels == ["New", "Product", "Update"]
    assert item.newsfeed_assignments[0].published_at == PAST
    assert client.news.items.find(news_item_id=int(item.id)).title == "Halloween is here!"

    updated = client.news.items.update(
        news_item_id=int(item.id), title="Christmas is here!", sender_id=workspace.owner_id, reactions=["😝", "😂"],
    )
    assert updated.title == "Christmas is here!" and updated.reactions == ["😝", "😂"] and updated.state == "live"
    assert [i.id for i in client.news.items.list().data] == [item.id]
    assert [i.id for i in client.news.feeds.list_items(newsfeed_id=feed.id).data] == [item.id]

    deleted = client.news.items.delete(news_item_id=int(item.id))
    assert deleted.deleted is True and deleted.object == "news-item" and deleted.id == item.id
    with pytest.raises(NotFoundError):
        client.news.items.find(news_item_id=int(item.id))
    with pytest.raises(ApiError) as raised:
        client.news.items.create(title="t", sender_id=123456789)
    assert raised.value.status_code == 400
