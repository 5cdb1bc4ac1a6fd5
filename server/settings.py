"""Server settings: PW_* environment variables, command-line overrides and the data dir."""

import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import platformdirs

from server.private_files import read_or_create_secret
from server.s3_client import S3Config
from server.secrets_box import personal_encryption_key

_N = TypeVar("_N", int, float)


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""

    code = "INVALID_SETTING"


def default_data_dir() -> Path:
    """Where personal-mode data lives: PW_DATA_DIR, else the OS's per-user data directory."""
    configured = os.environ.get("PW_DATA_DIR")
    return (
        Path(configured).expanduser()
        if configured
        else Path(platformdirs.user_data_dir("piecework", False))
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the server process needs to know; built once at start-up."""

    data_dir: Path = field(default_factory=default_data_dir)
    #: External PostgreSQL (team mode); None starts the embedded one in the data dir.
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    #: Base URL webhooks are reached at; defaults to the bound address.
    public_url: str = ""
    jwt_secret: str = ""
    #: Hex key that encrypts connection values (PW_ENCRYPTION_KEY; generated in personal mode).
    encryption_key: str = ""
    #: Token the local desktop uses in personal mode (written to the data dir's server.json).
    local_token: str = ""
    allow_sign_up: bool = False
    run_worker: bool = True
    worker_concurrency: int = 5
    #: Runs of one project that may run at once; more wait in the queue (never dropped).
    concurrent_jobs_limit: int = 100
    webhook_timeout_s: float = 30.0
    flow_timeout_s: float = 600.0
    max_webhook_payload_mb: float = 25.0
    #: Lifetime of a sign-in (access) token (PW_JWT_EXPIRY_HOURS).
    jwt_expiry_hours: float = 24.0 * 7
    #: Lifetime of a refresh token, which gets new tokens without the password (PW_JWT_REFRESH_EXPIRY_DAYS).
    jwt_refresh_expiry_days: float = 30.0
    #: Largest file a step may write or a client may upload (PW_MAX_FILE_SIZE_MB).
    max_file_size_mb: float = 25.0
    #: Finished runs older than this are deleted (PW_EXECUTION_DATA_RETENTION_DAYS).
    run_retention_days: float = 30.0
    #: A worker silent this long is dead; its runs are picked up again (PW_WORKER_STALLED_SECONDS).
    worker_stalled_s: float = 30.0
    #: Minutes between two polls of a polling trigger (PW_TRIGGER_POLL_INTERVAL_MINUTES; fractions allowed).
    trigger_poll_interval_minutes: float = 5.0
    #: Failed polls in a row that turn a flow off (PW_TRIGGER_FAILURE_THRESHOLD).
    trigger_failure_threshold: int = 576
    #: Longest one poll may take (PW_TRIGGER_TIMEOUT_SECONDS); a slower one counts as failed.
    trigger_timeout_s: float = 60.0
    #: Where runs execute: PROCESS (a warm pool of engine processes, the default) or NONE (in
    #: the worker process itself, for debugging and profiling) (PW_ENGINE_ISOLATION).
    engine_isolation: str = "PROCESS"
    #: Engine processes kept started ahead of demand (PW_ENGINE_WARM_PROCESSES).
    engine_warm_processes: int = 1
    #: With no run for this long, the warm engine processes stop too and give their memory back;
    #: the next run starts one (PW_ENGINE_COLD_AFTER_MINUTES).
    engine_cold_after_minutes: float = 10.0
    #: Memory one engine process may use before its run is ended (PW_SANDBOX_MEMORY_LIMIT_MB).
    sandbox_memory_limit_mb: int = 1024
    #: personal_only pieces a team server offers anyway (PW_ENABLED_PERSONAL_PIECES).
    enabled_personal_pieces: frozenset[str] = frozenset()
    #: Where file contents go in S3 mode (PW_FILE_STORAGE=S3); None keeps them in the database.
    s3: S3Config | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Reads PW_* variables; keyword arguments (from the command line) win over them.

        Raises:
            SettingsError: a variable holds a value of the wrong kind.
        """
        database_url = os.environ.get("PW_DATABASE_URL") or None
        values: dict[str, object] = {
            "database_url": database_url,
            "public_url": os.environ.get("PW_PUBLIC_URL", ""),
            "jwt_secret": os.environ.get("PW_JWT_SECRET", ""),
            "encryption_key": os.environ.get("PW_ENCRYPTION_KEY", ""),
            "allow_sign_up": _flag("PW_ALLOW_SIGN_UP", default=False),
            "run_worker": _flag("PW_SERVER_RUNS_WORKER", default=database_url is None),
            "worker_concurrency": _number("PW_WORKER_CONCURRENCY", 5, int),
            "worker_stalled_s": _number("PW_WORKER_STALLED_SECONDS", 30.0, float),
            "concurrent_jobs_limit": _number("PW_DEFAULT_CONCURRENT_JOBS_LIMIT", 100, int),
            "webhook_timeout_s": _number("PW_WEBHOOK_TIMEOUT_SECONDS", 30.0, float),
            "flow_timeout_s": _number("PW_FLOW_TIMEOUT_SECONDS", 600.0, float),
            "max_webhook_payload_mb": _number("PW_MAX_WEBHOOK_PAYLOAD_MB", 25.0, float),
            "run_retention_days": _number("PW_EXECUTION_DATA_RETENTION_DAYS", 30.0, float),
            "jwt_expiry_hours": _number("PW_JWT_EXPIRY_HOURS", 24.0 * 7, float),
            "jwt_refresh_expiry_days": _number("PW_JWT_REFRESH_EXPIRY_DAYS", 30.0, float),
            "max_file_size_mb": _number("PW_MAX_FILE_SIZE_MB", 25.0, float),
            "trigger_poll_interval_minutes": _number(
                "PW_TRIGGER_POLL_INTERVAL_MINUTES", 5.0, float
            ),
            "trigger_failure_threshold": _number("PW_TRIGGER_FAILURE_THRESHOLD", 576, int),
            "trigger_timeout_s": _number("PW_TRIGGER_TIMEOUT_SECONDS", 60.0, float),
            "enabled_personal_pieces": _names("PW_ENABLED_PERSONAL_PIECES"),
            "engine_isolation": _choice("PW_ENGINE_ISOLATION", "PROCESS", ("PROCESS", "NONE")),
            "engine_warm_processes": _number("PW_ENGINE_WARM_PROCESSES", 1, int),
            "engine_cold_after_minutes": _number("PW_ENGINE_COLD_AFTER_MINUTES", 10.0, float),
            "sandbox_memory_limit_mb": _number("PW_SANDBOX_MEMORY_LIMIT_MB", 1024, int),
            "s3": _file_storage(),
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def embedded(self) -> bool:
        """True in personal mode: the server owns an embedded PostgreSQL in the data dir."""
        return self.database_url is None

    def personal_piece_allowed(self, name: str) -> bool:
        """Whether a personal_only piece may be used: always in personal mode, on a team server
        only when PW_ENABLED_PERSONAL_PIECES names it."""
        return self.embedded or name in self.enabled_personal_pieces

    def with_secrets(self) -> "Settings":
        """Fills in the JWT secret (generated once into the data dir) and a fresh local token.

        Raises:
            SettingsError: team mode without PW_JWT_SECRET (every server must share one).
        """
        if not self.jwt_secret and not self.embedded:
            raise SettingsError(
                "Team mode (PW_DATABASE_URL set) needs PW_JWT_SECRET, the same value on every server, "
                "for example the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not self.encryption_key and not self.embedded:
            raise SettingsError(
                "Team mode (PW_DATABASE_URL set) needs PW_ENCRYPTION_KEY, the same value on every server and "
                "worker, for example the output of: openssl rand -hex 32"
            )
        jwt_secret = self.jwt_secret or read_or_create_secret(
            self.data_dir / "jwt-secret", lambda: secrets.token_urlsafe(48)
        )
        encryption_key = self.encryption_key or personal_encryption_key(self.data_dir)
        local_token = self.local_token or secrets.token_urlsafe(32)
        return replace(
            self, jwt_secret=jwt_secret, encryption_key=encryption_key, local_token=local_token
        )


def _flag(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = (os.environ.get(name) or "").strip().upper() or default
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def _names(name: str) -> frozenset[str]:
    raw = os.environ.get(name) or ""
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


def _number(name: str, default: _N, kind: type[_N]) -> _N:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than 0, not {raw!r}")
    return value


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _file_storage() -> S3Config | None:
    """PW_FILE_STORAGE and, for S3, the PW_S3_* settings; None means the database."""
    storage = os.environ.get("PW_FILE_STORAGE", "").strip().upper() or "DB"
    if storage == "DB":
        return None
    if storage != "S3":
        raise SettingsError(f"PW_FILE_STORAGE must be DB or S3, not {storage!r}")
    bucket = _required_s3("PW_S3_BUCKET")
    if not _BUCKET_NAME.fullmatch(bucket):
        raise SettingsError(
            f"PW_S3_BUCKET must be an S3 bucket name (3-63 lower-case letters, digits, '.' or '-'), not {bucket!r}"
        )
    endpoint = os.environ.get("PW_S3_ENDPOINT", "").strip()
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise SettingsError(
            f"PW_S3_ENDPOINT must be an http:// or https:// URL (e.g. http://localhost:9000 for MinIO), "
            f"or empty for AWS, not {endpoint!r}"
        )
    prefix = os.environ.get("PW_S3_PREFIX", "").strip().strip("/")
    return S3Config(
        bucket=bucket,
        region=os.environ.get("PW_S3_REGION", "").strip() or "us-east-1",
        endpoint=endpoint,
        access_key_id=_required_s3("PW_S3_ACCESS_KEY_ID"),
        secret_access_key=_required_s3("PW_S3_SECRET_ACCESS_KEY"),
        prefix=f"{prefix}/" if prefix else "",
    )


def _required_s3(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"PW_FILE_STORAGE=S3 needs {name}; set it or use PW_FILE_STORAGE=DB")
    return value
