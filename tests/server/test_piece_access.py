"""Hidden and personal_only pieces are refused when publishing and when running, not only listed."""

from pathlib import Path
from typing import Any

import httpx

from tests.engine.builders import piece
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import create, finished_run, sample


async def import_and_publish(
    api: httpx.AsyncClient, owner: User, document: dict[str, Any]
) -> tuple[str, httpx.Response]:
    flow_id = str((await create(api, owner))["id"])
    imported = await api.post(
        f"/flows/{flow_id}",
        json={"type": "IMPORT_FLOW", "request": document},
        headers=owner.headers,
    )
    assert imported.status_code == 200, imported.text
    published = await api.post(
        f"/flows/{flow_id}", json={"type": "LOCK_AND_PUBLISH", "request": {}}, headers=owner.headers
    )
    return flow_id, published


async def hide(api: httpx.AsyncClient, owner: User, name: str, hidden: bool) -> None:
    answer = await api.post(
        f"/projects/{owner.project_id}/hidden-pieces",
        json={"pieceName": name, "hidden": hidden},
        headers=owner.headers,
    )
    assert answer.status_code == 200, answer.text


def notifying_flow() -> dict[str, Any]:
    document = sample()
    step = piece("notify", "notifications", "desktop_notification", title="Done", level="info")
    document["steps"] = [step.model_dump(mode="json")]
    return document


async def test_a_hidden_piece_cannot_be_published_and_its_runs_fail(
    api: httpx.AsyncClient, owner: User
) -> None:
    await hide(api, owner, "webhook", True)
    flow_id, refused = await import_and_publish(api, owner, sample())
    assert refused.status_code == 400
    assert refused.json()["code"] == "PIECE_NOT_ALLOWED"
    assert "'webhook' is hidden in this project" in refused.json()["message"]
    await hide(api, owner, "webhook", False)
    published = await api.post(
        f"/flows/{flow_id}", json={"type": "LOCK_AND_PUBLISH", "request": {}}, headers=owner.headers
    )
    assert published.status_code == 200, published.text
    await hide(api, owner, "webhook", True)  # hidden after publishing: the next run stops
    queued = await api.post(f"/webhooks/{flow_id}", json={"a": 1, "b": 2})
    run = await finished_run(api, owner, queued.json()["runId"])
    assert run["status"] == "FAILED"
    assert "'webhook' is hidden in this project" in run["error"]


async def test_personal_only_pieces_are_off_on_a_team_server_unless_enabled(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path / "team", database_url) as team:
        owner = await sign_up(team)
        listed = (await team.get("/pieces", headers=owner.headers)).json()["data"]
        names = {p["name"] for p in listed}
        assert "notifications" not in names
        assert "local_files" not in names
        assert "http" in names
        _, refused = await import_and_publish(team, owner, notifying_flow())
        assert refused.status_code == 400
        assert refused.json()["code"] == "PIECE_NOT_ALLOWED"
        assert "PW_ENABLED_PERSONAL_PIECES=notifications" in refused.json()["message"]
    async with serve_app(
        tmp_path / "enabled", database_url, enabled_personal_pieces=frozenset({"notifications"})
    ) as enabled:
        # Same database and JWT secret: the owner's token works on this server too.
        listed = (await enabled.get("/pieces", headers=owner.headers)).json()["data"]
        assert {"notifications"} <= {p["name"] for p in listed}
        assert "local_files" not in {p["name"] for p in listed}
        flow_id, published = await import_and_publish(enabled, owner, notifying_flow())
        assert published.status_code == 200, published.text
        queued = await enabled.post(f"/webhooks/{flow_id}", json={"a": 1, "b": 2})
        run = await finished_run(enabled, owner, queued.json()["runId"])
        assert run["status"] == "SUCCEEDED", (run["error"], run["steps"])
