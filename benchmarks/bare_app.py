"""The ceiling: a minimal Starlette app answering GET /contacts/{id} with a fixed ~1 KB contact.

No database, no auth, no validation; the body is encoded once. Served by uvicorn with the same
worker count and options as `opencom serve`, it shows what Python alone costs on this machine:
`benchmarks/run.py` compares Opencom's GET /contacts/{id} with it.

    uvicorn benchmarks.bare_app:app --workers 2
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

CONTACT = {
    "type": "contact", "id": "6571a1b2c3d4e5f60718293a", "workspace_id": "ecahpwf5",
    "external_id": "user-1001", "role": "user", "email": "ada.lovelace@example.com",
    "email_domain": "example.com", "phone": "+447700900123", "name": "Ada Lovelace", "avatar": None,
    "owner_id": None, "social_profiles": {"type": "list", "data": []}, "has_hard_bounced": False,
    "marked_email_as_spam": False, "unsubscribed_from_emails": False, "created_at": 1732579200,
    "updated_at": 1732579200, "signed_up_at": 1732579200, "last_seen_at": 1732582800,
    "last_replied_at": None, "last_contacted_at": None, "last_email_opened_at": None,
    "last_email_clicked_at": None, "language_override": None, "browser": "chrome",
    "browser_version": "131.0", "browser_language": "en", "os": "macOS",
    "location": {"type": "location", "country": "United Kingdom", "region": "England",
                 "city": "London", "country_code": "GBR", "continent_code": "EU"},
    "custom_attributes": {"plan": "pro", "seats": 12},
    "tags": {"type": "list", "data": [], "url": "/contacts/6571a1b2c3d4e5f60718293a/tags", "total_count": 0, "has_more": False},
    "notes": {"type": "list", "data": [], "url": "/contacts/6571a1b2c3d4e5f60718293a/notes", "total_count": 0, "has_more": False},
    "companies": {"type": "list", "data": [], "url": "/contacts/6571a1b2c3d4e5f60718293a/companies", "total_count": 0, "has_more": False},
    "utm_campaign": None, "utm_content": None, "utm_medium": None, "utm_source": None, "utm_term": None,
}
BODY = json.dumps(CONTACT, separators=(",", ":")).encode()


async def show_contact(request):
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/contacts/{id}", show_contact)])
