"""POST /tickets/search agrees with a plain Python evaluation of the same queries.

Tickets of two types are created through the API with random attributes, then their state,
assignee, dates and extra contacts are arranged directly in the database. Hypothesis draws single
filters and 2-level AND/OR groups (the evaluator is shared with the conversations test).
"""

from __future__ import annotations

import random

from hypothesis import strategies as st
from sqlalchemy import update

from opencom.core.clock import now
from opencom.tickets.models import Ticket, TicketContact
from tests.conversations.test_conversations_search import BASE, DAY, check_agreement

TITLES = ["Login broken", "login", "Billing%", "Refund please"]


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def make_type(api, name, category):
    return ok(api.post("/ticket_types", json={"name": name, "category": category}))["id"]


def make_attribute(api, type_id, name, data_type):
    return ok(api.post(f"/ticket_types/{type_id}/attributes", json={"name": name, "description": "d", "data_type": data_type}))["id"]


def test_ticket_search_agrees_with_python(api, db, workspace):
    rng = random.Random(5)
    customer, back_office = make_type(api, "Support", "Customer"), make_type(api, "Ops", "Back-office")
    count = make_attribute(api, customer, "Count", "integer")
    plan = make_attribute(api, customer, "Plan", "string")
    urgent = make_attribute(api, back_office, "Urgent", "boolean")
    contacts = [ok(api.post("/contacts", json={"email": f"t{i}@example.com"}))["id"] for i in range(3)]
    moment = now()
    owner = str(workspace.owner_id)
    rows = []
    for i in range(18):
        type_id = rng.choice([customer, back_office])
        contact = rng.choice(contacts)
        title = rng.choice(TITLES)
        attributes = {"_default_title_": title}
        row = {f"ticket_attribute.{count}": None, f"ticket_attribute.{plan}": None, f"ticket_attribute.{urgent}": None}
        if type_id == customer:
            for attribute_id, name, value in ((count, "Count", rng.choice([None, 0, 3, 10])), (plan, "Plan", rng.choice([None, "Pro", "free"]))):
                if value is not None:
                    attributes[name] = value
                    row[f"ticket_attribute.{attribute_id}"] = value
        elif rng.random() < 0.7:
            attributes["Urgent"] = row[f"ticket_attribute.{urgent}"] = rng.random() < 0.5
        ticket = ok(api.post("/tickets", json={"ticket_type_id": type_id, "contacts": [{"id": contact}], "ticket_attributes": attributes}))
        values = {
            "state": rng.choice(["submitted", "in_progress", "waiting_on_customer", "resolved"]), "open": rng.random() < 0.6,
            "admin_assignee_id": rng.choice(["0", owner, "77"]), "created_at": BASE + rng.choice([0, 1, DAY]),
            "snoozed_until": rng.choice([None, BASE + 3600, moment + DAY]),
        }
        people = {contact} | ({rng.choice(contacts)} if rng.random() < 0.3 else set())
        with db.transaction() as session:
            session.execute(update(Ticket).where(Ticket.id == int(ticket["id"])).values(**values))
            for other in people - {contact}:
                session.add(TicketContact(ticket_id=int(ticket["id"]), contact_id=other))
        row.update({
            "id": ticket["id"], "title": title, "category": "Customer" if type_id == customer else "Back-office",
            "ticket_type_id": str(type_id), "contact_ids": people, **values,
        })
        rows.append(row)
    dates = st.sampled_from([BASE - 1, BASE, BASE + 1, BASE + 3600, BASE + DAY, moment, moment + DAY])
    fields = {
        "title": ("string", st.sampled_from(TITLES + ["LOGIN", "n", "%", "please"])),
        "category": ("string", st.sampled_from(["Customer", "Back-office", "back", "office"])),
        "ticket_type_id": ("string", st.sampled_from([str(customer), str(back_office), int(customer)])),
        "state": ("string", st.sampled_from(["submitted", "in_progress", "resolved", "IN_", "ed"])),
        "admin_assignee_id": ("string", st.sampled_from(["0", owner, "77", "7"])),
        "open": ("boolean", st.booleans()),
        "created_at": ("date", dates),
        "snoozed_until": ("date", dates),
        "contact_ids": ("member", st.sampled_from(contacts + ["nobody"])),
        f"ticket_attribute.{count}": ("integer", st.integers(-1, 11)),
        f"ticket_attribute.{plan}": ("string", st.sampled_from(["Pro", "free", "PRO", "r"])),
        f"ticket_attribute.{urgent}": ("boolean", st.booleans()),
    }
    check_agreement(api, "/tickets/search", "tickets", rows, fields)
