"""Reaching the real services tests need (PostgreSQL, Redis, Chromium, ffmpeg).

Outside CI a missing service skips its tests; with CI=true it fails them, so CI never passes by skipping.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str):
    """Skip locally, fail in CI."""
    if IN_CI:
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


def require_postgres():
    if connection.vendor != "postgresql":
        missing("PostgreSQL is not configured (set DATABASE_URL)")


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing("Redis is not configured (set REDIS_URL)")
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            pass
    except OSError:
        missing(f"Redis does not answer at {url}")
    return url


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing("Chromium is not installed (apt-get install chromium)")
    return path


def require_ffmpeg() -> None:
    """The film vault probes and cuts with ffmpeg and ffprobe (scripts/check_prereqs.sh installs them)."""
    from vault.media import ffmpeg_available

    if not ffmpeg_available():
        missing("ffmpeg is not installed (apt-get install ffmpeg)")


def spare_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ObjectStore:
    """One private bucket on the S3 API server the tests started: what settings, a subprocess's environment and a
    test's own checks need to reach it."""

    REGION = "eu-west-2"
    KEY_ID, SECRET = "vig-test-key", "vig-test-secret"  # moto accepts any pair; these are not real credentials

    def __init__(self, endpoint: str, bucket: str):
        import boto3

        self.endpoint, self.bucket = endpoint, bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=self.REGION,
            aws_access_key_id=self.KEY_ID,
            aws_secret_access_key=self.SECRET,
        )
        self.client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self.REGION})

    @property
    def env(self) -> dict[str, str]:
        """The documented environment that points a web or worker process at this bucket."""
        return {
            "OBJECT_STORAGE_BUCKET": self.bucket,
            "OBJECT_STORAGE_ENDPOINT_URL": self.endpoint,
            "OBJECT_STORAGE_REGION": self.REGION,
            "OBJECT_STORAGE_ACCESS_KEY_ID": self.KEY_ID,
            "OBJECT_STORAGE_SECRET_ACCESS_KEY": self.SECRET,
        }

    def options(self) -> dict:
        """settings.OBJECT_STORAGE_OPTIONS as the settings module builds it from `env`."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint,
            "region_name": self.REGION,
            "access_key": self.KEY_ID,
            "secret_key": self.SECRET,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "querystring_auth": True,
            "object_parameters": {"CacheControl": "private, no-store"},
        }

    def object_keys(self) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def anonymous_get(self, key: str) -> int:
        """The HTTP status an unsigned GET of the object's address gets (a browser, or anyone who learnt the key)."""
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.endpoint}/{self.bucket}/{key}", timeout=5) as answer:
                return answer.status
        except urllib.error.HTTPError as refusal:
            return refusal.code


def start_s3_server():
    """moto's standalone S3 API server on a spare loopback port, in a thread of this process: real HTTP, real
    signatures and ACLs, no stub of boto. Returns (server, endpoint); a missing moto skips (fails in CI)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto[server] is not installed (requirements-dev.txt)")
    port = spare_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"
