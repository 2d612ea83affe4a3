"""The shop's Intercom integration, tested against Opencom with its pytest plugin.

`intercom_client` is the official SDK pointed at Opencom; `opencom` is this test's workspace,
emptied before every test, with its outbox, journal, clock and snapshots.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import app

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_new_customer_is_emailed_a_welcome(intercom_client, opencom):
    customer = app.welcome_customer(intercom_client, "ada@example.com", "Ada")

    emails = opencom.outbox(channel="email")
    assert len(emails) == 1
    assert emails[0]["to"]["email"] == "ada@example.com"
    assert emails[0]["subject"] == "Welcome to the shop, Ada!"
    assert "thanks for signing up" in emails[0]["body"]
    assert customer.email == "ada@example.com"


def test_the_journal_shows_what_the_integration_called(intercom_client, opencom):
    app.welcome_customer(intercom_client, "grace@example.com", "Grace")

    calls = [(r["method"], r["path"], r["status"]) for r in opencom.requests(order="asc")]
    assert calls == [
        ("POST", "/contacts/search", 200),
        ("POST", "/contacts", 200),
        ("GET", "/me", 200),
        ("POST", "/messages", 200),
    ]
    sent = opencom.requests(method="POST", path="/messages")[0]
    assert sent["request_body"]["to"]["type"] == "user"
    assert opencom.token not in str(sent["request_headers"])  # the journal never keeps the token


def test_signing_up_twice_makes_one_customer_and_two_emails(intercom_client, opencom):
    app.welcome_customer(intercom_client, "lin@example.com", "Lin")
    app.welcome_customer(intercom_client, "lin@example.com", "Lin")

    assert [c.email for c in intercom_client.contacts.list()] == ["lin@example.com"]
    assert len(opencom.outbox(channel="email")) == 2


def test_every_test_starts_from_an_empty_workspace(intercom_client, opencom):
    # Other tests made contacts, emails and requests in this same workspace: all gone.
    assert opencom.requests() == []
    assert opencom.outbox() == []
    assert list(intercom_client.contacts.list()) == []


def test_timestamps_follow_the_frozen_clock(intercom_client, opencom):
    launch = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)
    opencom.clock.freeze(launch)

    customer = app.welcome_customer(intercom_client, "kim@example.com", "Kim")

    assert customer.created_at == int(launch.timestamp())
    assert opencom.outbox(channel="email")[0]["created_at"] == int(launch.timestamp())


def test_a_snoozed_problem_wakes_up_when_its_time_comes(intercom_client, opencom):
    opencom.clock.freeze()
    conversation_id = app.report_problem(intercom_client, "sam@example.com", "My parcel never arrived")
    app.wait_for_customer(intercom_client, conversation_id, until=opencom.clock.now() + 3600)
    assert intercom_client.conversations.find(conversation_id=conversation_id).state == "snoozed"

    opencom.clock.advance(3601)

    assert intercom_client.conversations.find(conversation_id=conversation_id).state == "open"


def test_a_committed_snapshot_is_the_starting_state(intercom_client, opencom):
    # fixtures/existing-customer.json was made with `opencom.save_snapshot(...)` (see the README).
    opencom.load_snapshot(FIXTURES / "existing-customer.json")
    (existing,) = list(intercom_client.contacts.list())

    customer = app.welcome_customer(intercom_client, existing.email, "Returning customer")

    assert customer.id == existing.id  # found, not created again
    assert len(list(intercom_client.contacts.list())) == 1
    assert opencom.outbox(channel="email")[0]["to"]["email"] == existing.email


def test_errors_are_journaled_too(intercom_client, opencom):
    with pytest.raises(Exception):
        intercom_client.contacts.find(contact_id="does-not-exist")

    (failed,) = opencom.requests(status=404)
    assert failed["path"] == "/contacts/does-not-exist"
    assert failed["response_body"]["errors"][0]["code"] == "not_found"
