"""Connections checked by their piece's auth, OAuth2 sign-in against a real local token server,
and dynamic options loaded with a connection."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from server.db.engine import create_engine, session_factory
from server.db.models import AppConnectionRow
from server.secrets_box import SecretBox
from tests.pieces.local_http import Received, Reply, local_http_server
from tests.server.conftest import User
from tests.server.helpers import publish, sample
from tests.server.piece_wheels import crm_wheel
from tests.server.test_piece_install import install


def connection(owner: User, key: str, external_id: str = "crm") -> dict[str, object]:
    return {
        "externalId": external_id,
        "displayName": "CRM",
        "pieceName": "test_crm",
        "projectId": owner.project_id,
        "type": "SECRET_TEXT",
        "value": {"type": "SECRET_TEXT", "secret_text": key},
    }


@pytest.fixture
async def crm(api: httpx.AsyncClient, owner: User) -> None:
    assert (await install(api, owner, crm_wheel())).status_code == 201


@pytest.mark.usefixtures("crm")
async def test_connections_are_validated_on_save_and_on_request(
    api: httpx.AsyncClient, owner: User
) -> None:
    refused = await api.post(
        "/app-connections", json=connection(owner, "bad-key"), headers=owner.headers
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "INVALID_CONNECTION")
    assert "refused this key" in refused.json()["message"]
    assert "bad-key" not in refused.text
    wrong_type = {
        **connection(owner, "x"),
        "type": "BASIC_AUTH",
        "value": {"type": "BASIC_AUTH", "username": "u", "password": "p"},
    }
    mismatch = await api.post("/app-connections", json=wrong_type, headers=owner.headers)
    assert mismatch.status_code == 400
    assert "SECRET_TEXT" in mismatch.json()["message"]
    saved = await api.post(
        "/app-connections", json=connection(owner, "good-key"), headers=owner.headers
    )
    assert saved.status_code == 201, saved.text
    checked = await api.post(
        f"/app-connections/{saved.json()['id']}/validate", headers=owner.headers
    )
    assert checked.json() == {"valid": True, "error": None, "status": "ACTIVE"}
    missing = await api.post("/app-connections/nope/validate", headers=owner.headers)
    assert missing.status_code == 404


def crm_options(owner: User, **fields: object) -> dict[str, object]:
    """A `POST /pieces/options` body for the test CRM's add_contact action (list dropdown unless
    `fields` say otherwise)."""
    return {
        "projectId": owner.project_id,
        "pieceName": "test_crm",
        "actionOrTriggerName": "add_contact",
        "propertyName": "list",
        **fields,
    }


@pytest.mark.usefixtures("crm")
async def test_dropdown_options_and_dynamic_properties_load_with_the_connection(
    api: httpx.AsyncClient, owner: User
) -> None:
    await api.post("/app-connections", json=connection(owner, "good-key"), headers=owner.headers)
    base = crm_options(owner)
    unconnected = await api.post("/pieces/options", json=base, headers=owner.headers)
    assert unconnected.status_code == 200, unconnected.text
    assert unconnected.json()["disabled"] is True
    assert unconnected.json()["placeholder"] == "Connect an account first"
    loaded = await api.post(
        "/pieces/options",
        json={**base, "input": {"auth": "{{connections['crm']}}"}, "searchValue": "lea"},
        headers=owner.headers,
    )
    assert loaded.json()["options"] == [{"label": "Leads", "value": "leads"}]
    dynamic = await api.post(
        "/pieces/options",
        json={**base, "propertyName": "fields", "input": {"auth": "crm", "list": "leads"}},
        headers=owner.headers,
    )
    assert dynamic.json()["type"] == "DYNAMIC"
    assert dynamic.json()["props"]["email"]["type"] == "SHORT_TEXT"
    unknown = await api.post(
        "/pieces/options", json={**base, "propertyName": "nope"}, headers=owner.headers
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "PROPERTY_NOT_FOUND")
    no_connection = await api.post(
        "/pieces/options", json={**base, "input": {"auth": "other"}}, headers=owner.headers
    )
    assert no_connection.status_code == 404


@pytest.mark.usefixtures("crm")
async def test_a_dropdown_inside_dynamic_properties_loads_with_the_fields_values(
    api: httpx.AsyncClient, owner: User
) -> None:
    await api.post("/app-connections", json=connection(owner, "good-key"), headers=owner.headers)
    base = crm_options(owner, dynamicPropertyName="fields", propertyName="stage")
    fields = {"list": "customers", "fields": {"email": "ann@vip.example"}}
    loaded = await api.post(
        "/pieces/options", json={**base, "input": {"auth": "crm", **fields}}, headers=owner.headers
    )
    assert loaded.status_code == 200, loaded.text
    assert [o["value"] for o in loaded.json()["options"]] == ["prospect", "won", "vip"]
    unconnected = await api.post(
        "/pieces/options", json={**base, "input": fields}, headers=owner.headers
    )
    assert unconnected.json()["placeholder"] == "Connect an account first"
    failed = await api.post(
        "/pieces/options",
        json={
            **base,
            "input": {"auth": "crm", "list": "customers", "fields": {"email": "down@example.com"}},
        },
        headers=owner.headers,
    )
    assert (failed.status_code, failed.json()["message"]) == (400, "the stage service is down")
    # Leads have no stage field; "list" is no dynamic property.
    for wrong in ({"input": {"auth": "crm", "list": "leads"}}, {"dynamicPropertyName": "list"}):
        missing = await api.post("/pieces/options", json={**base, **wrong}, headers=owner.headers)
        assert (missing.status_code, missing.json()["code"]) == (404, "PROPERTY_NOT_FOUND")


@pytest.mark.usefixtures("crm")
async def test_a_failing_loader_is_a_clear_400(api: httpx.AsyncClient, owner: User) -> None:
    saved = connection(owner, "broken-key", external_id="broken")
    assert (await api.post("/app-connections", json=saved, headers=owner.headers)).is_success
    response = await api.post(
        "/pieces/options",
        json=crm_options(owner, input={"auth": "{{connections['broken']}}"}),
        headers=owner.headers,
    )
    assert (response.status_code, response.json()["code"]) == (400, "PIECE_OPTIONS_FAILED")
    assert response.json()["message"] == "the CRM is down"
    assert "broken-key" not in response.text


async def test_oauth2_sign_in_stores_the_exchanged_token(
    api: httpx.AsyncClient, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifiers: list[str] = []

    def token_endpoint(request: Received) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("code") != "the-code" or form.get("client_secret") != "app-secret":
            return Reply.json(
                {"error": "invalid_grant", "error_description": "bad code"}, status=400
            )
        verifiers.append(form["code_verifier"])
        return Reply.json({"access_token": "at-123", "refresh_token": "rt-456", "expires_in": 3600})

    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    with local_http_server(token_endpoint) as server:
        monkeypatch.setenv("PW_TEST_OAUTH_TOKEN_URL", f"{server.url}/token")
        assert (await install(api, owner, crm_wheel("3.0.0"))).status_code == 201
        started = await api.post(
            "/app-connections/oauth2/authorize",
            json={
                "projectId": owner.project_id,
                "pieceName": "test_oauth",
                "externalId": "oauth",
                "displayName": "My account",
                "clientId": "app-id",
                "clientSecret": "app-secret",
                "redirectUrl": "http://127.0.0.1:5555/callback",
            },
            headers=owner.headers,
        )
        assert started.status_code == 200, started.text
        url = urlsplit(started.json()["authorizationUrl"])
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert (url.netloc, query["client_id"], query["scope"]) == (
            "auth.example.com",
            "app-id",
            "contacts.read",
        )
        assert query["state"] == started.json()["state"]
        assert "app-secret" not in started.text
        wrong = await api.post(
            "/app-connections/oauth2/claim",
            json={"state": query["state"], "code": "wrong"},
            headers=owner.headers,
        )
        assert (wrong.status_code, wrong.json()["code"]) == (400, "OAUTH2_EXCHANGE_FAILED")
        claimed = await api.post(
            "/app-connections/oauth2/claim",
            json={"state": query["state"], "code": "the-code"},
            headers=owner.headers,
        )
        assert claimed.status_code == 201, claimed.text
    body = claimed.json()
    assert (body["externalId"], body["type"], body["pieceName"]) == (
        "oauth",
        "OAUTH2",
        "test_oauth",
    )
    assert "at-123" not in claimed.text
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifiers[0].encode()).digest())
    assert challenge.rstrip(b"=").decode() == query["code_challenge"]
    forged = await api.post(
        "/app-connections/oauth2/claim",
        json={"state": "v1:AAAA", "code": "the-code"},
        headers=owner.headers,
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "INVALID_OAUTH2_STATE")
    not_oauth = await api.post(
        "/app-connections/oauth2/authorize",
        json={
            "projectId": owner.project_id,
            "pieceName": "test_crm",
            "externalId": "x",
            "displayName": "x",
            "clientId": "a",
            "redirectUrl": "http://127.0.0.1/cb",
        },
        headers=owner.headers,
    )
    assert (not_oauth.status_code, not_oauth.json()["code"]) == (400, "NOT_OAUTH2")


def token_echo_flow() -> dict[str, object]:
    """A webhook flow whose code step returns the OAuth2 connection's access token."""
    document = sample()
    steps = document["steps"]
    assert isinstance(steps, list)
    steps[0]["settings"]["sourceCode"]["code"] = (
        "export const code = async (inputs: { t: string }) => ({ token: inputs.t });\n"
    )
    steps[0]["settings"]["input"] = {"t": "{{connections['oauth'].access_token}}"}
    steps[1]["settings"]["input"] = {
        "status": 200,
        "body_type": "json",
        "body": {"token": "{{step_1.token}}"},
    }
    return document


