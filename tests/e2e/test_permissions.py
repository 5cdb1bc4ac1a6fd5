"""Every API-level cell of the role matrix, against a real server process."""

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    SAMPLES,
    ServerProcess,
    fresh_data_dir,
    start_server_process,
    stop_server_process,
)

ROLES = ("ADMIN", "EDITOR", "OPERATOR", "VIEWER")
_spares = itertools.count()


@dataclass
class Team:
    base: str
    project_id: str
    flow_id: str
    run_id: str
    headers: dict[str, dict[str, str]]
    owner: dict[str, str]

    def spare_member(self) -> str:
        """A fresh member to remove, as the owner sees it."""
        email = f"spare{next(_spares)}@example.com"
        invite = {
            "email": email,
            "type": "PROJECT",
            "projectId": self.project_id,
            "projectRole": "VIEWER",
        }
        httpx.post(
            f"{self.base}/user-invitations", json=invite, headers=self.owner
        ).raise_for_status()
        httpx.post(
            f"{self.base}/authentication/sign-up",
            json={"email": email, "password": "long password"},
        ).raise_for_status()
        members = httpx.get(
            f"{self.base}/project-members",
            params={"projectId": self.project_id},
            headers=self.owner,
        )
        return str(next(m["id"] for m in members.json()["data"] if m["email"] == email))


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    with fresh_data_dir() as data_dir:
        yield from _team(data_dir)


def _team(data_dir: Path) -> Iterator[Team]:
    server: ServerProcess = start_server_process(data_dir)
    base = server.url + "/api/v1"
    owner_body = httpx.post(
        f"{base}/authentication/sign-up",
        json={"email": "owner@example.com", "password": "long password"},
    ).json()
    owner = {"Authorization": f"Bearer {owner_body['token']}"}
    project_id = owner_body["projectId"]
    headers = {}
    for role in ROLES:
        email = f"{role.lower()}@example.com"
        invite = {"email": email, "type": "PROJECT", "projectId": project_id, "projectRole": role}
        httpx.post(f"{base}/user-invitations", json=invite, headers=owner).raise_for_status()
        token = httpx.post(
            f"{base}/authentication/sign-up", json={"email": email, "password": "long password"}
        ).json()["token"]
        headers[role] = {"Authorization": f"Bearer {token}"}
    flow_id = httpx.post(
        f"{base}/flows", json={"displayName": "F", "projectId": project_id}, headers=owner
    ).json()["id"]
    document = json.loads((SAMPLES / "add_numbers_webhook.json").read_text())
    for op in (
        {"type": "IMPORT_FLOW", "request": document},
        {"type": "LOCK_AND_PUBLISH", "request": {}},
    ):
        httpx.post(f"{base}/flows/{flow_id}", json=op, headers=owner).raise_for_status()
    run_id = httpx.post(
        f"{base}/webhooks/{flow_id}/sync", json={"a": 1, "b": 2}, timeout=30
    ).headers["x-piecework-run-id"]
    yield Team(base, project_id, flow_id, run_id, headers, owner)
    stop_server_process(server)


Action = Callable[[Team, dict[str, str]], httpx.Response]

ACTIONS: dict[str, tuple[Action, set[str]]] = {
    "view flows": (
        lambda t, h: httpx.get(f"{t.base}/flows", params={"projectId": t.project_id}, headers=h),
        set(ROLES),
    ),
    "edit flows": (
        lambda t, h: httpx.post(
            f"{t.base}/flows/{t.flow_id}",
            json={"type": "CHANGE_NAME", "request": {"displayName": "N"}},
            headers=h,
        ),
        {"ADMIN", "EDITOR"},
    ),
    "create flows": (
        lambda t, h: httpx.post(
            f"{t.base}/flows", json={"displayName": "X", "projectId": t.project_id}, headers=h
        ),
        {"ADMIN", "EDITOR"},
    ),
    "publish flows": (
        lambda t, h: httpx.post(
            f"{t.base}/flows/{t.flow_id}",
            json={"type": "LOCK_AND_PUBLISH", "request": {}},
            headers=h,
        ),
        {"ADMIN", "EDITOR", "OPERATOR"},
    ),
    "toggle flows": (
        lambda t, h: httpx.post(
            f"{t.base}/flows/{t.flow_id}",
            json={"type": "CHANGE_STATUS", "request": {"status": "ENABLED"}},
            headers=h,
        ),
        {"ADMIN", "EDITOR", "OPERATOR"},
    ),
    "view runs": (lambda t, h: httpx.get(f"{t.base}/flow-runs/{t.run_id}", headers=h), set(ROLES)),
    "view members": (
        lambda t, h: httpx.get(
            f"{t.base}/project-members", params={"projectId": t.project_id}, headers=h
        ),
        set(ROLES),
    ),
    "invite members": (
        lambda t, h: httpx.post(
            f"{t.base}/user-invitations",
            json={
                "email": "new@example.com",
                "type": "PROJECT",
                "projectId": t.project_id,
                "projectRole": "VIEWER",
            },
            headers=h,
        ),
        {"ADMIN"},
    ),
    "remove members": (
        lambda t, h: httpx.delete(f"{t.base}/project-members/{t.spare_member()}", headers=h),
        {"ADMIN"},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_matrix_cell(team: Team, action: str, role: str) -> None:
    call, allowed = ACTIONS[action]
    response = call(team, team.headers[role])
    if role in allowed:
        assert response.is_success, (response.status_code, response.text)
    else:
        assert response.status_code == 403, (response.status_code, response.text)
        assert response.json()["code"] == "PERMISSION_DENIED"
        assert "ask a project admin" in response.json()["message"]
