"""The `piecework` command as a person runs it."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "add_numbers_webhook.json"


def piecework(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "piecework", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_version() -> None:
    result = piecework("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "piecework 0.1.0"


def test_run_prints_a_succeeded_result_with_the_code_output() -> None:
    result = piecework("run", str(SAMPLE), "--payload", '{"a": 1, "b": 2}')
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["status"] == "SUCCEEDED"
    assert list(run["steps"]) == ["trigger", "step_1", "step_2"]
    code_step = run["steps"]["step_1"]
    assert code_step["status"] == "SUCCEEDED"
    assert code_step["duration"] > 0
    assert code_step["output"] == {"sum": 3, "product": 2}
    assert run["steps"]["trigger"]["output"] == {
        "method": "POST",
        "headers": {},
        "queryParams": {},
        "body": {"a": 1, "b": 2},
    }
    assert run["response"]["body"]["message"] == "a + b = 3"


def test_run_of_a_failing_flow_exits_1_with_the_result(tmp_path: Path) -> None:
    result = piecework("run", str(SAMPLE), "--payload", '{"a": 1}')
    assert result.returncode == 1
    run = json.loads(result.stdout)
    assert run["status"] == "FAILED"
    assert "{{trigger.body.b}}: trigger.body has no field 'b'" in run["error"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "{not json",
            "is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2",
        ),
        (
            '{"steps": [{"name": "step_1", "type": "CODE", "settings": {}}]}',
            "steps[0].settings.sourceCode: is required",
        ),
        ('{"trigger": {"type": "TIMER"}}', "trigger: unknown type 'TIMER'"),
        ("[1, 2]", "a flow is a JSON object, not a list"),
    ],
)
def test_bad_flow_files_exit_2_naming_file_path_and_problem(
    tmp_path: Path, content: str, expected: str
) -> None:
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(content)
    result = piecework("run", str(flow_file))
    assert result.returncode == 2
    assert str(flow_file) in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_file_and_bad_payload_exit_2(tmp_path: Path) -> None:
    missing = piecework("run", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "cannot read the file" in missing.stderr
    bad_payload = piecework("run", str(SAMPLE), "--payload", "{a: 1}")
    assert bad_payload.returncode == 2
    assert "--payload is not valid JSON" in bad_payload.stderr


def test_without_a_display_it_serves_headless_and_says_how_to_use_it(data_dir: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    env["PW_DATA_DIR"] = str(data_dir)
    with subprocess.Popen(
        [sys.executable, "-m", "piecework"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        text = _read_until(process, "Stop:", timeout_s=90)
        try:
            assert "No display found: starting the Piecework server alone (headless)." in text
            url = text.split("Piecework server is running at ")[1].split()[0]
            assert httpx.get(url + "/api/v1/health").json() == {"status": "ok"}
            assert f"{url}/api/v1/authentication/sign-up" in text
            assert "press Ctrl+C" in text
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(30)
    assert process.returncode == 0


def _read_until(process: "subprocess.Popen[str]", marker: str, *, timeout_s: float) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            break
    return "".join(lines)


def test_run_takes_connections_from_a_file(tmp_path: Path) -> None:
    document = json.loads(SAMPLE.read_text())
    document["steps"][0]["settings"]["input"]["b"] = "{{connections['numbers'].props.b}}"
    flow_file = tmp_path / "flow.json"
    flow_file.write_text(json.dumps(document))
    connections = tmp_path / "connections.json"
    connections.write_text(json.dumps({"numbers": {"type": "CUSTOM_AUTH", "props": {"b": 40}}}))
    result = piecework(
        "run", str(flow_file), "--payload", '{"a": 2}', "--connections", str(connections)
    )
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["steps"]["step_1"]["output"]["sum"] == 42
    assert run["steps"]["step_1"]["input"]["b"] == "**REDACTED**"
    bad = piecework(
        "run", str(flow_file), "--connections", str(flow_file.with_name("missing.json"))
    )
    assert bad.returncode == 2
    assert "cannot read the connections file" in bad.stderr
