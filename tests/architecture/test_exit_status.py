"""A failing test fails the run: the desktop tests end pytest with os._exit (PySide6 aborts at
interpreter finalization), which must pass pytest's exit status on."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

DESKTOP_TESTS = Path(__file__).resolve().parent.parent / "desktop"


def run_probe(body: str) -> int:
    """Runs one test file placed among the desktop tests, collected from the top `tests` folder
    as `make test` does (the desktop conftest is then loaded during collection)."""
    name = f"test_probe_{uuid.uuid4().hex}"
    probe = DESKTOP_TESTS / f"{name}.py"
    probe.write_text(body)
    try:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-k",
                name,
                str(DESKTOP_TESTS.parent),
            ],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            capture_output=True,
            timeout=300,
            check=False,
        ).returncode
    finally:
        probe.unlink()


def test_a_failing_desktop_run_exits_1_and_a_passing_one_0() -> None:
    assert run_probe("def test_fails() -> None:\n    assert 1 == 2\n") == 1
    assert run_probe("def test_passes() -> None:\n    assert 1 == 1\n") == 0
