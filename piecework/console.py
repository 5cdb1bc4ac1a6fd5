"""What the server and worker commands tell the person who started them: plain lines, or log
records when PW_LOG_FORMAT=json (so the output stays one JSON object per line)."""

import logging

import typer

from server.logs import LogFormatError, log_format

log = logging.getLogger("piecework")


def say(text: str, *, error: bool = False) -> None:
    """Prints `text` (to stderr when `error`), or logs it in JSON mode."""
    try:
        as_json = log_format() == "json"
    except LogFormatError:
        as_json = False
    if not as_json:
        typer.echo(text, err=error)
    elif error:
        log.error(text)
    else:
        log.info(text)
