"""Encryption of secrets at rest (connection values): AES-GCM with PW_ENCRYPTION_KEY."""

import base64
import json
import logging
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from server.private_files import write_private

log = logging.getLogger(__name__)

#: Prefix of every ciphertext, so the format can change later without guessing.
_VERSION = "v1:"
_KEYRING_SERVICE = "piecework"


class EncryptionKeyError(ValueError):
    """PW_ENCRYPTION_KEY is malformed, or a stored secret was encrypted with another key."""

    code = "ENCRYPTION_KEY"


class SecretBox:
    """Encrypts and decrypts JSON values with one key (16 or 32 bytes, given as hex)."""

    def __init__(self, key_hex: str) -> None:
        try:
            key = bytes.fromhex(key_hex.strip())
        except ValueError:
            raise EncryptionKeyError(
                "PW_ENCRYPTION_KEY must be hexadecimal (e.g. `openssl rand -hex 32`)"
            ) from None
        if len(key) not in (16, 32):
            raise EncryptionKeyError(
                "PW_ENCRYPTION_KEY must be 32 or 64 hex characters (16 or 32 bytes)"
            )
        self._aead = AESGCM(key)

    def encrypt(self, value: Any) -> str:
        """The value as JSON, encrypted with a fresh nonce."""
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, json.dumps(value).encode(), None)
        return _VERSION + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> Any:
        """The value a token holds.

        Raises:
            EncryptionKeyError: not made with this key (the key changed, or the data is damaged).
        """
        if not token.startswith(_VERSION):
            raise EncryptionKeyError("A stored secret has an unknown format")
        raw = base64.b64decode(token[len(_VERSION) :])
        try:
            return json.loads(self._aead.decrypt(raw[:12], raw[12:], None))
        except InvalidTag:
            raise EncryptionKeyError(
                "A stored secret cannot be decrypted with this PW_ENCRYPTION_KEY; was the key changed?"
            ) from None


def personal_encryption_key(data_dir: Path) -> str:
    """The personal-mode key: from the OS keyring where one works, else a 0600 file in the data dir.

    The key is made on first use. An existing key file always wins, so data stays readable.
    """
    path = data_dir / "encryption-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    account = f"encryption-key:{data_dir.resolve()}"
    stored = _keyring_get(account)
    if stored:
        return stored
    key = secrets.token_hex(32)
    if not _keyring_set(account, key):
        write_private(path, key)
    return key


def _usable_keyring() -> Any:
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring installation must not stop the server
        log.warning("the OS keyring is not usable; keeping the encryption key in the data dir")
        return None
    return backend if getattr(backend, "priority", 0) > 0 else None


def _keyring_get(account: str) -> str | None:
    backend = _usable_keyring()
    if backend is None:
        return None
    try:
        value = backend.get_password(_KEYRING_SERVICE, account)
    except Exception:  # a locked or failing keyring: fall back to the key file
        log.warning("could not read the encryption key from the OS keyring")
        return None
    return str(value) if value else None


def _keyring_set(account: str, key: str) -> bool:
    backend = _usable_keyring()
    if backend is None:
        return False
    try:
        backend.set_password(_KEYRING_SERVICE, account, key)
    except Exception:  # a locked or failing keyring: fall back to the key file
        log.warning("could not store the encryption key in the OS keyring; using a key file")
        return False
    return True
