"""One LISTEN connection for every channel a server process follows: each channel's payloads
reach its handler, and a lost connection is made again (those who asked are told)."""

import psycopg
import pytest

from server.db.engine import libpq_url
from server.services import notifications as notifications_module
from server.services.notifications import Notifications
from tests.server.helpers import until


async def test_one_connection_listens_on_every_channel_and_comes_back_when_lost(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifications_module, "RECONNECT_DELAY_S", 0.05)
    conninfo = libpq_url(database_url)
    notifications = Notifications(conninfo=conninfo)
    got: list[tuple[str, str]] = []
    listening = 0

    def listened() -> None:
        nonlocal listening
        listening += 1

    def broken(_: str) -> None:
        raise RuntimeError("a handler's bug")

    notifications.listen("pw_a", lambda payload: got.append(("a", payload)))
    notifications.listen("pw_b", lambda payload: got.append(("b", payload)))
    notifications.listen("pw_broken", broken)
    notifications.on_listening(listened)
    await notifications.start()
    try:
        assert listening == 1
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            listeners = await conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%%'"
                " AND datname = current_database()"
            )
            pids = [row[0] for row in await listeners.fetchall()]
            assert len(pids) == 1, pids  # both channels on one connection
            for channel, payload in (("pw_broken", "x"), ("pw_a", "1"), ("pw_b", "2")):
                await conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))
            await until(lambda: len(got) == 2)
            assert got == [("a", "1"), ("b", "2")]  # the broken handler stopped nothing

            await conn.execute("SELECT pg_terminate_backend(%s)", (pids[0],))
            await until(lambda: listening == 2)  # listening again, and told
            await conn.execute("SELECT pg_notify('pw_b', '3')")
            await until(lambda: len(got) == 3)
            assert got[-1] == ("b", "3")
    finally:
        await notifications.stop()
