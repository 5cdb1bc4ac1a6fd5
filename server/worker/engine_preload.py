"""Imported once by the template engine processes are forked from: the engine, the server
modules it uses and the built-in pieces, so a new engine process starts in milliseconds."""

from pieces.framework import PieceRegistry
from server.worker import engine_main

PieceRegistry.discover()  # imports every built-in and installed piece's modules

__all__ = ["engine_main"]
