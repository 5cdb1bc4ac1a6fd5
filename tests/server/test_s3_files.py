"""Files in S3 mode: the bytes go to a real S3-compatible server (moto), the table keeps the index."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from server.db.base import utcnow
from server.db.engine import create_engine, session_factory
from server.db.models import FileRow, FlowRunRow
from server.s3_client import S3Client
from server.services import files, runs
from server.services.file_storage import S3Storage
from tests.pieces.local_http import Reply, local_http_server
from tests.server.conftest import User, serve_app, sign_up
from tests.server.helpers import finished_run, publish
from tests.server.s3_server import S3Server
from tests.server.test_files import download_flow
from tests.server.test_members import invite

PREFIX = "piecework/"


async def stored_bytes(database_url: str, file_id: str) -> bytes:
    """What the files table holds as the file's contents."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            data = await session.scalar(select(FileRow.data).where(FileRow.id == file_id))
            assert data is not None
            return data
    finally:
        await engine.dispose()


async def run_download(
    api: httpx.AsyncClient, owner: User, payload: bytes, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """Runs a flow whose HTTP step saves `payload` as a file; returns the finished run."""
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "127.0.0.1")
    with local_http_server(lambda _: Reply(body=payload)) as server:
        flow_id = await publish(api, owner, download_flow(f"{server.url}/report.bin"))
        queued = await api.post(f"/webhooks/{flow_id}", json={})
        return await finished_run(api, owner, queued.json()["runId"])


async def test_an_upload_goes_to_the_bucket_and_downloads_unchanged(
    tmp_path: Path, database_url: str, s3_server: S3Server, s3_bucket: str
) -> None:
    config = s3_server.config(s3_bucket, prefix=PREFIX)
    async with serve_app(tmp_path, database_url, s3=config) as api:
        owner = await sign_up(api)
        data = bytes(range(256)) * 40
        where = {"projectId": owner.project_id, "name": "photo.jpg"}
        uploaded = await api.post("/files", params=where, content=data, headers=owner.headers)
        assert uploaded.status_code == 201, uploaded.text
        file = uploaded.json()
        assert (file["name"], file["size"]) == ("photo.jpg", len(data))
        assert s3_server.keys(s3_bucket) == [PREFIX + file["id"]]
        assert s3_server.object(s3_bucket, PREFIX + file["id"]) == data
        assert await stored_bytes(database_url, file["id"]) == b""
        download = await api.get(f"/files/{file['id']}", headers=owner.headers)
        assert (download.status_code, download.content) == (200, data)


