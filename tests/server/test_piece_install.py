"""Installing a piece wheel (platform admins), and the installed piece after a restart."""

import io
import zipfile
from pathlib import Path

import httpx

from tests.server.conftest import User, serve_app, sign_up
from tests.server.piece_wheels import crm_wheel
from tests.server.test_members import invite


async def install(api: httpx.AsyncClient, owner: User, wheel: bytes) -> httpx.Response:
    return await api.post(
        "/pieces",
        content=wheel,
        headers={**owner.headers, "Content-Type": "application/octet-stream"},
    )


async def test_an_uploaded_wheel_is_installed_and_survives_a_restart(
    tmp_path: Path, database_url: str
) -> None:
    async with serve_app(tmp_path, database_url) as api:
        owner = await sign_up(api)
        installed = await install(api, owner, crm_wheel())
        assert installed.status_code == 201, installed.text
        assert sorted(p["name"] for p in installed.json()["data"]) == ["test_crm", "test_oauth"]
        metadata = (await api.get("/pieces/test_crm", headers=owner.headers)).json()
        assert metadata["auth"]["type"] == "SECRET_TEXT"
        again = await install(api, owner, crm_wheel())
        assert (again.status_code, again.json()["code"]) == (409, "PIECE_VERSION_EXISTS")
        newer = await install(api, owner, crm_wheel("1.1.0"))
        assert newer.status_code == 201
    async with serve_app(tmp_path, database_url) as api:
        versions = await api.get("/pieces/test_crm/versions", headers=owner.headers)
        assert versions.json() == {"data": ["1.1.0", "1.0.0"]}


async def test_bad_wheels_and_non_admins_are_refused(api: httpx.AsyncClient, owner: User) -> None:
    not_zip = await install(api, owner, b"not a wheel")
    assert (not_zip.status_code, not_zip.json()["code"]) == (400, "INVALID_WHEEL")
    binary = await install(api, owner, crm_wheel(pure=False))
    assert binary.status_code == 400
    broken = await install(api, owner, crm_wheel("2.0.0", source="raise RuntimeError('boom')"))
    assert (broken.status_code, broken.json()["code"]) == (400, "PIECE_NOT_LOADED")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.py", "x")
    unsafe = await install(api, owner, buffer.getvalue())
    assert unsafe.status_code == 400
    assert "unsafe" in unsafe.json()["message"]
    await invite(api, owner, "eve@example.com", "ADMIN")
    eve = await sign_up(api, email="eve@example.com")
    denied = await install(api, eve, crm_wheel())
    assert denied.status_code == 403
    pieces = (await api.get("/pieces", headers=owner.headers)).json()["data"]
    assert "test_crm" not in {p["name"] for p in pieces}
