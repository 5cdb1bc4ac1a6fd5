"""A real S3-compatible server for tests: moto's, in this process, checking SigV4 signatures.

moto accepts any request until auth is switched on; the server is started, an IAM user with an
access key and an allow-all policy is created, then `/moto-api/reset-auth` makes every further
request prove that key (InvalidAccessKeyId / SignatureDoesNotMatch otherwise).
"""

import contextlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

from server.s3_client import S3Config

REGION = "us-east-1"


@dataclass(frozen=True, slots=True, kw_only=True)
class S3Server:
    """A running moto server and the one access key it accepts."""

    endpoint: str
    access_key_id: str
    secret_access_key: str = field(repr=False)

    def boto(self) -> Any:
        """A boto3 S3 client of the server: an independent check of what our client did."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )

    def new_bucket(self) -> str:
        """Creates an empty bucket with a fresh name."""
        name = f"pw-test-{secrets.token_hex(6)}"
        self.boto().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        """The keys in the bucket, listed by boto3."""
        listed = self.boto().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def object(self, bucket: str, key: str) -> bytes:
        """An object's bytes, read by boto3."""
        return bytes(self.boto().get_object(Bucket=bucket, Key=key)["Body"].read())

    def config(self, bucket: str, **changes: str) -> S3Config:
        """Settings that reach this server's bucket, with `changes` (e.g. a wrong secret)."""
        values = {
            "bucket": bucket,
            "region": REGION,
            "endpoint": self.endpoint,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            **changes,
        }
        return S3Config(**values)


@contextlib.contextmanager
def moto_s3_server() -> Iterator[S3Server]:
    """Starts moto on a free local port with signature checks on; stops it afterwards."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="piecework")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
        iam.put_user_policy(
            UserName="piecework", PolicyName="all", PolicyDocument=json.dumps(policy)
        )
        key = iam.create_access_key(UserName="piecework")["AccessKey"]
        httpx.post(f"{endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
        yield S3Server(
            endpoint=endpoint,
            access_key_id=key["AccessKeyId"],
            secret_access_key=key["SecretAccessKey"],
        )
    finally:
        moto.stop()
