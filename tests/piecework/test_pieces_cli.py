"""`piecework pieces`: metadata printing and the scaffold of a new piece that works."""

import asyncio
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import pieces
from pieces.framework import Piece
from pieces.framework.testing import run_action
from piecework.cli import app

runner = CliRunner()
CONFIG = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_metadata_prints_the_piece_json() -> None:
    result = runner.invoke(app, ["pieces", "metadata", "webhook"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["name"] == "webhook"
    assert "return_response" in data["actions"]


def test_metadata_of_an_unknown_piece_or_version_is_a_clear_error() -> None:
    result = runner.invoke(app, ["pieces", "metadata", "nope"])
    assert result.exit_code == 2
    assert "piece 'nope' is not installed" in result.output
    result = runner.invoke(app, ["pieces", "metadata", "webhook", "--version", "9.9.9"])
    assert result.exit_code == 2
    assert "installed: 0.1.0" in result.output


def test_list_shows_builtin_pieces() -> None:
    result = runner.invoke(app, ["pieces", "list"])
    assert "webhook 0.1.0" in result.output.splitlines()


def test_new_scaffolds_a_piece_whose_action_and_test_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pieces", "new", "acme_crm", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    package = tmp_path / "pieces" / "acme_crm"
    assert (package / "README.md").exists()
    pieces.__path__.append(str(tmp_path / "pieces"))
    try:
        piece = importlib.import_module("pieces.acme_crm").piece
        assert isinstance(piece, Piece)
        output = asyncio.run(run_action(piece.action("say_hello"), {"name": "Ada"})).output
        assert output == {"message": "Hello, Ada!"}
        test_file = tmp_path / "tests" / "pieces" / "acme_crm" / "test_say_hello.py"
        spec = importlib.util.spec_from_file_location("scaffold_test", test_file)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        asyncio.run(module.test_say_hello_greets_by_name())
        asyncio.run(module.test_say_hello_requires_a_name())
    finally:
        pieces.__path__.remove(str(tmp_path / "pieces"))
        for name in [m for m in sys.modules if m.startswith("pieces.acme_crm")]:
            del sys.modules[name]


def test_scaffolded_code_passes_the_linters(tmp_path: Path) -> None:
    for name in ("alpha_piece", "zulu"):
        runner.invoke(app, ["pieces", "new", name, "--root", str(tmp_path)])
    for args in (["format", "--check"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(CONFIG), str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_new_refuses_bad_names_and_existing_pieces(tmp_path: Path) -> None:
    result = runner.invoke(app, ["pieces", "new", "Acme-CRM", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a snake_case key" in result.output
    (tmp_path / "pieces" / "acme").mkdir(parents=True)
    result = runner.invoke(app, ["pieces", "new", "acme", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "exists already" in result.output
