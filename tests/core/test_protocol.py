"""The protocol every operation shares: auth, errors, request ids, versions, rate limits, transactions."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import func, select

from opencom.app import create_app
from opencom.core.clock import clock
from opencom.core.errors import ApiError
from opencom.core.session import DbSession
from opencom.workspaces.models import ApiToken
from tests.support import make_client, running_server

UNAUTHORIZED = [{"code": "unauthorized", "message": "Access Token Invalid"}]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic b3BlbmNvbQ==", "Bearer"])
def test_missing_or_wrong_token_is_401(anon, header):
    headers = {"Authorization": header} if header is not None else {}
    response = anon.get("/me", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "error.list"
    assert body["errors"] == UNAUTHORIZED
    assert uuid.UUID(body["request_id"])
    assert response.headers["X-Request-Id"] == body["request_id"]


def test_every_response_carries_a_request_id(api):
    ok = api.get("/me")
    assert uuid.UUID(ok.headers["X-Request-Id"])
    other = api.get("/me")
    assert other.headers["X-Request-Id"] != ok.headers["X-Request-Id"]


def test_healthz_needs_no_token(server):
    # /healthz is Opencom's own, not an Intercom operation: no spec validation here.
    with make_client(server, None) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unknown_route_is_a_404_error_list(api):
    response = api.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert response.json()["request_id"] == response.headers["X-Request-Id"]


def test_wrong_method_is_a_405_error_list(api):
    response = api.delete("/admins")
    assert response.status_code == 405
    assert response.json()["type"] == "error.list"
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"text"'])
def test_malformed_or_non_object_json_is_a_400(api, workspace, content):
    response = api.put(
        f"/admins/{workspace.owner_id}/away", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"] == "error.list"
    assert response.json()["errors"][0]["code"] in ("bad_request", "parameter_invalid")


@pytest.mark.parametrize("version", ["1.0", "2.9", "2.10", "2.11", "2.14", "2.16", "Unstable"])
def test_every_published_version_is_accepted(api, version):
    assert api.get("/me", headers={"Intercom-Version": version}).status_code == 200


@pytest.mark.parametrize("version", ["2.99", "3.0", "banana", ""])
def test_unknown_versions_are_refused(api, version):
    response = api.get("/me", headers={"Intercom-Version": version})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "intercom_version_invalid"


def test_a_token_never_sees_another_workspace(api, db, workspace, server, validator):
    from opencom.workspaces.service import create_workspace, owner_admin_id

    with db.transaction() as session:
        other = create_workspace(session, "Other")
        other_owner = owner_admin_id(session, other.workspace.id)
    assert api.get(f"/admins/{other_owner}").status_code == 404
    assert api.put(f"/admins/{other_owner}/away", json={"away_mode_enabled": True, "away_mode_reassign": False}).status_code == 404
    with make_client(server, other.token, validator) as other_api:
        assert other_api.get(f"/admins/{other_owner}").json()["away_mode_enabled"] is False
        assert other_api.get("/me").json()["id"] == str(other_owner)
        other_team = other_api.get("/teams").json()["teams"][0]["id"]
    assert api.get(f"/teams/{other_team}").status_code == 404
    assert str(workspace.owner_id) not in [a["id"] for a in api.get("/admins").json()["admins"] if a["id"] == str(other_owner)]


def test_tokens_are_stored_hashed(db, workspace):
    with db.transaction(write=False) as session:
        hashes = session.scalars(select(ApiToken.token_hash).where(ApiToken.workspace_id == workspace.id)).all()
    assert hashes and workspace.token not in hashes
    assert all(len(h) == 64 for h in hashes)


def test_bootstrap_token_opens_the_default_workspace(server, validator, settings):
    with make_client(server, settings.bootstrap_token, validator) as client:
        body = client.get("/me").json()
    assert body["app"]["name"] == "Opencom"


# --- servers of their own -----------------------------------------------------------------------


@pytest.fixture
def frozen_clock():
    # Start at the beginning of a 10-second window so that no test crosses into the next one.
    clock.freeze((int(clock.time()) // 10 + 1) * 10 + 0.5)
    yield clock
    clock.reset()


def test_rate_limit_headers_and_429(settings, workspace, validator, frozen_clock):
    limited = settings.model_copy(update={"rate_limit": 12})  # 2 calls per 10-second window
    with running_server(create_app(limited)) as base, make_client(base, workspace.token, validator) as client:
        first = client.get("/me")
        assert first.headers["X-RateLimit-Limit"] == "2"
        assert first.headers["X-RateLimit-Remaining"] == "1"
        reset = int(first.headers["X-RateLimit-Reset"])
        assert reset % 10 == 0 and reset > frozen_clock.time()
        assert client.get("/me").headers["X-RateLimit-Remaining"] == "0"
        refused = client.get("/me")
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["code"] == "rate_limit_exceeded"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        frozen_clock.advance(10)
        assert client.get("/me").status_code == 200


def test_rate_limit_is_shared_between_processes(settings, workspace, validator, frozen_clock):
    limited = settings.model_copy(update={"rate_limit": 30})  # 5 calls per window, in all
    with running_server(create_app(limited)) as one, running_server(create_app(limited)) as two:
        with make_client(one, workspace.token, validator) as a, make_client(two, workspace.token, validator) as b:
            statuses = [client.get("/teams").status_code for _ in range(4) for client in (a, b)]
    assert statuses.count(200) == 5
    assert statuses.count(429) == 3


def test_rate_limit_zero_switches_it_off(api):
    response = api.get("/me")
    assert "X-RateLimit-Limit" not in response.headers


def test_an_unexpected_exception_is_a_logged_500_error_list(settings, workspace, validator, caplog):
    app = create_app(settings)

    @app.get("/admins/boom/explode")
    def explode():
        raise RuntimeError("kaboom")

    with running_server(app) as base, make_client(base, workspace.token) as client:
        with caplog.at_level(logging.ERROR, logger="opencom"):
            response = client.get("/admins/boom/explode")
    assert response.status_code == 500
    body = response.json()
    assert body["type"] == "error.list" and body["errors"][0]["code"] == "server_error"
    assert any(body["request_id"] in record.getMessage() for record in caplog.records)


def test_a_failed_request_writes_nothing(settings, workspace, db):
    from opencom.admins.models import Admin
    from opencom.admins.service import create_admin

    app = create_app(settings)

    @app.post("/admins/half-written")
    def half_written(session: DbSession):
        create_admin(session, workspace.id, name="Ghost", email="ghost@example.com")
        raise ApiError(400, "parameter_invalid", "refused after writing")

    with running_server(app) as base, make_client(base, workspace.token) as client:
        assert client.post("/admins/half-written").status_code == 400
    with db.transaction(write=False) as session:
        ghosts = session.scalar(select(func.count()).select_from(Admin).where(Admin.name == "Ghost"))
    assert ghosts == 0


def test_the_hot_path_reads_on_the_loop_on_sqlite_only(settings):
    """core/hot.py reads on the event loop's own connection on SQLite; PostgreSQL, where a read is
    a round trip, has no loop connection (its hot reads take one thread hop)."""
    from opencom.app import create_app

    app = create_app(settings, prepare=False)
    assert app.hot is not None
    assert (app.hot.protocol.readers is not None) == settings.database_url.startswith("sqlite")
    assert create_app(settings.model_copy(update={"hot_reads": False}), prepare=False).hot is None


def _routes_with_ids() -> list[tuple[str, str]]:
    from opencom.app import ROUTERS

    found = []
    for router in ROUTERS:
        for route in router.routes:
            if "{" in route.path and not route.path.startswith("/_opencom"):
                found += [(method, route.path) for method in sorted(route.methods)]
    return found


def test_a_nul_in_any_id_is_that_routes_own_not_found(server, workspace):
    """PostgreSQL refuses NUL in a text parameter: ids with one were 500s on a dozen routes.
    Routes see it as U+FFFD (core.protocol.routable), which no id holds either."""
    import re

    with make_client(server, workspace.token) as client:
        for method, path in _routes_with_ids():
            url = re.sub(r"\{[^}]+\}", "a%00b", path)
            response = client.request(method, url, json={})
            assert response.status_code < 500, (method, url, response.text)
            assert response.json()["type"] == "error.list", (method, url)
        answer = client.get("/contacts/a%00b").json()
        assert answer["errors"] == [{"code": "not_found", "message": "User Not Found"}]


def test_a_nul_in_the_path_is_journaled(api, server, workspace):
    response = api.get("/contacts/a%00b")
    with make_client(server, None) as control:
        entries = control.get("/_opencom/requests", params={"workspace_id": workspace.id, "status": "404"}).json()["data"]
    entry = next(e for e in entries if e["request_id"] == response.headers["x-request-id"])
    assert entry["path"] == "/contacts/a%00b"
