"""`piecework server` start-up failures a person can fix: one message, nothing touched."""

import json
import socket
from pathlib import Path

import pytest

from piecework.serve import StartupError, serve
from server.data_dir import VERSION_FILE
from server.settings import Settings


def test_a_port_already_taken_is_named_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        settings = Settings(data_dir=tmp_path, host="127.0.0.1", port=port)
        with pytest.raises(StartupError) as caught:
            serve(settings)
    assert f"Cannot listen on 127.0.0.1:{port}" in str(caught.value)
    assert "choose another --port" in str(caught.value)
    assert not (tmp_path / "server.json").exists()


def test_a_data_dir_of_a_newer_version_stops_the_start_before_postgres(tmp_path: Path) -> None:
    (tmp_path / VERSION_FILE).write_text(json.dumps({"appVersion": "999.0.0"}))
    with pytest.raises(StartupError) as caught:
        serve(Settings(data_dir=tmp_path, host="127.0.0.1", port=0))
    assert "last used by Piecework 999.0.0" in str(caught.value)
    assert not (tmp_path / "pgdata").exists()
    assert json.loads((tmp_path / VERSION_FILE).read_text()) == {"appVersion": "999.0.0"}
