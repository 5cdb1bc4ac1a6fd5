"""AWS Signature Version 4: the headers that sign one request to S3 (or an S3-compatible store).

Written here instead of depending on boto3, which would add tens of megabytes to the packaged app
for three calls. The steps follow
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html.
"""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import httpx

ALGORITHM = "AWS4-HMAC-SHA256"
#: The payload hash of an empty body.
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    """An access key pair; the secret never appears in a repr."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 of `data`, as the x-amz-content-sha256 header wants it."""
    return hashlib.sha256(data).hexdigest()


def uri_encode(value: str, *, keep_slash: bool = False) -> str:
    """AWS's URI encoding: everything but unreserved characters (and '/' in paths) is %XX."""
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def sign(
    *,
    method: str,
    url: httpx.URL,
    headers: Mapping[str, str],
    payload_hash: str,
    credentials: Credentials,
    region: str,
    now: datetime,
    service: str = "s3",
) -> dict[str, str]:
    """The request's headers plus host, x-amz-date, x-amz-content-sha256 and Authorization.

    Args:
        method: the HTTP method, upper case.
        url: the full URL; its path must already be URI-encoded (S3 does not encode it twice).
        headers: further headers to sign (e.g. Range, Content-Type).
        payload_hash: `sha256_hex(body)`.
        credentials: the key pair.
        region: e.g. "us-east-1".
        now: the signing time, in UTC.
        service: the AWS service name.

    Returns:
        The headers to send.
    """
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    all_headers = {
        **headers,
        "host": url.netloc.decode("ascii"),
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_hash,
    }
    canonical = {name.lower(): " ".join(value.split()) for name, value in all_headers.items()}
    names = sorted(canonical)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [
            method,
            url.raw_path.decode("ascii").split("?", 1)[0] or "/",
            _canonical_query(url),
            "".join(f"{name}:{canonical[name]}\n" for name in names),
            signed_headers,
            payload_hash,
        ]
    )
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, sha256_hex(canonical_request.encode())])
    key = _signing_key(credentials.secret_access_key, amz_date[:8], region, service)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope},"
        f"SignedHeaders={signed_headers},Signature={signature}"
    )
    return {**all_headers, "Authorization": authorization}


def _canonical_query(url: httpx.URL) -> str:
    pairs = sorted((uri_encode(key), uri_encode(value)) for key, value in url.params.multi_items())
    return "&".join(f"{key}={value}" for key, value in pairs)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
