"""Files: steps write them to the database, clients list a run's files, download and upload."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from pieces.framework.files import FileError
from server.db.engine import create_engine, session_factory
from server.services.files import DatabaseFiles
from tests.pieces.local_http import Reply, local_http_server
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import finished_run, piece_step, publish, webhook_flow


def download_flow(url: str) -> dict[str, Any]:
    """A webhook flow whose HTTP step saves the response at `url` as a file."""
    return webhook_flow(
        "Download",
        piece_step("fetch", "http", "send_request", method="GET", url=url, responseType="file"),
    )


async def test_a_file_a_step_writes_is_listed_with_its_run_and_downloaded(
    api: httpx.AsyncClient, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    payload = bytes(range(256)) * 10
    with local_http_server(lambda _: Reply(body=payload)) as server:
        flow_id = await publish(api, owner, download_flow(f"{server.url}/report.bin"))
        queued = await api.post(f"/webhooks/{flow_id}", json={})
        run = await finished_run(api, owner, queued.json()["runId"])
    assert run["status"] == "SUCCEEDED", run
    output = run["steps"]["fetch"]["output"]
    reference = output["body"] if isinstance(output, dict) else output
    listed = (await api.get("/files", params={"runId": run["id"]}, headers=owner.headers)).json()[
        "data"
    ]
    assert [(f["name"], f["size"], f["reference"]) for f in listed] == [
        ("report.bin", len(payload), reference)
    ]
    download = await api.get(f"/files/{listed[0]['id']}", headers=owner.headers)
    assert download.status_code == 200
    assert download.content == payload
    assert "report.bin" in download.headers["content-disposition"]


async def test_uploads_are_limited_and_scoped_to_the_project(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url, max_file_size_mb=0.01) as api:
        owner = await sign_up(api)
        where = {"projectId": owner.project_id, "name": "../notes.txt"}
        uploaded = await api.post("/files", params=where, content=b"hello", headers=owner.headers)
        assert uploaded.status_code == 201, uploaded.text
        file = uploaded.json()
        assert file["name"] == ".._notes.txt"
        assert file["reference"] == f"pw-file://{file['id']}/.._notes.txt"
        content = (await api.get(f"/files/{file['id']}", headers=owner.headers)).content
        assert content == b"hello"
        too_big = await api.post(
            "/files", params=where, content=b"x" * 20_000, headers=owner.headers
        )
        assert (too_big.status_code, too_big.json()["code"]) == (413, "TOO_LARGE")
        empty = await api.post("/files", params=where, content=b"", headers=owner.headers)
        assert empty.status_code == 400
        unknown = await api.get("/files/nope", headers=owner.headers)
        assert (unknown.status_code, unknown.json()["code"]) == (404, "FILE_NOT_FOUND")
        assert (
            await api.get("/files", params={"runId": "nope"}, headers=owner.headers)
        ).status_code == 404


async def test_database_files_stay_inside_their_project_and_limit(
    api: httpx.AsyncClient, owner: User, database_url: str
) -> None:
    other = (
        await api.post("/projects", json={"displayName": "Other"}, headers=owner.headers)
    ).json()
    engine = create_engine(database_url)
    try:
        sessions = session_factory(engine)
        mine = DatabaseFiles(
            sessions=sessions, project_id=owner.project_id, run_id=None, max_bytes=10
        )
        theirs = DatabaseFiles(sessions=sessions, project_id=other["id"], run_id=None, max_bytes=10)
        reference = await mine.write(name="a.txt", data=b"abc")
        assert (await mine.read(reference)).data == b"abc"
        with pytest.raises(FileError, match="no file"):
            await theirs.read(reference)
        with pytest.raises(FileError, match="no file"):
            await mine.read("https://example.com/a.txt")
        with pytest.raises(FileError, match="PW_MAX_FILE_SIZE_MB"):
            await mine.write(name="big.bin", data=b"x" * 11)
    finally:
        await engine.dispose()
