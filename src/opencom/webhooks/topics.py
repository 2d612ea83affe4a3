"""The webhook topics Opencom fires, named exactly as in Intercom's webhook topic reference.

`TOPICS` maps each topic to the API 2.10 action that fires it (docs/webhooks.md shows the same
table). A topic is listed only when some 2.10 operation can cause it; `OMITTED` names the real
Intercom topics left out and why (they come from the UI, the Messenger, Fin, phone calls or
outbound campaigns, none of which the REST API drives).

Routes publish with `opencom.webhooks.publish.publish(session, principal, topic, item)`; the
helpers at the bottom pick the topic where it depends on the object (a contact's role, an
admin vs contact reply) so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

TOPICS: dict[str, str] = {
    "ping": "POST /_opencom/webhooks/{id}/ping on the control plane; every subscription gets it",
    # --- admins
    "admin.away_mode_updated": "PUT /admins/{id}/away",
    "admin.activity_log_event.created": "PUT /admins/{id}/away (it records an admin_away_mode_change activity log)",
    # --- articles
    "article.created": "POST /articles",
    "article.updated": "PUT /articles/{id}",
    "article.published": "POST /articles or PUT /articles/{id} that leaves the article published when it was not",
    "article.unpublished": "PUT /articles/{id} with state draft on a published article",
    "article.deleted": "DELETE /articles/{id}",
    # --- companies
    "company.created": "POST /companies with a new company_id",
    "company.updated": "POST /companies with an existing company_id, or PUT /companies/{id}",
    "company.deleted": "DELETE /companies/{id}",
    "company.contact.attached": "POST /contacts/{id}/companies",
    "company.contact.detached": "DELETE /contacts/{contact_id}/companies/{id}",
    # --- contacts
    "contact.user.created": "POST /contacts with role user (the default); also a user made on the side: "
                            "POST /tickets naming an unknown email, POST /visitors/convert to a new user",
    "contact.lead.created": "POST /contacts with role lead; also a lead made on the side: POST /conversations "
                            "or /messages from a visitor, POST /conversations/{id}/customers with an unknown email, "
                            "POST /visitors/convert to a new lead, POST /phone_call_redirects for an unknown phone",
    "contact.user.updated": "PUT /contacts/{id} on a user",
    "contact.lead.updated": "PUT /contacts/{id} on a lead",
    "contact.lead.signed_up": "PUT /contacts/{id} that turns a lead into a user (role user)",
    "contact.email.updated": "PUT /contacts/{id} that changes the email",
    "contact.lead.added_email": "PUT /contacts/{id} that gives a lead without email an email",
    "contact.deleted": "DELETE /contacts/{id}",
    "contact.archived": "POST /contacts/{id}/archive",
    "contact.unarchive": "POST /contacts/{id}/unarchive",
    "contact.merged": "POST /contacts/merge",
    "contact.user.tag.created": "POST /contacts/{id}/tags on a user",
    "contact.lead.tag.created": "POST /contacts/{id}/tags on a lead",
    "contact.user.tag.deleted": "DELETE /contacts/{contact_id}/tags/{id} on a user",
    "contact.lead.tag.deleted": "DELETE /contacts/{contact_id}/tags/{id} on a lead",
    "contact.subscribed": "PUT /contacts/{id} with unsubscribed_from_emails false on an unsubscribed contact",
    "contact.unsubscribed": "PUT /contacts/{id} with unsubscribed_from_emails true on a subscribed contact",
    "granular.subscribe": "POST /contacts/{id}/subscriptions to an opt-in type, "
                          "or DELETE /contacts/{contact_id}/subscriptions/{id} of an opt-out type",
    "granular.unsubscribe": "POST /contacts/{id}/subscriptions to an opt-out type, "
                            "or DELETE /contacts/{contact_id}/subscriptions/{id} of an opt-in type",
    # --- conversations
    "conversation.user.created": "POST /conversations, or POST /messages from a contact",
    "conversation.user.replied": "POST /conversations/{id}/reply with type user",
    "conversation.admin.single.created": "POST /messages from an admin with create_conversation_without_contact_reply",
    "conversation.admin.replied": "POST /conversations/{id}/reply with type admin and message_type comment",
    "conversation.admin.noted": "POST /conversations/{id}/reply with type admin and message_type note",
    "conversation.admin.assigned": "POST /conversations/{id}/parts with message_type assignment",
    "conversation.admin.open.assigned": "POST /conversations/{id}/parts with message_type assignment "
                                        "that leaves the conversation open and assigned",
    "conversation.admin.closed": "POST /conversations/{id}/parts with message_type close",
    "conversation.admin.opened": "POST /conversations/{id}/parts with message_type open "
                                 "on a closed (or open) conversation",
    "conversation.admin.snoozed": "POST /conversations/{id}/parts with message_type snoozed",
    "conversation.admin.unsnoozed": "POST /conversations/{id}/parts with message_type open on a snoozed conversation",
    "conversation.read": "PUT /conversations/{id} with read true on an unread conversation",
    "conversation.contact.attached": "POST /conversations/{id}/customers",
    "conversation.contact.detached": "DELETE /conversations/{conversation_id}/customers/{contact_id}",
    "conversation_part.redacted": "POST /conversations/redact",
    "conversation_part.tag.created": "POST /conversations/{id}/tags",
    # --- data events
    "event.created": "POST /events (not for a repeat of a stored event)",
    # --- tickets
    "ticket.created": "POST /tickets, or POST /conversations/{id}/convert",
    "ticket.state.updated": "PUT /tickets/{id} that changes state",
    "ticket.admin.assigned": "PUT /tickets/{id} that assigns the ticket to an admin",
    "ticket.team.assigned": "PUT /tickets/{id} that assigns the ticket to a team",
    "ticket.attribute.updated": "PUT /tickets/{id} that changes ticket_attributes",
    "ticket.closed": "PUT /tickets/{id} with open false on an open ticket",
    "ticket.note.created": "POST /tickets/{id}/reply with type admin and message_type note",
    "ticket.admin.replied": "POST /tickets/{id}/reply with type admin and message_type comment or quick_reply",
    "ticket.contact.replied": "POST /tickets/{id}/reply with type user",
    # --- visitors
    "visitor.signed_up": "POST /visitors/convert with type user (after contact.user.created when the user is new)",
}

OMITTED: dict[str, str] = {
    "admin.added_to_workspace": "teammates are added in the Intercom UI; 2.10 has no operation for it",
    "admin.removed_from_workspace": "as above",
    "admin.logged_in": "admins log into the Intercom web app, not the REST API",
    "admin.logged_out": "as above",
    "call.started": "Intercom Phone calls are not part of API 2.10",
    "call.ended": "as above",
    "call.transcription_available": "as above",
    "call.recording_available": "as above",
    "content_stat.*": "outbound campaign statistics (banners, chats, emails, posts, news item views, ...); "
                      "2.10 cannot send campaigns or record views",
    "conversation.deleted": "2.10 has no operation that deletes a conversation",
    "conversation.operator.replied": "Fin/Operator bot replies have no 2.10 operation",
    "conversation.priority.updated": "2.10's update conversation has no priority field",
    "conversation.rating.added": "ratings are given by contacts in the Messenger",
    "ticket.contact.attached": "2.10 has no operation attaching a contact to a ticket",
    "ticket.contact.detached": "as above",
    "ticket.rating.provided": "ratings are given by contacts in the Messenger",
    "job.completed": "the jobs API is newer than 2.10",
    "news_item.*": "Intercom has no news-item topics (only content_stat.news_item, see above)",
}


def contact_topic(role: str, action: str) -> str:
    """contact.user.created / contact.lead.updated / contact.user.tag.deleted: the role decides."""
    return f"contact.{role}.{action}"


def contact_tag_item(tag_item: dict, contact_item: dict, created_at: int) -> dict:
    """Intercom's webhook-only Contact Tag object: the tag and the contact it was put on or taken off."""
    return {"type": "contact_tag", "created_at": created_at, "tag": tag_item, "contact": contact_item}


def contact_company_item(company_item: dict, contact_item: dict, created_at: int) -> dict:
    """The pair behind company.contact.attached/detached, shaped like the Contact Tag object."""
    return {"type": "contact_company", "created_at": created_at, "company": company_item, "contact": contact_item}


def contact_update_topics(before: dict[str, Any], contact_item: dict) -> list[str]:
    """The topics of PUT /contacts/{id}, from the contact before (role, email,
    unsubscribed_from_emails) and the contact as the API returns it after."""
    topics = []
    if before["role"] == "lead" and contact_item["role"] == "user":
        topics.append("contact.lead.signed_up")
    if contact_item["email"] != before["email"]:
        if before["role"] == "lead" and not before["email"]:
            topics.append("contact.lead.added_email")
        topics.append("contact.email.updated")
    if contact_item["unsubscribed_from_emails"] != before["unsubscribed_from_emails"]:
        topics.append("contact.unsubscribed" if contact_item["unsubscribed_from_emails"] else "contact.subscribed")
    topics.append(contact_topic(contact_item["role"], "updated"))
    return topics
