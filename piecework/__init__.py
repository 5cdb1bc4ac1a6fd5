"""Piecework: the command line that starts the desktop app, the server, a worker, or one flow run."""

__version__ = "0.1.0"
