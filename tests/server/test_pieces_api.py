"""The pieces API: list, search, metadata at a version, versions."""

import httpx

from tests.server.conftest import User


async def test_pieces_are_listed_and_searchable(api: httpx.AsyncClient, owner: User) -> None:
    listed = (await api.get("/pieces", headers=owner.headers)).json()["data"]
    names = {p["name"] for p in listed}
    assert {"webhook", "schedule", "http", "store", "csv"} <= names
    webhook = next(p for p in listed if p["name"] == "webhook")
    assert webhook["actions"] >= 1
    assert webhook["triggers"] >= 1
    found = (await api.get("/pieces", params={"searchQuery": "CSV"}, headers=owner.headers)).json()[
        "data"
    ]
    assert [p["name"] for p in found] == ["csv"]


async def test_metadata_describes_props_for_the_desktop(
    api: httpx.AsyncClient, owner: User
) -> None:
    metadata = (await api.get("/pieces/webhook", headers=owner.headers)).json()
    assert metadata["name"] == "webhook"
    assert "return_response" in metadata["actions"]
    assert "status" in metadata["actions"]["return_response"]["props"]
    pinned = await api.get(
        "/pieces/webhook", params={"version": metadata["version"]}, headers=owner.headers
    )
    assert pinned.json() == metadata


async def test_unknown_pieces_and_versions_are_404_with_what_exists(
    api: httpx.AsyncClient, owner: User
) -> None:
    missing = await api.get("/pieces/nope", headers=owner.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "PIECE_NOT_FOUND"
    versions = (await api.get("/pieces/webhook/versions", headers=owner.headers)).json()["data"]
    wrong = await api.get("/pieces/webhook", params={"version": "9.9.9"}, headers=owner.headers)
    assert wrong.status_code == 404
    assert versions[0] in wrong.json()["message"]


async def test_pieces_need_a_signed_in_caller(api: httpx.AsyncClient) -> None:
    assert (await api.get("/pieces")).status_code == 401
