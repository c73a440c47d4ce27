"""Sealed blobs in the store: writing a file or a stream as sealed segments, and reading any byte range back.

Plaintext never reaches the store; a plaintext file exists only in a private temporary folder (`private_temp`)
that is removed when the block ends, even on an error.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator

from django.conf import settings

from . import crypto, storage
from .models import new_blob_id


@contextlib.contextmanager
def private_temp() -> Iterator[str]:
    """A folder only this process's user can read, removed afterwards whatever happens."""
    path = tempfile.mkdtemp(prefix="vig-vault-", dir=settings.VAULT_TEMP_DIR)
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def store_file(path: str, *, referral_id: int, key: bytes, blob_id: str = "") -> tuple[str, int]:
    """Seal a file segment by segment into the store (8 MiB in memory at a time). Returns (blob id, size). A given
    `blob_id` makes a retry overwrite the same objects instead of leaving a second copy."""
    blob_id, size = blob_id or new_blob_id(), os.path.getsize(path)
    blob = crypto.Blob(blob_id, size, key)
    prefix = f"{referral_id}/{blob_id}"
    with open(path, "rb") as source:
        for segment in range(crypto.segment_count(size)):
            storage.put_segment(prefix, segment, blob.seal_segment(segment, source.read(crypto.SEGMENT)))
    return blob_id, size


def reader(*, referral_id: int, blob_id: str, size: int, key: bytes):
    """`read(offset, length)` yielding plaintext: what `vault.ranges.ranged_response` asks for."""
    blob = crypto.Blob(blob_id, size, key)
    read_stored = storage.read_stored(f"{referral_id}/{blob_id}")

    def read(offset: int, length: int) -> Iterator[bytes]:
        return blob.read(offset, length, read_stored)

    return read


def decrypt_to(path: str, *, referral_id: int, blob_id: str, size: int, key: bytes) -> None:
    """Write a blob's plaintext to `path` (inside `private_temp`), a megabyte at a time."""
    read = reader(referral_id=referral_id, blob_id=blob_id, size=size, key=key)
    with open(path, "wb") as out:
        for piece in read(0, size):
            out.write(piece)


def delete(*, referral_id: int, blob_id: str, size: int) -> None:
    """Delete a blob's segments from the store."""
    if blob_id:
        storage.delete_blob(f"{referral_id}/{blob_id}", size)
