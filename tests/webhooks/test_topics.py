"""Webhook topics: for each topic an API action that fires it, with its item and the order.

Every test subscribes one receiver to every topic, so each action's notifications are checked
exactly (no missing and no extra ones), in the order they were published. An item is compared
with a GET of the same object right after the action (it is the object as the API returns it).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from opencom.teams.service import create_team
from opencom.webhooks.topics import OMITTED, TOPICS
from tests.people import make_contact

ALL = sorted(set(TOPICS) - {"ping"})


class Stream:
    """The notifications of one subscription, consumed action by action."""

    def __init__(self, receiver, app_id: str) -> None:
        self.receiver, self.app_id, self.seen = receiver, app_id, 0

    def expect(self, *topics: str) -> list[dict]:
        """Wait for the next len(topics) notifications; they must carry these topics, in order."""
        received = self.receiver.wait_for(self.seen + len(topics))[self.seen:]
        self.seen += len(topics)
        assert [n["topic"] for n in received] == list(topics)
        for notification in received:
            assert notification["type"] == "notification_event" and notification["app_id"] == self.app_id
            assert notification["id"].startswith("notif_")
            assert notification["data"]["type"] == "notification_event_data"
        return [n["data"]["item"] for n in received]

    def one(self, topic: str) -> dict:
        return self.expect(topic)[0]

    def done(self) -> None:
        """Nothing arrived beyond what was expected (an action that changes nothing notifies nothing)."""
        extra = self.receiver.settle()[self.seen:]
        assert not extra, [n["topic"] for n in extra]


@pytest.fixture
def events(api, workspace, receiver, subscribe) -> Stream:
    subscribe(workspace, ALL)
    return Stream(receiver, api.get("/me").json()["app"]["id_code"])


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


# --- contacts -----------------------------------------------------------------------------------


def test_contact_lifecycle(api, events):
    user = ok(api.post("/contacts", json={"email": "ada@example.com", "name": "Ada"}))
    assert events.one("contact.user.created") == user == ok(api.get(f"/contacts/{user['id']}"))

    lead = ok(api.post("/contacts", json={"role": "lead", "name": "Lin"}))
    assert events.one("contact.lead.created") == lead

    lead = ok(api.put(f"/contacts/{lead['id']}", json={"email": "lin@example.com"}))
    items = events.expect("contact.lead.added_email", "contact.email.updated", "contact.lead.updated")
    assert items == [lead] * 3 and lead["email"] == "lin@example.com"

    signed_up = ok(api.put(f"/contacts/{lead['id']}", json={"role": "user"}))
    assert events.expect("contact.lead.signed_up", "contact.user.updated") == [signed_up] * 2
    assert signed_up["role"] == "user"

    unsubscribed = ok(api.put(f"/contacts/{user['id']}", json={"unsubscribed_from_emails": True}))
    assert events.expect("contact.unsubscribed", "contact.user.updated") == [unsubscribed] * 2
    ok(api.put(f"/contacts/{user['id']}", json={"unsubscribed_from_emails": False}))
    events.expect("contact.subscribed", "contact.user.updated")
    ok(api.put(f"/contacts/{user['id']}", json={"email": "ada@lovelace.org"}))
    events.expect("contact.email.updated", "contact.user.updated")

    assert ok(api.post(f"/contacts/{user['id']}/archive"))["archived"] is True
    archived = events.one("contact.archived")
    assert archived["id"] == user["id"] and archived["type"] == "contact" and archived["email"] == "ada@lovelace.org"
    ok(api.post(f"/contacts/{user['id']}/archive"))  # already archived: no change, no notification
    ok(api.post(f"/contacts/{user['id']}/unarchive"))
    assert events.one("contact.unarchive") == ok(api.get(f"/contacts/{user['id']}"))

    deleted = ok(api.delete(f"/contacts/{user['id']}"))
    assert events.one("contact.deleted") == deleted == {
        "type": "contact", "id": user["id"], "external_id": None, "deleted": True,
    }
    events.done()


def test_contact_tags_and_merge(api, events):
    user = ok(api.post("/contacts", json={"email": "grace@example.com"}))
    lead = ok(api.post("/contacts", json={"role": "lead", "email": "lead@example.com"}))
    events.expect("contact.user.created", "contact.lead.created")
    tag = ok(api.post("/tags", json={"name": "VIP"}))

    applied = ok(api.post(f"/contacts/{user['id']}/tags", json={"id": tag["id"]}))
    item = events.one("contact.user.tag.created")
    assert item["type"] == "contact_tag" and item["tag"] == applied and item["created_at"] == applied["applied_at"]
    assert item["contact"] == ok(api.get(f"/contacts/{user['id']}"))
    ok(api.post(f"/contacts/{user['id']}/tags", json={"id": tag["id"]}))  # tagged already: nothing new
    ok(api.delete(f"/contacts/{user['id']}/tags/{tag['id']}"))
    item = events.one("contact.user.tag.deleted")
    assert item["tag"] == {"type": "tag", "id": tag["id"], "name": "VIP"} and item["contact"]["id"] == user["id"]
    ok(api.delete(f"/contacts/{user['id']}/tags/{tag['id']}"))  # not tagged: nothing to notify

    ok(api.post(f"/contacts/{lead['id']}/tags", json={"id": tag["id"]}))
    assert events.one("contact.lead.tag.created")["contact"]["id"] == lead["id"]
    ok(api.delete(f"/contacts/{lead['id']}/tags/{tag['id']}"))
    assert events.one("contact.lead.tag.deleted")["contact"]["role"] == "lead"

    merged = ok(api.post("/contacts/merge", json={"from": lead["id"], "into": user["id"]}))
    item = events.one("contact.merged")
    assert item == {**merged, "merged_from": {"type": "contact", "id": lead["id"]}}
    events.done()


def test_granular_subscriptions(api, events, db, workspace):
    contact = make_contact(db, workspace.id, email="sub@example.com")
    types = {t["consent_type"]: t for t in ok(api.get("/subscription_types"))["data"]}
    opt_in, opt_out = types["opt_in"], types["opt_out"]

    ok(api.post(f"/contacts/{contact}/subscriptions", json={"id": opt_in["id"], "consent_type": "opt_in"}))
    item = events.one("granular.subscribe")
    assert item == {**opt_in, "contact": {"type": "contact", "id": contact}}
    ok(api.post(f"/contacts/{contact}/subscriptions", json={"id": opt_in["id"], "consent_type": "opt_in"}))  # no change
    ok(api.delete(f"/contacts/{contact}/subscriptions/{opt_in['id']}"))
    assert events.one("granular.unsubscribe")["id"] == opt_in["id"]

    ok(api.post(f"/contacts/{contact}/subscriptions", json={"id": opt_out["id"], "consent_type": "opt_out"}))
    assert events.one("granular.unsubscribe")["id"] == opt_out["id"]
    ok(api.delete(f"/contacts/{contact}/subscriptions/{opt_out['id']}"))
    assert events.one("granular.subscribe")["id"] == opt_out["id"]
    events.done()


def visitor(db, workspace) -> str:
    from opencom.visitors.service import create_visitor

    with db.transaction() as session:
        return create_visitor(session, workspace.id, name="Vera", email=None).user_id


def test_visitor_signed_up(api, events, db, workspace):
    contact = ok(api.post("/visitors/convert", json={
        "visitor": {"user_id": visitor(db, workspace)}, "user": {"email": "vera@example.com"}, "type": "user",
    }))
    created, signed_up = events.expect("contact.user.created", "visitor.signed_up")
    assert created == signed_up == contact == ok(api.get(f"/contacts/{contact['id']}"))
    # Into a known user: no contact is created, the visitor still signs up.
    again = ok(api.post("/visitors/convert", json={
        "visitor": {"user_id": visitor(db, workspace)}, "user": {"id": contact["id"]}, "type": "user",
    }))
    assert events.one("visitor.signed_up")["id"] == again["id"] == contact["id"]
    lead = ok(api.post("/visitors/convert", json={
        "visitor": {"user_id": visitor(db, workspace)}, "user": {"user_id": "ext-9"}, "type": "lead",
    }))
    assert events.one("contact.lead.created") == lead
    events.done()


def test_contacts_made_on_the_side(api, events, db, workspace):
    """Operations that create a contact as a by-product fire its creation topic first."""
    written = ok(api.post("/conversations", json={"from": {"type": "contact", "user_id": visitor(db, workspace)}, "body": "Hi"}))
    lead, conversation = events.expect("contact.lead.created", "conversation.user.created")
    assert lead["role"] == "lead" and conversation["id"] == written["conversation_id"]
    assert conversation["contacts"]["contacts"][0]["id"] == lead["id"]

    path = f"/conversations/{written['conversation_id']}/customers"
    ok(api.post(path, json={"admin_id": workspace.owner_id, "customer": {"email": "new@example.com"}}))
    friend, attached = events.expect("contact.lead.created", "conversation.contact.attached")
    assert friend["email"] == "new@example.com" and attached["id"] == written["conversation_id"]

    ok(api.post("/phone_call_redirects", json={"phone": "+14155552671"}))
    assert events.one("contact.lead.created")["phone"] == "+14155552671"
    ok(api.post("/phone_call_redirects", json={"phone": "+14155552671"}))  # the same lead again: nothing new

    ticket_type = ok(api.post("/ticket_types", json={"name": "Bug", "category": "Customer"}))
    ticket = ok(api.post("/tickets", json={"ticket_type_id": ticket_type["id"], "contacts": [{"email": "t@example.com"}]}))
    user, created = events.expect("contact.user.created", "ticket.created")
    assert user["email"] == "t@example.com" and created == ticket
    events.done()


def test_event_created(api, events, db, workspace):
    contact = make_contact(db, workspace.id, email="ev@example.com")
    at = int(time.time()) - 60  # GET /events lists the last 90 days
    body = {"event_name": "invited-friend", "created_at": at, "id": contact, "metadata": {"count": 2}}
    assert api.post("/events", json=body).status_code == 202
    item = events.one("event.created")
    listed = ok(api.get("/events", params={"type": "user", "intercom_user_id": contact}))["events"]
    assert item == listed[0] and item["event_name"] == "invited-friend"
    assert api.post("/events", json=body).status_code == 202  # a repeat is ignored: no event
    events.done()


# --- companies ----------------------------------------------------------------------------------


def test_company_lifecycle(api, events, db, workspace):
    company = ok(api.post("/companies", json={"company_id": "acme", "name": "Acme"}))
    assert events.one("company.created") == company == ok(api.get(f"/companies/{company['id']}"))
    again = ok(api.post("/companies", json={"company_id": "acme", "plan": "pro"}))
    assert events.one("company.updated") == again
    renamed = ok(api.put(f"/companies/{company['id']}", json={"name": "Acme Inc"}))
    assert events.one("company.updated") == renamed

    contact = make_contact(db, workspace.id, email="emp@example.com")
    attached = ok(api.post(f"/contacts/{contact}/companies", json={"id": company["id"]}))
    item = events.one("company.contact.attached")
    assert item["type"] == "contact_company" and item["company"] == attached
    assert item["contact"] == ok(api.get(f"/contacts/{contact}"))
    ok(api.post(f"/contacts/{contact}/companies", json={"id": company["id"]}))  # attached already
    detached = ok(api.delete(f"/contacts/{contact}/companies/{company['id']}"))
    item = events.one("company.contact.detached")
    assert item["company"] == detached and item["contact"]["id"] == contact

    deleted = ok(api.delete(f"/companies/{company['id']}"))
    assert events.one("company.deleted") == deleted == {"id": company["id"], "object": "company", "deleted": True}
    events.done()


# --- admins -------------------------------------------------------------------------------------


def test_admin_away_mode(api, events, workspace):
    admin = ok(api.put(f"/admins/{workspace.owner_id}/away", json={"away_mode_enabled": True, "away_mode_reassign": False}))
    away, log = events.expect("admin.away_mode_updated", "admin.activity_log_event.created")
    assert away == admin == ok(api.get(f"/admins/{workspace.owner_id}")) and away["away_mode_enabled"] is True
    logs = ok(api.get("/admins/activity_logs", params={"created_at_after": 0}))["activity_logs"]
    assert log in logs and log["activity_type"] == "admin_away_mode_change"
    events.done()


# --- conversations ------------------------------------------------------------------------------


def test_conversation_lifecycle(api, events, workspace, db):
    admin = workspace.owner_id
    contact = make_contact(db, workspace.id, email="lin@example.com")
    message = ok(api.post("/conversations", json={"from": {"type": "user", "id": contact}, "body": "Invoice wrong"}))
    path = f"/conversations/{message['conversation_id']}"
    assert events.one("conversation.user.created") == ok(api.get(path))

    def act(method: str, url: str, body: dict, *topics: str) -> None:
        result = ok(api.request(method, url, json=body))
        items = events.expect(*topics)
        assert items == [ok(api.get(path))] * len(topics)
        if url != "/conversations/redact" and "customers" not in url and "tags" not in url:
            assert items[0] == result

    act("POST", f"{path}/reply", {"message_type": "comment", "type": "admin", "admin_id": admin, "body": "On it"},
        "conversation.admin.replied")
    act("POST", f"{path}/reply", {"message_type": "note", "type": "admin", "admin_id": admin, "body": "Refund?"},
        "conversation.admin.noted")
    act("POST", f"{path}/reply", {"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Thanks"},
        "conversation.user.replied")
    act("PUT", path, {"read": True}, "conversation.read")
    ok(api.put(path, json={"read": True}))  # already read: no notification
    act("POST", f"{path}/parts", {"message_type": "assignment", "type": "admin", "admin_id": admin, "assignee_id": admin},
        "conversation.admin.assigned", "conversation.admin.open.assigned")
    act("POST", f"{path}/parts", {"message_type": "snoozed", "admin_id": admin, "snoozed_until": 4102444800},
        "conversation.admin.snoozed")
    act("POST", f"{path}/parts", {"message_type": "open", "admin_id": admin}, "conversation.admin.unsnoozed")
    act("POST", f"{path}/parts", {"message_type": "close", "type": "admin", "admin_id": admin}, "conversation.admin.closed")
    act("POST", f"{path}/parts", {"message_type": "assignment", "type": "admin", "admin_id": admin, "assignee_id": "0"},
        "conversation.admin.assigned")  # unassigning a closed conversation: not an open assignment
    act("POST", f"{path}/parts", {"message_type": "open", "admin_id": admin}, "conversation.admin.opened")

    friend = make_contact(db, workspace.id, email="friend@example.com")
    act("POST", f"{path}/customers", {"admin_id": admin, "customer": {"intercom_user_id": friend}},
        "conversation.contact.attached")
    ok(api.post(f"{path}/customers", json={"admin_id": admin, "customer": {"intercom_user_id": friend}}))  # no change
    act("DELETE", f"{path}/customers/{friend}", {"admin_id": admin}, "conversation.contact.detached")

    tag = ok(api.post("/tags", json={"name": "billing"}))
    act("POST", f"{path}/tags", {"id": tag["id"], "admin_id": admin}, "conversation_part.tag.created")
    ok(api.post(f"{path}/tags", json={"id": tag["id"], "admin_id": admin}))  # tagged already

    parts = ok(api.get(path))["conversation_parts"]["conversation_parts"]
    part = next(p for p in parts if p["part_type"] == "comment" and p["author"]["type"] == "user")
    act("POST", "/conversations/redact",
        {"type": "conversation_part", "conversation_id": message["conversation_id"], "conversation_part_id": part["id"]},
        "conversation_part.redacted")
    events.done()


def test_messages_create_conversations(api, events, workspace, db):
    contact = make_contact(db, workspace.id, email="msg@example.com")
    sent = ok(api.post("/messages", json={
        "message_type": "inapp", "body": "Welcome", "from": {"type": "admin", "id": workspace.owner_id},
        "to": {"type": "user", "id": contact}, "create_conversation_without_contact_reply": True,
    }))
    item = events.one("conversation.admin.single.created")
    assert item == ok(api.get(f"/conversations/{sent['conversation_id']}"))
    ok(api.post("/messages", json={  # no conversation until the contact replies: nothing to notify
        "message_type": "inapp", "body": "Hello again", "from": {"type": "admin", "id": workspace.owner_id},
        "to": {"type": "user", "id": contact},
    }))
    written = ok(api.post("/messages", json={"from": {"type": "user", "id": contact}, "body": "A question"}))
    assert events.one("conversation.user.created") == ok(api.get(f"/conversations/{written['conversation_id']}"))
    events.done()


# --- tickets ------------------------------------------------------------------------------------


@pytest.fixture
def ticket_setup(api, db, workspace):
    ticket_type = ok(api.post("/ticket_types", json={"name": "Bug", "category": "Customer"}))
    contact = make_contact(db, workspace.id, email="joe@example.com")
    return ticket_type, contact


def test_ticket_lifecycle(api, events, workspace, db, ticket_setup):
    ticket_type, contact = ticket_setup
    admin = workspace.owner_id
    ticket = ok(api.post("/tickets", json={
        "ticket_type_id": ticket_type["id"], "contacts": [{"id": contact}],
        "ticket_attributes": {"_default_title_": "Broken", "_default_description_": "It fails"},
    }))
    path = f"/tickets/{ticket['id']}"
    assert events.one("ticket.created") == ticket == ok(api.get(path))

    def update(body: dict, *topics: str) -> None:
        updated = ok(api.put(path, json=body))
        assert events.expect(*topics) == [updated] * len(topics) and updated == ok(api.get(path))

    update({"ticket_attributes": {"_default_title_": "Very broken"}, "state": "in_progress",
            "assignment": {"admin_id": str(admin), "assignee_id": str(admin)}},
           "ticket.attribute.updated", "ticket.state.updated", "ticket.admin.assigned")
    with db.transaction() as session:
        team = create_team(session, workspace.id, name="Tier 2")
    update({"assignment": {"assignee_id": str(team.id)}}, "ticket.team.assigned")
    update({"assignment": {"assignee_id": "0"}})  # unassigning: no assignment topic
    update({"is_shared": False})

    def reply(body: dict, topic: str) -> None:
        ok(api.post(f"{path}/reply", json=body))
        assert events.one(topic) == ok(api.get(path))

    reply({"message_type": "comment", "type": "admin", "admin_id": str(admin), "body": "Looking"}, "ticket.admin.replied")
    reply({"message_type": "note", "type": "admin", "admin_id": str(admin), "body": "Internal"}, "ticket.note.created")
    reply({"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Any news?"},
          "ticket.contact.replied")

    update({"open": False, "state": "resolved"}, "ticket.state.updated", "ticket.closed")
    events.done()


def test_converting_a_conversation_creates_a_ticket(api, events, workspace, db, ticket_setup):
    ticket_type, contact = ticket_setup
    message = ok(api.post("/conversations", json={"from": {"type": "user", "id": contact}, "body": "Help"}))
    events.one("conversation.user.created")
    ticket = ok(api.post(f"/conversations/{message['conversation_id']}/convert", json={"ticket_type_id": ticket_type["id"]}))
    assert events.one("ticket.created") == ticket == ok(api.get(f"/tickets/{ticket['id']}"))
    events.done()


# --- articles -----------------------------------------------------------------------------------


def test_article_lifecycle(api, events, workspace):
    draft = ok(api.post("/articles", json={"title": "Refunds", "author_id": workspace.owner_id}))
    path = f"/articles/{draft['id']}"
    assert events.one("article.created") == draft == ok(api.get(path))
    published = ok(api.put(path, json={"state": "published"}))
    assert events.expect("article.updated", "article.published") == [published] * 2
    ok(api.put(path, json={"title": "Refunds and returns"}))
    events.expect("article.updated")  # still published: no second article.published
    unpublished = ok(api.put(path, json={"state": "draft"}))
    assert events.expect("article.updated", "article.unpublished") == [unpublished] * 2
    ok(api.post("/articles", json={"title": "Live at once", "author_id": workspace.owner_id, "state": "published"}))
    events.expect("article.created", "article.published")
    deleted = ok(api.delete(path))
    assert events.one("article.deleted") == deleted and deleted["deleted"] is True
    events.done()


# --- the catalogue ------------------------------------------------------------------------------


def test_no_notification_without_a_subscription_to_the_topic(api, workspace, receiver, subscribe):
    subscribe(workspace, ["contact.lead.created"])
    ok(api.post("/contacts", json={"email": "quiet@example.com"}))  # a user: not subscribed
    ok(api.post("/contacts", json={"role": "lead"}))
    [notification] = receiver.wait_for(1)
    assert notification["topic"] == "contact.lead.created"
    assert len(receiver.settle()) == 1


def test_every_topic_has_a_test_here_and_a_row_in_the_docs():
    source = Path(__file__).read_text()
    untested = [t for t in ALL if f'"{t}"' not in source]
    assert not untested, untested
    docs = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text()
    rows = set(re.findall(r"^\| `([a-z_.]+)` \|", docs, re.MULTILINE))
    assert rows == set(TOPICS), (set(TOPICS) - rows, rows - set(TOPICS))
    assert not set(TOPICS) & set(OMITTED)
