"""The connect screen: signing in to a second real server, remembered accounts, back to this computer."""

import asyncio
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from desktop.client import AccountStore, normalize_url
from desktop.client.accounts import ACCOUNTS_FILE, TOKENS_FILE, usable_keyring
from desktop.main_window import MainWindow
from tests.conftest import (
    ServerProcess,
    fresh_data_dir,
    start_server_process,
    stop_server_process,
)
from tests.desktop.gui_helpers import run, until

EMAIL = "alice@example.com"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def team_server() -> Iterator[ServerProcess]:
    """A second real server with one account (Alice, who owns a flow there)."""
    with fresh_data_dir() as data_dir:
        server = start_server_process(data_dir)
        try:
            base = server.url + "/api/v1"
            signed = httpx.post(
                f"{base}/authentication/sign-up",
                json={"email": EMAIL, "password": PASSWORD, "firstName": "Alice"},
                timeout=30,
            )
            assert signed.status_code == 200, signed.text
            body = signed.json()
            created = httpx.post(
                f"{base}/flows",
                json={"displayName": "Team flow", "projectId": body["projectId"]},
                headers={"Authorization": f"Bearer {body['token']}"},
            )
            assert created.status_code == 201
            yield server
        finally:
            stop_server_process(server)


def test_sign_in_to_a_team_server_and_back_to_this_computer(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    server_process: ServerProcess,
    team_server: ServerProcess,
    desktop_config_dir: Path,
    artifacts_dir: Path,
) -> None:
    window = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(window)
    window.show()
    assert run(qt_loop, window.start(start_server=False))
    assert run(qt_loop, window.flows.create("Local flow"))

    dialog = window.open_connect()
    assert not dialog.accounts.isVisible()
    dialog.url.setText(team_server.url + "/")
    dialog.sign_in_button.click()
    assert dialog.error.text() == "Enter your email and your password."
    dialog.email.setText(EMAIL)
    dialog.password.setText("wrong password")
    dialog.sign_in_button.click()
    until(qt_loop, lambda: dialog.sign_in_button.isEnabled() and dialog.error.isVisible())
    assert "password" in dialog.error.text().lower(), dialog.error.text()
    assert window.flows_panel.flow_names() == ["Local flow"]  # still on this computer
    assert dialog.grab().save(str(artifacts_dir / "desktop-connect-error.png"))

    dialog.password.setText(PASSWORD)
    dialog.sign_in_button.click()
    until(qt_loop, lambda: not dialog.isVisible())
    assert window.connection_label.text() == f"{EMAIL} · {team_server.url}"
    assert not window.local
    assert window.flows_panel.flow_names() == ["Team flow"]
    assert window.grab().save(str(artifacts_dir / "desktop-team-server.png"))

    # Remembered: the account in a list, its token in the keyring or (here, no keyring) a 0600 file.
    accounts_text = (desktop_config_dir / ACCOUNTS_FILE).read_text()
    assert json.loads(accounts_text) == [{"serverUrl": team_server.url, "email": EMAIL}]
    assert usable_keyring() is None
    tokens = desktop_config_dir / TOKENS_FILE
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    stored = json.loads(tokens.read_text())
    assert list(stored) == [f"{EMAIL}@{team_server.url}"]
    assert stored[f"{EMAIL}@{team_server.url}"] not in accounts_text

    back = window.open_connect()
    assert back.accounts.count() == 1
    assert back.grab().save(str(artifacts_dir / "desktop-connect.png"))
    back.local_button.click()
    until(qt_loop, lambda: not back.isVisible())
    assert window.connection_label.text().startswith("This computer")
    assert window.local
    assert window.flows_panel.flow_names() == ["Local flow"]

    again = window.open_connect()
    again.use_account_button.click()  # no password: the remembered token signs in
    until(qt_loop, lambda: not again.isVisible())
    assert window.flows_panel.flow_names() == ["Team flow"]
    run(qt_loop, window.close_client())


def test_a_remembered_account_whose_token_is_gone_asks_for_the_password(
    qtbot: QtBot,
    qt_loop: asyncio.AbstractEventLoop,
    server_process: ServerProcess,
    desktop_config_dir: Path,
) -> None:
    from desktop.client import Account

    store = AccountStore(desktop_config_dir)
    account = Account(server_url=server_process.url, email=EMAIL)
    run(qt_loop, store.remember(account, "not-a-valid-refresh-token"))
    window = MainWindow(data_dir=server_process.data_dir)
    qtbot.addWidget(window)
    assert run(qt_loop, window.start(start_server=False))
    problem = run(qt_loop, window.use_account(server_process.url, EMAIL))
    assert problem is not None
    assert problem.endswith(f"Enter the password of {EMAIL} to sign in again.")
    assert window.local
    run(qt_loop, store.forget(account))
    assert store.accounts() == []
    assert run(qt_loop, store.token(account)) is None
    assert run(qt_loop, window.use_account(server_process.url, EMAIL)) == (
        f"Enter the password of {EMAIL} to sign in again."
    )
    nowhere = run(qt_loop, window.use_team_server("http://127.0.0.1:9", EMAIL, PASSWORD))
    assert nowhere == "Nothing answers at http://127.0.0.1:9; check the address"
    run(qt_loop, window.close_client())


def test_server_addresses_are_normalized() -> None:
    assert normalize_url("flows.example.com/") == "https://flows.example.com"
    assert normalize_url("localhost:8080/api/v1") == "http://localhost:8080"
    assert normalize_url(" https://x.org/piecework/ ") == "https://x.org/piecework"
    with pytest.raises(ValueError, match="Enter the server's address"):
        normalize_url("ftp://x")
