"""Server fixtures: the real app on a fresh database, driven in-process through ASGI."""

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.settings import Settings
from tests.server.s3_server import S3Server, moto_s3_server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3-compatible server (moto) for the whole test run, checking signatures."""
    with moto_s3_server() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A fresh, empty bucket on the test S3 server."""
    return s3_server.new_bucket()


@dataclass
class User:
    token: str
    project_id: str
    id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_settings(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "jwt_secret": "test-secret-" + "x" * 32,
        "encryption_key": "ab" * 32,
        "run_worker": True,
        "webhook_timeout_s": 20.0,
        **overrides,
    }
    return Settings(**values)


@contextlib.asynccontextmanager
async def serve_app(
    tmp_path: Path, database_url: str, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with these settings, started by its lifespan, and a client of it."""
    app = create_app(make_settings(tmp_path, database_url, **overrides))
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver/api/v1"
        ) as client:
            yield client


@pytest.fixture
async def api(tmp_path: Path, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app, with its in-process worker, on a fresh database."""
    async with serve_app(tmp_path, database_url) as client:
        yield client


async def sign_up(
    api: httpx.AsyncClient, email: str = "owner@example.com", password: str = "correct horse"
) -> User:
    response = await api.post(
        "/authentication/sign-up", json={"email": email, "password": password, "firstName": "Ada"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return User(token=body["token"], project_id=body["projectId"], id=body["id"])


@pytest.fixture
async def owner(api: httpx.AsyncClient) -> User:
    return await sign_up(api)
