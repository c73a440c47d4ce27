"""Where the vault's ciphertext is kept: the "films" alias of settings.STORAGES (core/storage.py, ADR 0015).

A private folder under PRIVATE_FILES_ROOT by default; the "films/" prefix of the private bucket when
OBJECT_STORAGE_BUCKET is set. Only sealed segments are ever written here (vault/crypto.py): no plaintext, no URL.
Object names hold ids only: `<family id>/<blob id>/<segment>`.
"""

from collections.abc import Iterator

from django.core.files.base import ContentFile

from core.storage import storage_for

from . import crypto

ALIAS = "films"
films = storage_for(ALIAS)


def segment_name(prefix: str, segment: int) -> str:
    """The object name of one segment: ids only, zero-padded so a listing sorts in order."""
    return f"{prefix}/{segment:06d}"


def put_segment(prefix: str, segment: int, sealed: bytes) -> None:
    """Store one sealed segment under its one name (a retry overwrites it)."""
    films.save(segment_name(prefix, segment), ContentFile(sealed))


def read_stored(prefix: str):
    """A `read_stored(segment, start, length)` for `crypto.Blob.read`: a ranged GET of one segment's object in the
    bucket (never the whole object), or a seek in the folder."""

    def read(segment: int, start: int, length: int) -> bytes:
        name = segment_name(prefix, segment)
        if hasattr(films, "bucket"):
            from storages.utils import clean_name

            key = films._normalize_name(clean_name(name))
            answer = films.bucket.Object(key).get(Range=f"bytes={start}-{start + length - 1}")
            return answer["Body"].read()
        with films.open(name, "rb") as handle:
            handle.seek(start)
            return handle.read(length)

    return read


def delete_blob(prefix: str, size: int) -> None:
    """Delete every segment of a blob (missing ones are fine: a delete is repeated safely)."""
    for segment in range(crypto.segment_count(size)):
        films.delete(segment_name(prefix, segment))


def segment_names(prefix: str, size: int) -> list[str]:
    """Every segment name a blob of `size` bytes has (for deleting it, or a whole record's)."""
    return [segment_name(prefix, s) for s in range(crypto.segment_count(size))]


def stored_objects(prefix: str, size: int) -> Iterator[str]:
    """The segment names that exist now (for tests and the destruction check)."""
    return (name for name in segment_names(prefix, size) if films.exists(name))
