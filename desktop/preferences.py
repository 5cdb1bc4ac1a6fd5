"""The desktop's own settings (data dir, local server options, theme, notifications), in a JSON file.

The file lives in the per-user config dir, not in the data dir, because the data dir is one of
the settings. `PW_CONFIG_DIR` points it elsewhere (tests, portable installs).
"""

import json
import logging
import os
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

log = logging.getLogger(__name__)

#: File name of the settings in the config dir.
FILE_NAME = "desktop.json"


class Theme(StrEnum):
    """Light or dark, or whatever the OS uses."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class NetworkMode(StrEnum):
    """PW_NETWORK_MODE of the local server: whether flows may reach private addresses."""

    STRICT = "STRICT"
    UNRESTRICTED = "UNRESTRICTED"


def default_config_dir() -> Path:
    """PW_CONFIG_DIR, else the OS's per-user config directory."""
    configured = os.environ.get("PW_CONFIG_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_config_dir("piecework", False))


def default_data_dir() -> Path:
    """PW_DATA_DIR, else the OS's per-user data directory (as `piecework server` uses)."""
    configured = os.environ.get("PW_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_data_dir("piecework", False))


@dataclass(frozen=True, slots=True, kw_only=True)
class Preferences:
    """What the person chose in Settings; every field has a sensible default."""

    #: The local server's data dir; "" means the default one.
    data_dir: str = ""
    #: PW_PUBLIC_URL of the local server: where webhooks are reached from outside; "" = local only.
    public_url: str = ""
    network_mode: NetworkMode = NetworkMode.STRICT
    theme: Theme = Theme.SYSTEM
    #: Show a notification when a run fails.
    notify_failed_runs: bool = True
    #: Data dirs whose projects got the sample flows already (offered once, on first launch).
    samples_added: tuple[str, ...] = field(default_factory=tuple)

    def resolved_data_dir(self) -> Path:
        """The data dir to use: the chosen one, else the default."""
        return Path(self.data_dir).expanduser() if self.data_dir else default_data_dir()

    def server_environment(self) -> dict[str, str]:
        """The environment the local server is started with for these settings."""
        environment = {"PW_NETWORK_MODE": self.network_mode.value}
        if self.public_url:
            environment["PW_PUBLIC_URL"] = self.public_url
        return environment


def problems(preferences: Preferences) -> dict[str, str]:
    """What is wrong with each field that has a wrong value (field name → message)."""
    found: dict[str, str] = {}
    if preferences.data_dir:
        path = Path(preferences.data_dir).expanduser()
        if not path.is_absolute():
            found["data_dir"] = "Use a full path, for example /home/me/piecework-data"
        elif path.exists() and not path.is_dir():
            found["data_dir"] = "This is a file; choose a folder"
    if preferences.public_url:
        parts = urlsplit(preferences.public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            found["public_url"] = "Enter an address such as https://flows.example.com"
        elif parts.query or parts.fragment:
            found["public_url"] = "Leave out ?query and #fragment"
    return found


class PreferencesStore:
    """Reads and writes the settings file; a damaged file gives the defaults (and is logged)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME

    def load(self) -> Preferences:
        """The saved settings, or the defaults."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Preferences()
        except (OSError, ValueError) as err:
            log.warning("ignoring the desktop settings in %s: %s", self.path, err)
            return Preferences()
        try:
            return _from_json(raw)
        except (TypeError, ValueError) as err:
            log.warning("ignoring the desktop settings in %s: %s", self.path, err)
            return Preferences()

    def save(self, preferences: Preferences) -> None:
        """Writes the settings (to a temporary file first, so a crash never leaves half a file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(preferences)
        data["samples_added"] = list(preferences.samples_added)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.path)


def _from_json(raw: object) -> Preferences:
    if not isinstance(raw, dict):
        raise TypeError("the file does not hold an object")
    defaults = Preferences()
    return replace(
        defaults,
        data_dir=str(raw.get("data_dir", defaults.data_dir)),
        public_url=str(raw.get("public_url", defaults.public_url)),
        network_mode=NetworkMode(raw.get("network_mode", defaults.network_mode)),
        theme=Theme(raw.get("theme", defaults.theme)),
        notify_failed_runs=bool(raw.get("notify_failed_runs", defaults.notify_failed_runs)),
        samples_added=tuple(str(path) for path in raw.get("samples_added", ())),
    )
