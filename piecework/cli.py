"""The `piecework` command: desktop app (default), server, worker, and running a flow file."""

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from piecework import __version__
from piecework.launch import has_display
from piecework.pieces_cli import pieces_app

app = typer.Typer(
    name="piecework",
    help="Piecework: build flows on your desktop, run them on your computer or a team server.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(pieces_app, name="pieces")

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where data lives (default: PW_DATA_DIR, else the per-user data directory).",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"piecework {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """With no command, starts the desktop app (or, with no display, the server alone)."""
    if ctx.invoked_subcommand is None:
        desktop(data_dir=None)


@app.command()
def desktop(data_dir: DataDirOption = None) -> None:
    """Start the desktop app and its local server. With no display, start the server alone."""
    if not has_display():
        typer.echo("No display found: starting the Piecework server alone (headless).")
        server(data_dir=data_dir, host="127.0.0.1", port=int(os.environ.get("PW_PORT", "0")))
        return
    from desktop.app import run_app  # Qt loads only for this command

    # No --data-dir: the folder chosen in the desktop's Settings, else PW_DATA_DIR or the default.
    raise typer.Exit(run_app(data_dir=data_dir))


@app.command()
def server(
    data_dir: DataDirOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to listen on (0 picks a free one).", envvar="PW_PORT")
    ] = 0,
) -> None:
    """Run the server: API, webhooks and (in personal mode) the worker.

    With PW_DATABASE_URL set, team mode on that PostgreSQL; otherwise an embedded one in the data dir.
    """
    from piecework.console import say
    from piecework.serve import StartupError, serve
    from server.settings import Settings, SettingsError

    _configure_logging()
    try:
        settings = Settings.from_env(data_dir=data_dir or _default_data_dir(), host=host, port=port)
        serve(
            settings,
            on_ready=lambda url: _banner(url, settings.data_dir, embedded=settings.embedded),
        )
    except (StartupError, SettingsError) as err:
        say(f"error: {err}", error=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        pass
    say("Piecework server stopped.")


@app.command()
def worker() -> None:
    """Run a worker that executes queued runs (team mode: needs PW_DATABASE_URL)."""
    from piecework.console import say
    from piecework.serve import StartupError, work
    from server.settings import Settings, SettingsError

    _configure_logging()
    try:
        work(Settings.from_env(data_dir=_default_data_dir()))
    except (StartupError, SettingsError) as err:
        say(f"error: {err}", error=True)
        raise typer.Exit(1) from None


@app.command("run")
def run_command(
    flow_file: Annotated[
        Path | None,
        typer.Argument(help="A flow JSON file (not needed with --resume).", show_default=False),
    ] = None,
    payload: Annotated[
        str | None,
        typer.Option(help="Trigger payload as JSON (for a webhook trigger: the request body)."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Run timeout in seconds.")] = 600.0,
    connections: Annotated[
        Path | None,
        typer.Option(
            help="JSON file of connection values by external id, for {{connections['id']}}."
        ),
    ] = None,
    run_file: Annotated[
        Path | None,
        typer.Option(help="Where to save the run (default: a file here when the run pauses)."),
    ] = None,
    resume: Annotated[
        Path | None,
        typer.Option(help="Resume the paused run saved in this run file.", show_default=False),
    ] = None,
    resume_payload: Annotated[
        str | None,
        typer.Option(
            help="What resumes the run, as JSON: the body, or {body, headers, queryParams}."
        ),
    ] = None,
) -> None:
    """Run a flow file once through the engine, with no server, and print the run result as JSON.

    A run that pauses (an approval, a delay) is saved to a run file; resume it with
    --resume RUN_FILE --resume-payload JSON.
    """
    from engine.model import RunStatus, report
    from piecework import local_run
    from piecework.flow_file import FlowFileError, parse_payload, read_connections, read_flow
    from piecework.run_file import parse_resume_payload

    try:
        values = read_connections(connections) if connections else {}
        if resume is not None:
            if flow_file is not None:
                raise FlowFileError("give either a flow file or --resume RUN_FILE, not both")
            result = local_run.resume(
                resume,
                parse_resume_payload(resume_payload),
                timeout_s=timeout,
                connections=values,
                say=lambda text: typer.echo(text, err=True),
            )
            saved_to: Path | None = resume
        elif flow_file is None:
            raise FlowFileError("give a flow file to run, or --resume RUN_FILE")
        else:
            flow = read_flow(flow_file)
            data = parse_payload(payload)
            result, saved_to = local_run.begin(
                flow, data, timeout_s=timeout, connections=values, path=run_file
            )
    except FlowFileError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report(result).model_dump(mode="json"), indent=2))
    if result.status is RunStatus.PAUSED and saved_to is not None:
        typer.echo(local_run.paused_hint(result, saved_to), err=True)
    raise typer.Exit(0 if result.status in (RunStatus.SUCCEEDED, RunStatus.PAUSED) else 1)


def _banner(url: str, data_dir: Path, *, embedded: bool) -> None:
    from piecework.console import say

    sign_up = (
        f"curl -X POST {url}/api/v1/authentication/sign-up -H 'Content-Type: application/json' "
        """-d '{"email": "you@example.com", "password": "a-long-password", "firstName": "You"}'"""
    )
    lines = [
        f"Piecework server is running at {url}",
        f"  API docs:  {url}/api/docs",
        f"  Sign up:   {sign_up}",
        "             (the first account owns this server; then sign in at /api/v1/authentication/sign-in",
        "              and send the token as 'Authorization: Bearer <token>')",
    ]
    if embedded:
        lines.append(
            f"  Data:      {data_dir} (local token for this computer in {data_dir / 'server.json'})"
        )
    lines.append(f"  Stop:      press Ctrl+C (or: kill {os.getpid()})")
    say("\n".join(lines))


def _default_data_dir() -> Path:
    from server.settings import default_data_dir

    return default_data_dir()


def _configure_logging() -> None:
    from server.logs import LogFormatError, configure_logging

    try:
        configure_logging()
    except LogFormatError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None


def main() -> None:
    """Console-script entry point."""
    app()
