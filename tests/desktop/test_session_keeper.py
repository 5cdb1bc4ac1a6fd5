"""A team-server sign-in that outlives its access token: renewed once on a 401 and the call
retried; when renewal is refused, back to the connect screen, and signing in again carries on."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from desktop.client import Account, ApiClient
from desktop.connect_dialog import ConnectDialog
from desktop.document import SaveState
from desktop.main_window import MainWindow
from engine.model.operations import ChangeNameOperation, ChangeNameRequest
from tests.conftest import ServerProcess, fresh_data_dir, start_server_process, stop_server_process
from tests.desktop.gui_helpers import run, until

EMAIL = "bob@example.com"
PASSWORD = "correct-horse-battery-staple"
#: Access tokens live about 3 seconds on this server.
EXPIRY_HOURS = 3 / 3600


@pytest.fixture
def short_lived_server() -> Iterator[ServerProcess]:
    """A server whose sign-in tokens expire after 3 s, with Bob and his flow."""
    with fresh_data_dir() as data_dir:
        server = start_server_process(data_dir, env={"PW_JWT_EXPIRY_HOURS": str(EXPIRY_HOURS)})
        try:
            base = server.url + "/api/v1"
            signed = httpx.post(
                f"{base}/authentication/sign-up",
                json={"email": EMAIL, "password": PASSWORD, "firstName": "Bob"},
                timeout=30,
            )
            assert signed.status_code == 200, signed.text
            body = signed.json()
            created = httpx.post(
                f"{base}/flows",
                json={"displayName": "Bob's flow", "projectId": body["projectId"]},
                headers={"Authorization": f"Bearer {body['token']}"},
            )
            assert created.status_code == 201
            yield server
        finally:
            stop_server_process(server)


def signed_in_window(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, server: ServerProcess
) -> tuple[MainWindow, ApiClient]:
    """The main window, shown and signed in to the server as Bob, and its API client."""
    window = MainWindow(data_dir=server.data_dir)
    qtbot.addWidget(window)
    window.show()
    assert run(qt_loop, window.use_team_server(server.url, EMAIL, PASSWORD)) is None
    assert window.client is not None
    return window, window.client


def sign_out_everywhere(url: str, token: str) -> None:
    """Signs Bob out as another device would: his refresh tokens are refused from now on."""
    signed_out = httpx.post(
        f"{url}/api/v1/authentication/sign-out", headers={"Authorization": f"Bearer {token}"}
    )
    assert signed_out.status_code == 204


def test_an_expired_token_is_renewed_and_a_refused_renewal_asks_to_sign_in_again(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    short_lived_server: ServerProcess,
    desktop_config_dir: Path,
    artifacts_dir: Path,
) -> None:
    url = short_lived_server.url
    window, client = signed_in_window(qtbot, qt_loop, short_lived_server)
    account = Account(server_url=url, email=EMAIL)
    first_token, first_refresh = client.token, run(qt_loop, window.accounts.token(account))

    run(qt_loop, asyncio.sleep(EXPIRY_HOURS * 3600 + 1.5))
    stale = httpx.get(f"{url}/api/v1/projects", headers={"Authorization": f"Bearer {first_token}"})
    assert stale.status_code == 401  # the token did expire
    assert run(qt_loop, window.refresh())  # each call got 401, renewed once, retried
    assert client.token != first_token
    assert window.flows_panel.flow_names() == ["Bob's flow"]
    renewed_refresh = run(qt_loop, window.accounts.token(account))
    assert renewed_refresh not in (None, first_refresh)  # rotated and remembered
    assert window.dialog is None

    # Signed out everywhere (from another device): the refresh token is refused too.
    sign_out_everywhere(url, client.token)
    assert not run(qt_loop, window.refresh())
    dialog = window.dialog
    assert isinstance(dialog, ConnectDialog)
    assert dialog.isVisible()
    assert dialog.error.text().startswith(f"Your sign-in to {url} has expired (")
    assert (dialog.url.text(), dialog.email.text()) == (url, EMAIL)
    assert window.connection_label.text() == f"Signed out · {account.label}"
    assert dialog.grab().save(str(artifacts_dir / "desktop-session-expired.png"))

    # Signing in again carries on with the same client (open builders keep their edits).
    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    until(qt_loop, lambda: not dialog.isVisible())
    assert window.client is client
    assert window.connection_label.text() == account.label
    assert run(qt_loop, window.refresh())
    assert window.flows_panel.flow_names() == ["Bob's flow"]
    run(qt_loop, window.close_client())


def test_edits_made_while_signed_out_are_saved_once_signed_in_again(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop, short_lived_server: ServerProcess
) -> None:
    url = short_lived_server.url
    window, client = signed_in_window(qtbot, qt_loop, short_lived_server)
    flow_id = window.flows_panel.flow_id_at(0)
    assert flow_id is not None
    builder = run(qt_loop, window.workspace.open_flow(flow_id))
    assert builder is not None

    sign_out_everywhere(url, client.token)
    run(qt_loop, asyncio.sleep(EXPIRY_HOURS * 3600 + 1))  # the access token expires too
    first, second = (
        ChangeNameOperation(request=ChangeNameRequest(display_name=name))
        for name in ("First name", "Second name")
    )
    assert builder.apply(first)
    until(qt_loop, lambda: builder.saves.state == SaveState.SIGNED_OUT)
    assert builder.apply(second)
    assert builder.saves.pending == [first, second]
    assert builder.save_label.text().startswith("Not saved yet: Your sign-in to")
    assert not builder.retry_action.isVisible()
    dialog = window.dialog
    assert isinstance(dialog, ConnectDialog)
    until(qt_loop, dialog.isVisible)

    # Signing in again is enough: no Retry, the edits go in the order they were made.
    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    until(qt_loop, lambda: builder.saves.state == SaveState.SAVED)
    assert builder.saves.pending == []
    until(qt_loop, lambda: not dialog.isVisible())  # the sign-in's own work is done too
    assert window.client is client
    draft = httpx.get(
        f"{url}/api/v1/flows/{flow_id}", headers={"Authorization": f"Bearer {client.token}"}
    ).json()["version"]["definition"]
    assert draft["displayName"] == "Second name"
    run(qt_loop, window.close_client())
