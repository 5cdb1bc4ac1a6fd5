"""The desktop's only network I/O: the server API client, and finding or starting the local server."""

from desktop.client.api_client import ApiClient, ApiError, ServerUnavailableError
from desktop.client.local_server import LocalServerError, connect_local_server
from desktop.client.piece_catalog import PieceCatalog

__all__ = [
    "ApiClient",
    "ApiError",
    "LocalServerError",
    "PieceCatalog",
    "ServerUnavailableError",
    "connect_local_server",
]
