"""Helpers the server tests share: make, publish and watch flows through the API."""

import asyncio
import json
from typing import Any

import httpx

from tests.conftest import SAMPLES
from tests.server.conftest import User


async def create(api: httpx.AsyncClient, owner: User, name: str = "My flow") -> dict[str, object]:
    response = await api.post(
        "/flows", json={"displayName": name, "projectId": owner.project_id}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def sample() -> dict[str, object]:
    document: dict[str, object] = json.loads((SAMPLES / "add_numbers_webhook.json").read_text())
    return document


async def publish(api: httpx.AsyncClient, owner: User, document: dict[str, Any]) -> str:
    created = await create(api, owner)
    flow_id = str(created["id"])
    for operation in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        response = await api.post(f"/flows/{flow_id}", json=operation, headers=owner.headers)
        assert response.status_code == 200, response.text
    return flow_id


async def finished_run(
    api: httpx.AsyncClient, owner: User, run_id: str, timeout_s: float = 15
) -> dict[str, Any]:
    """The run once it is no longer QUEUED or RUNNING."""
    async with asyncio.timeout(timeout_s):
        while True:
            run: dict[str, Any] = (
                await api.get(f"/flow-runs/{run_id}", headers=owner.headers)
            ).json()
            if run["status"] not in {"QUEUED", "RUNNING"}:
                return run
            await asyncio.sleep(0.1)
