"""A self-signed certificate for 127.0.0.1, made with the openssl command, for TLS tests."""

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Certificate:
    """The certificate (also the CA file clients trust) and its key."""

    cert: Path
    key: Path


def self_signed(directory: Path) -> Certificate:
    """Writes cert.pem and key.pem for CN/IP 127.0.0.1 into `directory`."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certificate(cert=cert, key=key)
