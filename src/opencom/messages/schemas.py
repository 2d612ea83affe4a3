"""Serializers for messages: `admin_message` (an admin's send) and `user_message` (a contact's)."""

from __future__ import annotations

from opencom.admins.models import Admin
from opencom.conversations.models import Conversation
from opencom.conversations.schemas import user_message_json
from opencom.messages.models import Message


def owner_json(admin: Admin) -> dict:
    return {
        "type": "admin",
        "id": str(admin.id),
        "name": admin.name,
        "email": admin.email,
        "away_mode_enabled": admin.away_mode_enabled,
        "away_mode_reassign": admin.away_mode_reassign,
    }


def admin_message_json(message: Message, admin: Admin, conversation: Conversation | None) -> dict:
    body = {
        "type": "admin_message",
        "id": str(message.id),
        "created_at": message.created_at,
        "subject": message.subject or "",
        "body": message.body,
        "message_type": message.message_type,
        "owner": owner_json(admin),
    }
    if conversation is not None:
        body["conversation_id"] = str(conversation.id)
    return body


def message_json(message: Message, admin: Admin | None, conversation: Conversation | None) -> dict:
    if admin is None:
        return user_message_json(message, conversation)
    return admin_message_json(message, admin, conversation)
