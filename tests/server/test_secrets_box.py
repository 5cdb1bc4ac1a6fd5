"""Encryption at rest: round trips, fresh nonces, and clear errors for a wrong key."""

import pytest

from server.secrets_box import EncryptionKeyError, SecretBox


def test_round_trip_with_fresh_nonces() -> None:
    box = SecretBox("11" * 32)
    first, second = box.encrypt({"secret_text": "hunter2"}), box.encrypt({"secret_text": "hunter2"})
    assert first != second
    assert "hunter2" not in first
    assert box.decrypt(first) == {"secret_text": "hunter2"}


def test_activepieces_style_16_byte_keys_work() -> None:
    box = SecretBox("0123456789abcdef0123456789abcdef")
    assert box.decrypt(box.encrypt([1, 2])) == [1, 2]


def test_another_key_cannot_read_it() -> None:
    sealed = SecretBox("11" * 32).encrypt("x")
    with pytest.raises(EncryptionKeyError, match="was the key changed"):
        SecretBox("22" * 32).decrypt(sealed)


@pytest.mark.parametrize("key", ["zz" * 32, "ab" * 10])
def test_malformed_keys_are_explained(key: str) -> None:
    with pytest.raises(EncryptionKeyError, match="PW_ENCRYPTION_KEY"):
        SecretBox(key)
