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


def node_path() -> str:
    """Node.js for the test OpenID Connect provider (tests/oidc_provider/). Skips locally / fails in CI if missing."""
    path = os.environ.get("NODE_PATH_BIN") or shutil.which("node")
    if not path:
        missing("Node.js is not installed (apt-get install nodejs, v20.19 or later)")
    return path


OIDC_PROVIDER_DIR = os.path.join(os.path.dirname(__file__), "oidc_provider")


class OpenIDProvider:
    """panva's oidc-provider (tests/oidc_provider/provider.js) running on a loopback port for the sign-in tests.

    Its modules come from the npm registry by `npm ci` against the committed lock file (done here if `.ci/run`
    has not). `knobs(...)` changes how it behaves for one test (another signing key, codes that expire at once).
    """

    CLIENT_ID = "vig-service-test"
    CLIENT_SECRET = "test-only-client-secret-not-real"  # noqa: S105 - a throwaway test client, on loopback only

    def __init__(self, app_url: str):
        import subprocess
        import time

        node = node_path()
        if not os.path.isdir(os.path.join(OIDC_PROVIDER_DIR, "node_modules", "oidc-provider")):
            npm = shutil.which("npm")
            if not npm:
                missing("npm is not installed, so the test OpenID Connect provider cannot be set up")
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_PROVIDER_DIR, capture_output=True)
            if done.returncode:
                missing(f"npm ci failed in tests/oidc_provider: {done.stderr.decode()[-500:]}")
        self.port = spare_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENT_ID": self.CLIENT_ID,
            "CLIENT_SECRET": self.CLIENT_SECRET,
            "REDIRECT_URI": f"{app_url}/accounts/login/provider/callback/",
            "POST_LOGOUT_REDIRECT_URI": f"{app_url}/accounts/login/",
        }
        import tempfile

        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: later warnings never block it; closed in stop()
        self.process = subprocess.Popen(
            [node, "provider.js"], cwd=OIDC_PROVIDER_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            self.log.seek(0)
            if b"READY" in self.log.read():
                return
            time.sleep(0.1)
        self.log.seek(0)
        output = self.log.read().decode(errors="replace")[-500:]
        self.stop()
        missing(f"the test OpenID Connect provider did not start: {output}")

    def knobs(self, **values) -> None:
        """Change the provider's test-only behaviour (provider.js `knobs`): publishOtherKey, forgeState, forgeNonce,
        replayLastCode (True/False), codeTtlSeconds, holdAnswerMs; reset=True puts them all back."""
        import requests

        data = {k: ("1" if v is True else "0" if v is False else str(v)) for k, v in values.items()}
        requests.post(f"{self.issuer}/test/knobs", data=data, timeout=5).raise_for_status()

    def last_callback(self) -> str:
        """The last answer the provider sent a browser to the app's callback with (code and state)."""
        import requests

        return requests.get(f"{self.issuer}/test/last-callback", timeout=5).text

    def stop(self) -> None:
        """End the provider process (ours alone, by its handle)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.close()
