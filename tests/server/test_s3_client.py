"""The S3 client against a real S3-compatible server (moto, checking signatures)."""

from collections.abc import AsyncIterator

import httpx
import pytest

from server.s3_client import S3Client, S3Error
from tests.server.s3_server import S3Server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def test_objects_are_put_read_and_deleted(
    s3_server: S3Server, s3_bucket: str, http: httpx.AsyncClient
) -> None:
    client = S3Client(s3_server.config(s3_bucket, prefix="pw/files/"), http=http)
    data = bytes(range(256)) * 100
    await client.put_object("a b+c", data)
    assert s3_server.keys(s3_bucket) == ["pw/files/a b+c"]
    assert s3_server.object(s3_bucket, "pw/files/a b+c") == data
    assert await client.get_object("a b+c") == data
    await client.delete_object("a b+c")
    assert s3_server.keys(s3_bucket) == []
    await client.delete_object("a b+c")  # already gone: still fine
    with pytest.raises(S3Error, match="missing") as missing:
        await client.get_object("a b+c")
    assert missing.value.missing


async def test_a_wrong_secret_key_is_refused_with_a_hint_and_without_the_secret(
    s3_server: S3Server, s3_bucket: str, http: httpx.AsyncClient
) -> None:
    wrong = "not-the-secret-" + "z" * 20
    client = S3Client(s3_server.config(s3_bucket, secret_access_key=wrong), http=http)
    with pytest.raises(S3Error) as refused:
        await client.put_object("x", b"data")
    assert "SignatureDoesNotMatch" in refused.value.message
    assert "PW_S3_SECRET_ACCESS_KEY" in refused.value.message
    assert wrong not in refused.value.message
    assert s3_server.secret_access_key not in refused.value.message
    assert not refused.value.unreachable
    assert s3_server.keys(s3_bucket) == []


async def test_an_unknown_access_key_is_refused(
    s3_server: S3Server, s3_bucket: str, http: httpx.AsyncClient
) -> None:
    client = S3Client(s3_server.config(s3_bucket, access_key_id="AKIANOSUCHKEY0000000"), http=http)
    with pytest.raises(S3Error, match=r"InvalidAccessKeyId.*PW_S3_ACCESS_KEY_ID"):
        await client.get_object("x")


async def test_a_missing_bucket_is_named(s3_server: S3Server, http: httpx.AsyncClient) -> None:
    client = S3Client(s3_server.config("no-such-bucket-here"), http=http)
    with pytest.raises(S3Error, match=r"'no-such-bucket-here' does not exist.*PW_S3_BUCKET"):
        await client.put_object("x", b"data")


async def test_an_unreachable_endpoint_says_so(
    s3_server: S3Server, http: httpx.AsyncClient, unused_tcp_port: int
) -> None:
    endpoint = f"http://127.0.0.1:{unused_tcp_port}"
    client = S3Client(s3_server.config("bucket", endpoint=endpoint), http=http)
    with pytest.raises(S3Error, match=r"cannot be reached.*PW_S3_ENDPOINT") as unreachable:
        await client.get_object("x")
    assert unreachable.value.unreachable


def test_aws_is_reached_with_virtual_hosted_urls(
    s3_server: S3Server, http: httpx.AsyncClient
) -> None:
    config = s3_server.config("my-bucket", endpoint="", region="eu-west-1", prefix="p/")
    client = S3Client(config, http=http)
    assert str(client.url("id 1")) == "https://my-bucket.s3.eu-west-1.amazonaws.com/p/id%201"
