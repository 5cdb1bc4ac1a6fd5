"""`piecework pieces`: print a piece's metadata, scaffold a new piece."""

from pathlib import Path
from typing import Annotated

import typer

pieces_app = typer.Typer(help="Work with pieces: show metadata, scaffold a new piece.")


@pieces_app.command("metadata")
def metadata(
    name: Annotated[str, typer.Argument(help="The piece name, e.g. http.", show_default=False)],
    version: Annotated[
        str | None, typer.Option(help="An exact version (default: the newest installed).")
    ] = None,
) -> None:
    """Print a piece's metadata JSON (what the server serves and the desktop renders)."""
    from pieces.framework import PieceNotFoundError, PieceRegistry
    from pieces.framework.metadata import metadata_json

    registry = PieceRegistry.discover()
    try:
        piece = registry.get(name, version) if version else registry.latest(name)
    except PieceNotFoundError as err:
        typer.echo(f"error: {err.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(metadata_json(piece), nl=False)


@pieces_app.command("list")
def list_pieces() -> None:
    """List installed pieces and their newest versions."""
    from pieces.framework import PieceRegistry

    for name, version in sorted(PieceRegistry.discover().versions().items()):
        typer.echo(f"{name} {version}")


@pieces_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="The piece key, snake_case.", show_default=False)],
    action: Annotated[str, typer.Option(help="The first action's key.")] = "say_hello",
    root: Annotated[
        Path, typer.Option(help="Where pieces/ and tests/ are (the repository root).")
    ] = Path("."),
) -> None:
    """Scaffold a piece: a package with one action, a test and a README."""
    from piecework.scaffold import ScaffoldError, scaffold_piece

    try:
        written = scaffold_piece(root=root, name=name, action=action)
    except ScaffoldError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    for path in written:
        typer.echo(f"created {path}")
