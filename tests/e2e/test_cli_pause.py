"""`piecework run` with flows that pause: the run file, --resume, approvals and delays."""

import json
from pathlib import Path

from engine.model import Flow
from tests.e2e.test_cli import piecework
from tests.engine.builders import code, flow, piece


def write(tmp_path: Path, steps: Flow) -> Path:
    path = tmp_path / "flow.json"
    path.write_text(steps.model_dump_json(), encoding="utf-8")
    return path


def test_an_approval_pauses_saves_the_run_and_resumes_from_the_file(tmp_path: Path) -> None:
    flow_file = write(
        tmp_path,
        flow(
            piece("links", "approval", "create_approval_links"),
            piece("wait", "approval", "wait_for_approval", waitpointId="{{links.waitpointId}}"),
            code(
                "after",
                "export const code = async (i) => i.ok ? 'approved' : 'no'",
                ok="{{wait.approved}}",
            ),
        ),
    )
    run_file = tmp_path / "run.json"
    paused = piecework("run", str(flow_file), "--run-file", str(run_file))
    assert paused.returncode == 0, paused.stderr
    report = json.loads(paused.stdout)
    assert report["status"] == "PAUSED"
    assert report["pause"]["path"] == "wait"
    assert report["steps"]["wait"]["status"] == "PAUSED"
    assert f"piecework run --resume {run_file}" in paused.stderr
    assert json.loads(run_file.read_text())["log"]["status"] == "PAUSED"

    done = piecework(
        "run",
        "--resume",
        str(run_file),
        "--resume-payload",
        '{"queryParams": {"action": "approve"}}',
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "SUCCEEDED"
    assert report["steps"]["wait"]["output"] == {"approved": True}
    assert report["steps"]["after"]["output"] == "approved"
    assert list(report["steps"]) == ["trigger", "links", "wait", "after"]

    again = piecework("run", "--resume", str(run_file))
    assert again.returncode == 2
    assert "the run is SUCCEEDED, not paused" in again.stderr


def test_a_delay_is_waited_for_on_resume(tmp_path: Path) -> None:
    flow_file = write(tmp_path, flow(piece("nap", "delay", "delay_for", amount=1, unit="seconds")))
    run_file = tmp_path / "run.json"
    paused = piecework("run", str(flow_file), "--run-file", str(run_file))
    assert json.loads(paused.stdout)["status"] == "PAUSED", paused.stderr
    assert "waits until" in paused.stderr
    done = piecework("run", "--resume", str(run_file))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["steps"]["nap"]["output"]["success"] is True


def test_resume_needs_a_run_file(tmp_path: Path) -> None:
    not_a_run = tmp_path / "x.json"
    not_a_run.write_text('{"steps": []}', encoding="utf-8")
    result = piecework("run", "--resume", str(not_a_run))
    assert result.returncode == 2
    assert "is not a run file written by `piecework run`" in result.stderr
    both = piecework("run", str(not_a_run), "--resume", str(not_a_run))
    assert both.returncode == 2
    assert "not both" in both.stderr
