"""The official python-intercom SDK (5.0.1) against a real Opencom server: articles and help center."""

from __future__ import annotations

import pytest
from intercom import ArticleContent, ArticleTranslatedContent, CreateArticleRequest, Intercom
from intercom.errors import BadRequestError, NotFoundError


@pytest.fixture
def client(server, workspace):
    return Intercom(token=workspace.token, base_url=server)


def test_help_center_and_collections(client):
    [center] = client.help_centers.list().items
    assert client.help_centers.find(help_center_id=center.id).identifier == center.identifier
    top = client.help_centers.collections.create(name="Getting started", description="Basics")
    assert top.help_center_id == int(center.id) and top.parent_id is None
    section = client.help_centers.collections.create(name="Section", parent_id=top.id)
    assert section.parent_id == top.id
    assert client.help_centers.collections.find(collection_id=section.id).name == "Section"
    assert client.help_centers.collections.update(collection_id=section.id, name="Renamed").name == "Renamed"
    assert {c.id for c in client.help_centers.collections.list().items} == {top.id, section.id}
    with pytest.raises(BadRequestError):
        client.help_centers.collections.create(name="x", parent_id="999999")
    deleted = client.help_centers.collections.delete(collection_id=top.id)
    assert deleted.id == top.id and deleted.object == "collection" and deleted.deleted is True
    with pytest.raises(NotFoundError):
        client.help_centers.collections.find(collection_id=section.id)


def test_articles(client, workspace):
    collection = client.help_centers.collections.create(name="Docs")
    request = CreateArticleRequest(
        title="Thanks for everything", description="Description", body="Body of the Article",
        author_id=workspace.owner_id, state="published", parent_id=int(collection.id), parent_type="collection",
        translated_content=ArticleTranslatedContent(fr=ArticleContent(title="Merci", author_id=workspace.owner_id, state="published")),
    )
    article = client.articles.create(request=request)
    assert article.title == "Thanks for everything" and article.parent_id == int(collection.id)
    assert article.statistics.type == "article_statistics"
    assert article.translated_content.fr.title == "Merci"
    found = client.articles.find(article_id=article.id)
    assert found.body == '<p class="no-margin">Body of the Article</p>'
    updated = client.articles.update(article_id=article.id, title="Christmas is here!")
    assert updated.title == "Christmas is here!" and updated.state == "published"
    assert updated.translated_content.fr.title == "Merci"
    assert [a.id for a in client.articles.list().response.data] == [article.id]
    results = client.articles.search(phrase="christmas", state="published", highlight=True)
    assert results.total_count == 1 and results.data.articles[0].id == article.id
    assert results.data.highlights[0].highlighted_title[0].text == "Christmas"
    with pytest.raises(BadRequestError):
        client.articles.create(request=CreateArticleRequest(title="No author", author_id=0))
    assert client.articles.delete(article_id=article.id).deleted is True
    with pytest.raises(NotFoundError):
        client.articles.find(article_id=article.id)
