"""Switch: POST /phone_call_redirects. Errors here are `{error_key, message}`, not `error.list`
(BEHAVIOUR section 0; errata phone-switch-error-body)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.requests import Request

from opencom.contacts.models import Contact
from opencom.core.auth import CurrentPrincipal
from opencom.core.responses import respond
from opencom.core.session import DbSession
from opencom.core.routing import TransactionRoute
from opencom.switch import service
from opencom.webhooks.watch import inserted, publish_new_contacts

router = APIRouter(route_class=TransactionRoute, tags=["Switch"])


@router.post("/phone_call_redirects")
def create_phone_switch(request: Request, principal: CurrentPrincipal, session: DbSession, body: Any = Body(None)):
    try:
        with inserted(session, Contact) as contacts:  # a caller with an unknown phone becomes a lead
            url = service.redirect_call(session, principal.workspace_id, body, str(request.base_url))
    except service.SwitchError as error:
        session.rollback()  # nothing half-written: the contact update goes too
        return respond(error.body(), error.status)
    publish_new_contacts(session, principal, contacts)
    return respond({"type": "phone_call_redirect", "url": url})
