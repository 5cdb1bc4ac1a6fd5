"""Settings from PW_* variables, and their errors."""

from pathlib import Path

import pytest

from server.settings import Settings, SettingsError


def test_defaults_are_personal_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PW_DATABASE_URL", raising=False)
    settings = Settings.from_env(data_dir=tmp_path)
    assert settings.embedded
    assert settings.run_worker
    assert settings.webhook_timeout_s == 30


def test_team_mode_needs_a_shared_jwt_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PW_DATABASE_URL", "postgresql://db/pw")
    monkeypatch.delenv("PW_JWT_SECRET", raising=False)
    settings = Settings.from_env(data_dir=tmp_path)
    assert not settings.embedded
    assert not settings.run_worker
    with pytest.raises(SettingsError, match="PW_JWT_SECRET"):
        settings.with_secrets()


def test_generated_jwt_secret_is_kept_in_the_data_dir(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).with_secrets()
    second = Settings(data_dir=tmp_path).with_secrets()
    assert first.jwt_secret == second.jwt_secret
    assert first.local_token != second.local_token
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PW_WEBHOOK_TIMEOUT_SECONDS", "soon"),
        ("PW_WORKER_CONCURRENCY", "0"),
        ("PW_ALLOW_SIGN_UP", "maybe"),
    ],
)
def test_bad_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        Settings.from_env()


def test_team_mode_needs_a_shared_encryption_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PW_DATABASE_URL", "postgresql://db/pw")
    monkeypatch.setenv("PW_JWT_SECRET", "s" * 40)
    monkeypatch.delenv("PW_ENCRYPTION_KEY", raising=False)
    with pytest.raises(SettingsError, match="PW_ENCRYPTION_KEY"):
        Settings.from_env(data_dir=tmp_path).with_secrets()


def test_personal_encryption_key_is_made_once_into_a_private_file(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).with_secrets()
    second = Settings(data_dir=tmp_path).with_secrets()
    assert first.encryption_key == second.encryption_key
    assert len(bytes.fromhex(first.encryption_key)) == 32
    assert (tmp_path / "encryption-key").stat().st_mode & 0o777 == 0o600


S3_VARIABLES = {
    "PW_FILE_STORAGE": "s3",
    "PW_S3_BUCKET": "pw-files",
    "PW_S3_ENDPOINT": "http://localhost:9000",
    "PW_S3_REGION": "eu-central-1",
    "PW_S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "PW_S3_SECRET_ACCESS_KEY": "very-secret-value",
    "PW_S3_PREFIX": "/piecework/",
}


def test_files_stay_in_the_database_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PW_FILE_STORAGE", raising=False)
    assert Settings.from_env().s3 is None
    monkeypatch.setenv("PW_FILE_STORAGE", "db")
    assert Settings.from_env().s3 is None


def test_s3_storage_is_read_from_pw_s3_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in S3_VARIABLES.items():
        monkeypatch.setenv(name, value)
    s3 = Settings.from_env().s3
    assert s3 is not None
    assert (s3.bucket, s3.endpoint, s3.region, s3.prefix) == (
        "pw-files",
        "http://localhost:9000",
        "eu-central-1",
        "piecework/",
    )
    assert s3.secret_access_key == "very-secret-value"
    assert "very-secret-value" not in repr(Settings.from_env())


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PW_FILE_STORAGE", "disk", "PW_FILE_STORAGE must be DB or S3"),
        ("PW_S3_BUCKET", "", "needs PW_S3_BUCKET"),
        ("PW_S3_BUCKET", "My_Bucket", "PW_S3_BUCKET must be an S3 bucket name"),
        ("PW_S3_ACCESS_KEY_ID", "", "needs PW_S3_ACCESS_KEY_ID"),
        ("PW_S3_SECRET_ACCESS_KEY", " ", "needs PW_S3_SECRET_ACCESS_KEY"),
        ("PW_S3_ENDPOINT", "localhost:9000", "PW_S3_ENDPOINT must be an http:// or https:// URL"),
    ],
)
def test_invalid_s3_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    for variable, good in S3_VARIABLES.items():
        monkeypatch.setenv(variable, good)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message) as error:
        Settings.from_env()
    assert "very-secret-value" not in str(error.value)
