"""The engine template of a real `piecework server`: forked from the server itself (its imported
modules shared with it page for page), no resource tracker process, gone with the server, and
replaced the usual way (a spawned forkserver) when it dies."""

import json
import os
import signal
import time
from functools import partial
from pathlib import Path

import httpx
import psutil

from tests.conftest import SAMPLES, start_server_process, stop_server_process
from tests.e2e.processes import publish_flow, wait_for


def children(pid: int) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.Error:
            continue
    return found


def publish(base: str, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    project_id = httpx.get(f"{base}/projects", headers=headers).json()["data"][0]["id"]
    document = json.loads((SAMPLES / "add_numbers_webhook.json").read_text())
    return publish_flow(base, headers, project_id, document)


def sum_of(base: str, flow_id: str) -> int:
    response = httpx.post(f"{base}/webhooks/{flow_id}/sync", json={"a": 2, "b": 3}, timeout=60)
    assert response.status_code == 200, response.text
    return int(response.json()["sum"])


def template_of(server_pid: int) -> psutil.Process:
    """The server's one Python child, once its warm engine process (a child of it) runs."""
    wait_for(
        lambda: any(children(t.pid) for t in children(server_pid)), 60, "a warm engine process"
    )
    python_children = [p for p in children(server_pid) if "python" in p.name()]
    assert len(python_children) == 1, [p.cmdline() for p in python_children]
    return python_children[0]


def test_engines_fork_from_a_template_forked_from_the_server(tmp_path: Path) -> None:
    server = start_server_process(tmp_path / "data")
    try:
        base = server.url + "/api/v1"
        me = psutil.Process(server.process.pid)
        python_children = [p for p in children(me.pid) if "python" in p.name()]
        assert [p.cmdline() for p in python_children] == [me.cmdline()], (
            "the one Python child is the template, a fork of the server (not a spawned "
            f"forkserver, nor a resource tracker): {[p.cmdline() for p in python_children]}"
        )
        template = python_children[0]
        # Starting an engine process is cheap: none runs before the first run needs one.
        flow_id = publish(base, server.token)
        time.sleep(1.0)  # a warm start would be done by now (it takes ~0.1 s)
        assert not children(template.pid)
        assert sum_of(base, flow_id) == 5
        assert template_of(me.pid).pid == template.pid  # and it stays, warm

        # The template dies, then its engine processes: the next one comes from a template
        # spawned the usual way, and the run is served.
        engines = children(template.pid)
        os.kill(template.pid, signal.SIGKILL)
        for engine in engines:
            engine.kill()
        assert sum_of(base, flow_id) == 5
        spawned = [
            p for p in children(me.pid) if "multiprocessing.forkserver" in " ".join(p.cmdline())
        ]
        assert len(spawned) == 1, [p.cmdline() for p in children(me.pid)]
        assert sum_of(base, flow_id) == 5
    finally:
        assert stop_server_process(server) == 0, server.log()
    wait_for(lambda: not spawned[0].is_running(), 10, "the spawned template to exit")
    assert "Traceback" not in server.log(), server.log()


def test_the_forked_template_and_its_engines_stop_with_the_server(tmp_path: Path) -> None:
    server = start_server_process(tmp_path / "data")
    try:
        assert sum_of(server.url + "/api/v1", publish(server.url + "/api/v1", server.token)) == 5
        template = template_of(server.process.pid)
        engines = children(template.pid)
        assert template.cmdline() == psutil.Process(server.process.pid).cmdline()
    finally:
        assert stop_server_process(server) == 0, server.log()
    for process in (template, *engines):
        wait_for(partial(gone, process), 10, f"{process.pid} to exit")


def gone(process: psutil.Process) -> bool:
    return not process.is_running()