async def test_expiring_oauth2_tokens_are_refreshed_before_a_run(
    api: httpx.AsyncClient, owner: User, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    grants: list[dict[str, str]] = []

    def token_endpoint(request: Received) -> Reply:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        grants.append(form)
        if form["grant_type"] == "authorization_code":
            return Reply.json({"access_token": "at-old", "refresh_token": "rt-1", "expires_in": 5})
        assert form["refresh_token"] == "rt-1"
        return Reply.json({"access_token": "at-fresh", "expires_in": 3600})

    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    with local_http_server(token_endpoint) as server:
        monkeypatch.setenv("PW_TEST_OAUTH_TOKEN_URL", f"{server.url}/token")
        assert (await install(api, owner, crm_wheel("4.0.0"))).status_code == 201
        started = await api.post(
            "/app-connections/oauth2/authorize",
            json={
                "projectId": owner.project_id,
                "pieceName": "test_oauth",
                "externalId": "oauth",
                "displayName": "My account",
                "clientId": "app-id",
                "clientSecret": "app-secret",
                "redirectUrl": "http://127.0.0.1:5555/callback",
            },
            headers=owner.headers,
        )
        claimed = await api.post(
            "/app-connections/oauth2/claim",
            json={"state": started.json()["state"], "code": "the-code"},
            headers=owner.headers,
        )
        assert claimed.status_code == 201, claimed.text
        flow_id = await publish(api, owner, token_echo_flow())
        answer = await api.post(f"/webhooks/{flow_id}/sync", json={})
        assert answer.json() == {"token": "at-fresh"}
        again = await api.post(f"/webhooks/{flow_id}/sync", json={})
        assert again.json() == {"token": "at-fresh"}
    assert [g["grant_type"] for g in grants] == ["authorization_code", "refresh_token"]
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            stored = await session.scalar(select(AppConnectionRow.encrypted_value))
    finally:
        await engine.dispose()
    assert stored is not None
    value = SecretBox("ab" * 32).decrypt(stored)
    assert (value["access_token"], value["refresh_token"]) == ("at-fresh", "rt-1")


@pytest.mark.usefixtures("crm")
async def test_a_piece_step_runs_with_its_saved_connection(
    api: httpx.AsyncClient, owner: User
) -> None:
    await api.post("/app-connections", json=connection(owner, "good-key"), headers=owner.headers)
    document = sample()
    steps = document["steps"]
    assert isinstance(steps, list)
    steps[0] = {
        "name": "step_1",
        "type": "PIECE",
        "displayName": "Add contact",
        "settings": {
            "pieceName": "test_crm",
            "pieceVersion": "1.0.0",
            "actionName": "add_contact",
            "input": {
                "auth": "{{connections['crm']}}",
                "list": "leads",
                "fields": {"email": "a@example.com"},
            },
        },
    }
    steps[1]["settings"]["input"] = {"status": 200, "body_type": "json", "body": "{{step_1}}"}
    flow_id = await publish(api, owner, document)
    answer = await api.post(f"/webhooks/{flow_id}/sync", json={})
    assert answer.json() == {"list": "leads"}, answer.text
