"""A minimal S3 client: PutObject, GetObject and DeleteObject over httpx, signed with SigV4.

AWS is reached with virtual-hosted URLs (`https://<bucket>.s3.<region>.amazonaws.com/<key>`);
a custom endpoint (MinIO, Ceph, R2, moto, ...) with path-style URLs (`<endpoint>/<bucket>/<key>`),
which every S3-compatible server understands.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from server.sigv4 import Credentials, sha256_hex, sign, uri_encode

_XML_FIELD = re.compile(r"<(Code|Message)>([^<]*)</\1>")


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Config:
    """Where file contents go in S3 mode (PW_S3_* settings)."""

    bucket: str
    region: str = "us-east-1"
    #: Base URL of an S3-compatible server; empty for AWS itself.
    endpoint: str = ""
    access_key_id: str
    secret_access_key: str = field(repr=False)
    #: Put before every key, e.g. "piecework/"; empty or ending in "/".
    prefix: str = ""


class S3Error(Exception):
    """S3 refused a request or could not be reached; the message says why and what to check."""

    def __init__(self, message: str, *, unreachable: bool = False, missing: bool = False) -> None:
        self.message = message
        #: True when no answer came (network, DNS, timeout).
        self.unreachable = unreachable
        #: True when the object does not exist (NoSuchKey).
        self.missing = missing
        super().__init__(message)


class S3Client:
    """PutObject, GetObject and DeleteObject on one bucket."""

    def __init__(self, config: S3Config, *, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._credentials = Credentials(
            access_key_id=config.access_key_id, secret_access_key=config.secret_access_key
        )

    def url(self, key: str) -> httpx.URL:
        """The object's URL (the key gets the configured prefix)."""
        path = uri_encode(self._config.prefix + key, keep_slash=True)
        if self._config.endpoint:
            return httpx.URL(
                f"{self._config.endpoint.rstrip('/')}/{uri_encode(self._config.bucket)}/{path}"
            )
        return httpx.URL(
            f"https://{self._config.bucket}.s3.{self._config.region}.amazonaws.com/{path}"
        )

    async def put_object(self, key: str, data: bytes) -> None:
        """Stores `data` under `key`, replacing what was there.

        Raises:
            S3Error: refused or unreachable.
        """
        await self.request("PUT", self.url(key), content=data)

    async def get_object(self, key: str) -> bytes:
        """The object's bytes.

        Raises:
            S3Error: refused, unreachable or no such object (`missing`).
        """
        return (await self.request("GET", self.url(key))).content

    async def delete_object(self, key: str) -> None:
        """Deletes the object; deleting one that is not there succeeds.

        Raises:
            S3Error: refused or unreachable.
        """
        await self.request("DELETE", self.url(key))

    async def request(self, method: str, url: httpx.URL, *, content: bytes = b"") -> httpx.Response:
        """Sends one signed request and returns the successful response.

        Raises:
            S3Error: refused or unreachable.
        """
        headers = sign(
            method=method,
            url=url,
            headers={},
            payload_hash=sha256_hex(content),
            credentials=self._credentials,
            region=self._config.region,
            now=datetime.now(UTC),
        )
        where = self._config.endpoint or f"AWS ({self._config.region})"
        try:
            response = await self._http.request(method, url, content=content, headers=headers)
        except httpx.TransportError as err:
            raise S3Error(
                f"The S3 storage at {where} cannot be reached ({type(err).__name__}: {err}); "
                "check PW_S3_ENDPOINT and that the server is running",
                unreachable=True,
            ) from err
        if response.is_success:
            return response
        raise self._error(response)

    def _error(self, response: httpx.Response) -> S3Error:
        fields = dict(_XML_FIELD.findall(response.text))
        code = fields.get("Code", f"HTTP {response.status_code}")
        detail = f"{code}: {fields['Message']}" if fields.get("Message") else code
        bucket = self._config.bucket
        if code in {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"}:
            hint = "check PW_S3_ACCESS_KEY_ID, PW_S3_SECRET_ACCESS_KEY and the key's permissions on the bucket"
            return S3Error(f"S3 refused the request to bucket {bucket!r} ({detail}); {hint}")
        if code == "NoSuchBucket":
            return S3Error(
                f"The S3 bucket {bucket!r} does not exist ({detail}); create it or fix PW_S3_BUCKET"
            )
        if code == "NoSuchKey":
            return S3Error(
                f"The file's contents are missing from the S3 bucket {bucket!r} ({detail})",
                missing=True,
            )
        return S3Error(f"S3 answered {response.status_code} for bucket {bucket!r} ({detail})")