async def test_a_file_a_step_writes_is_stored_in_the_bucket(
    tmp_path: Path,
    database_url: str,
    s3_server: S3Server,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serve_app(tmp_path, database_url, s3=s3_server.config(s3_bucket)) as api:
        owner = await sign_up(api)
        payload = b"quarterly report " * 500
        run = await run_download(api, owner, payload, monkeypatch)
        assert run["status"] == "SUCCEEDED", run
        listed = (
            await api.get("/files", params={"runId": run["id"]}, headers=owner.headers)
        ).json()["data"]
        assert [(f["name"], f["size"]) for f in listed] == [("report.bin", len(payload))]
        assert s3_server.keys(s3_bucket) == [listed[0]["id"]]
        assert s3_server.object(s3_bucket, listed[0]["id"]) == payload
        download = await api.get(f"/files/{listed[0]['id']}", headers=owner.headers)
        assert download.content == payload


async def test_deleting_a_file_deletes_its_object(
    tmp_path: Path, database_url: str, s3_server: S3Server, s3_bucket: str
) -> None:
    async with serve_app(tmp_path, database_url, s3=s3_server.config(s3_bucket)) as api:
        owner = await sign_up(api)
        where = {"projectId": owner.project_id, "name": "a.txt"}
        keep = (
            await api.post("/files", params=where, content=b"keep", headers=owner.headers)
        ).json()
        gone = (
            await api.post("/files", params=where, content=b"gone", headers=owner.headers)
        ).json()
        assert sorted(s3_server.keys(s3_bucket)) == sorted([keep["id"], gone["id"]])
        deleted = await api.delete(f"/files/{gone['id']}", headers=owner.headers)
        assert deleted.status_code == 204, deleted.text
        assert s3_server.keys(s3_bucket) == [keep["id"]]
        missing = await api.get(f"/files/{gone['id']}", headers=owner.headers)
        assert (missing.status_code, missing.json()["code"]) == (404, "FILE_NOT_FOUND")
        again = await api.delete(f"/files/{gone['id']}", headers=owner.headers)
        assert again.status_code == 404


async def test_retention_deletes_the_objects_of_old_runs(
    tmp_path: Path,
    database_url: str,
    s3_server: S3Server,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = s3_server.config(s3_bucket)
    async with serve_app(tmp_path, database_url, s3=config) as api:
        owner = await sign_up(api)
        run = await run_download(api, owner, b"old data", monkeypatch)
        assert run["status"] == "SUCCEEDED", run
        where = {"projectId": owner.project_id, "name": "upload.txt"}
        upload = (
            await api.post("/files", params=where, content=b"up", headers=owner.headers)
        ).json()
        assert len(s3_server.keys(s3_bucket)) == 2
    engine = create_engine(database_url)
    try:
        async with httpx.AsyncClient() as http, session_factory(engine)() as session:
            storage = S3Storage(S3Client(config, http=http))
            before = utcnow() + timedelta(seconds=1)
            await files.delete_contents(
                session,
                storage=storage,
                where=FlowRunRow.finished.is_not(None) & (FlowRunRow.finished < before),
            )
            assert await runs.delete_finished_before(session, before=before) == 1
    finally:
        await engine.dispose()
    assert s3_server.keys(s3_bucket) == [upload["id"]]


async def test_deleting_a_flow_deletes_the_objects_of_its_runs(
    tmp_path: Path,
    database_url: str,
    s3_server: S3Server,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with serve_app(tmp_path, database_url, s3=s3_server.config(s3_bucket)) as api:
        owner = await sign_up(api)
        run = await run_download(api, owner, b"flow data", monkeypatch)
        assert run["status"] == "SUCCEEDED", run
        where = {"projectId": owner.project_id, "name": "upload.txt"}
        upload = (
            await api.post("/files", params=where, content=b"up", headers=owner.headers)
        ).json()
        assert len(s3_server.keys(s3_bucket)) == 2
        deleted = await api.delete(f"/flows/{run['flowId']}", headers=owner.headers)
        assert deleted.status_code == 204, deleted.text
        assert s3_server.keys(s3_bucket) == [upload["id"]]


async def test_a_wrong_secret_key_is_a_clear_error_for_uploads_and_steps(
    tmp_path: Path,
    database_url: str,
    s3_server: S3Server,
    s3_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "wrong-secret-" + "q" * 27
    config = s3_server.config(s3_bucket, secret_access_key=wrong)
    async with serve_app(tmp_path, database_url, s3=config) as api:
        owner = await sign_up(api)
        where = {"projectId": owner.project_id, "name": "a.txt"}
        refused = await api.post("/files", params=where, content=b"data", headers=owner.headers)
        assert refused.status_code == 502, refused.text
        body = refused.json()
        assert body["code"] == "FILE_STORAGE_FAILED"
        assert "SignatureDoesNotMatch" in body["message"]
        assert "PW_S3_SECRET_ACCESS_KEY" in body["message"]
        assert wrong not in refused.text
        run = await run_download(api, owner, b"payload", monkeypatch)
        assert run["status"] == "FAILED", run
        message = run["steps"]["fetch"]["errorMessage"]
        assert "could not be stored" in message
        assert "PW_S3_SECRET_ACCESS_KEY" in message
        assert wrong not in str(run)
    assert s3_server.keys(s3_bucket) == []


async def test_an_unreachable_storage_answers_503(
    tmp_path: Path, database_url: str, s3_server: S3Server, unused_tcp_port: int
) -> None:
    config = s3_server.config("bucket", endpoint=f"http://127.0.0.1:{unused_tcp_port}")
    async with serve_app(tmp_path, database_url, s3=config) as api:
        owner = await sign_up(api)
        where = {"projectId": owner.project_id, "name": "a.txt"}
        refused = await api.post("/files", params=where, content=b"data", headers=owner.headers)
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "FILE_STORAGE_UNAVAILABLE"
        assert "PW_S3_ENDPOINT" in refused.json()["message"]


async def test_deleting_a_user_deletes_the_objects_of_their_projects(
    tmp_path: Path, database_url: str, s3_server: S3Server, s3_bucket: str
) -> None:
    async with serve_app(tmp_path, database_url, s3=s3_server.config(s3_bucket)) as api:
        owner = await sign_up(api)
        await invite(api, owner, "bob@example.com", "EDITOR")
        bob = await sign_up(api, email="bob@example.com")
        promoted = await api.post(
            f"/users/{bob.id}", json={"platformRole": "ADMIN"}, headers=owner.headers
        )
        assert promoted.status_code == 200, promoted.text
        project = (
            await api.post("/projects", json={"displayName": "Bob's"}, headers=bob.headers)
        ).json()
        ids: dict[str, str] = {}
        for who, project_id in [(owner, owner.project_id), (bob, project["id"])]:
            where = {"projectId": project_id, "name": "a.txt"}
            uploaded = await api.post("/files", params=where, content=b"x", headers=who.headers)
            assert uploaded.status_code == 201, uploaded.text
            ids[project_id] = uploaded.json()["id"]
        assert len(s3_server.keys(s3_bucket)) == 2
        deleted = await api.delete(f"/users/{bob.id}", headers=owner.headers)
        assert deleted.status_code == 204, deleted.text
        assert s3_server.keys(s3_bucket) == [ids[owner.project_id]]


async def test_files_written_before_switching_to_s3_stay_readable(
    tmp_path: Path, database_url: str, s3_server: S3Server, s3_bucket: str
) -> None:
    async with serve_app(tmp_path, database_url) as api:
        owner = await sign_up(api)
        where = {"projectId": owner.project_id, "name": "old.txt"}
        old = (await api.post("/files", params=where, content=b"old", headers=owner.headers)).json()
    assert await stored_bytes(database_url, old["id"]) == b"old"
    async with serve_app(tmp_path, database_url, s3=s3_server.config(s3_bucket)) as api:
        download = await api.get(f"/files/{old['id']}", headers=owner.headers)
        assert (download.status_code, download.content) == (200, b"old")
        assert s3_server.keys(s3_bucket) == []
