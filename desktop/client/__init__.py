"""The desktop's only network I/O: the server API client, finding or starting the local server,
signing in to team servers, health checks and live run events."""

from desktop.client.accounts import Account, AccountStore
from desktop.client.api_client import (
    ApiClient,
    ApiError,
    ClientClosedError,
    ServerUnavailableError,
    SessionExpiredError,
)
from desktop.client.connection_monitor import ConnectionMonitor
from desktop.client.local_server import LocalServerError, connect_local_server, stop_local_server
from desktop.client.piece_catalog import PieceCatalog
from desktop.client.sign_in import SignedIn, TokenRenewer, normalize_url, resume, sign_in

__all__ = [
    "Account",
    "AccountStore",
    "ApiClient",
    "ApiError",
    "ClientClosedError",
    "ConnectionMonitor",
    "LocalServerError",
    "PieceCatalog",
    "ServerUnavailableError",
    "SessionExpiredError",
    "SignedIn",
    "TokenRenewer",
    "connect_local_server",
    "normalize_url",
    "resume",
    "sign_in",
    "stop_local_server",
]
