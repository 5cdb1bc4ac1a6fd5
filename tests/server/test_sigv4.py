"""SigV4 signing, checked against the examples AWS publishes with their fixed keys and dates."""

from datetime import UTC, datetime

import httpx
import pytest

from server.sigv4 import EMPTY_SHA256, Credentials, sign

# From https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
AWS_EXAMPLE_KEYS = Credentials(
    access_key_id="AKIAIOSFODNN7EXAMPLE",
    secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)
AWS_EXAMPLE_TIME = datetime(2013, 5, 24, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "headers", "signed_headers", "signature"),
    [
        pytest.param(
            "https://examplebucket.s3.amazonaws.com/test.txt",
            {"Range": "bytes=0-9"},
            "host;range;x-amz-content-sha256;x-amz-date",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            id="GET Object",
        ),
        pytest.param(
            "https://examplebucket.s3.amazonaws.com/?lifecycle",
            {},
            "host;x-amz-content-sha256;x-amz-date",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
            id="GET Bucket Lifecycle",
        ),
        pytest.param(
            "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J",
            {},
            "host;x-amz-content-sha256;x-amz-date",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
            id="Get Bucket (List Objects)",
        ),
    ],
)
def test_signature_matches_the_aws_documented_examples(
    url: str, headers: dict[str, str], signed_headers: str, signature: str
) -> None:
    signed = sign(
        method="GET",
        url=httpx.URL(url),
        headers=headers,
        payload_hash=EMPTY_SHA256,
        credentials=AWS_EXAMPLE_KEYS,
        region="us-east-1",
        now=AWS_EXAMPLE_TIME,
    )
    assert signed["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        f"SignedHeaders={signed_headers},Signature={signature}"
    )
    assert signed["x-amz-date"] == "20130524T000000Z"
    assert signed["host"] == "examplebucket.s3.amazonaws.com"


def test_a_different_secret_gives_a_different_signature() -> None:
    def authorization(secret: str) -> str:
        return sign(
            method="GET",
            url=httpx.URL("https://examplebucket.s3.amazonaws.com/test.txt"),
            headers={},
            payload_hash=EMPTY_SHA256,
            credentials=Credentials(access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key=secret),
            region="us-east-1",
            now=AWS_EXAMPLE_TIME,
        )["Authorization"]

    assert authorization("one") != authorization("two")
    assert "one" not in repr(Credentials(access_key_id="id", secret_access_key="one"))
