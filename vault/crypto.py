"""Seekable envelope encryption for the film vault (ADR 0026).

Two layers of keys:

- the **key-encryption key** (KEK), `settings.VAULT_KEY_ENCRYPTION_KEY`, held outside the database (the
  environment or a secret store): "id:base64", the current key first, older ones after it while keys are rotated;
- one random 256-bit **data key per family**, stored only wrapped (AES-GCM) by the KEK, in `vault.FamilyKey`.

A film or clip is a *blob*: its plaintext cut into 64 KiB chunks, each sealed with AES-256-GCM under the family's
data key with a fresh random 96-bit nonce, and the blob's id, the chunk's index and whether it is the last chunk as
associated data (so chunks cannot be swapped between blobs, reordered or cut off). Every sealed chunk has the same
length (nonce + chunk + tag), so the byte range a player asks for maps to whole chunks without reading the rest:
a Range read decrypts only the chunks it needs. Chunks are stored in segments of 128 (8 MiB of film), one object
per segment, so an upload stores each segment as it arrives and a retried segment overwrites itself.

Destroying a family's data key (the wrapped copy is erased from the database) leaves every copy of the ciphertext,
in the bucket or its backups, unreadable: crypto-shredding.
"""

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

CHUNK = 64 * 1024
NONCE = 12
TAG = 16
SEALED = NONCE + CHUNK + TAG
CHUNKS_PER_SEGMENT = 128
SEGMENT = CHUNK * CHUNKS_PER_SEGMENT  # 8 MiB of plaintext per stored object
FORMAT = b"vig-vault/1"


class VaultClosed(Exception):
    """The vault has no key-encryption key (VAULT_KEY_ENCRYPTION_KEY unset outside demo mode and tests)."""


class Unreadable(Exception):
    """A key or chunk failed authentication: the wrong key, a destroyed key, or tampered ciphertext."""


@cache
def _keks() -> tuple[tuple[str, bytes], ...]:
    raw = getattr(settings, "VAULT_KEY_ENCRYPTION_KEY", "") or ""
    keys = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key_id, _, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            key = b""
        if not key_id or len(key) != 32:
            raise ImproperlyConfigured("VAULT_KEY_ENCRYPTION_KEY must be 'id:base64 of 32 bytes', comma-separated")
        keys.append((key_id, key))
    return tuple(keys)


@receiver(setting_changed)
def _forget_keks(*, setting, **kwargs):
    if setting == "VAULT_KEY_ENCRYPTION_KEY":
        _keks.cache_clear()


def vault_open() -> bool:
    """True when a key-encryption key is configured (the vault refuses uploads and playback otherwise)."""
    return bool(_keks())


def current_kek_id() -> str:
    """The id of the key new family keys are wrapped with."""
    keks = _keks()
    if not keks:
        raise VaultClosed("The film vault is not configured (VAULT_KEY_ENCRYPTION_KEY).")
    return keks[0][0]


def _wrap_aad(referral_id: int) -> bytes:
    return FORMAT + b"/family/" + str(referral_id).encode()


def new_data_key() -> bytes:
    """A fresh random 256-bit data key (for one family)."""
    return AESGCM.generate_key(bit_length=256)


def wrap(data_key: bytes, *, referral_id: int) -> tuple[str, bytes]:
    """The data key sealed by the current KEK, bound to its family: (kek id, nonce + ciphertext + tag)."""
    key_id = current_kek_id()
    nonce = os.urandom(NONCE)
    return key_id, nonce + AESGCM(dict(_keks())[key_id]).encrypt(nonce, data_key, _wrap_aad(referral_id))


def unwrap(kek_id: str, wrapped: bytes | None, *, referral_id: int) -> bytes:
    """The family's data key, or Unreadable (destroyed, another family's, or a KEK this machine no longer has)."""
    keks = dict(_keks())
    if not keks:
        raise VaultClosed("The film vault is not configured (VAULT_KEY_ENCRYPTION_KEY).")
    if not wrapped or kek_id not in keks:
        raise Unreadable("The family's key is not available.")
    wrapped = bytes(wrapped)
    try:
        return AESGCM(keks[kek_id]).decrypt(wrapped[:NONCE], wrapped[NONCE:], _wrap_aad(referral_id))
    except InvalidTag:
        raise Unreadable("The family's key is not available.") from None


# ---------------------------------------------------------------------------------------------------------------
# Blobs: chunked, sealed, seekable
# ---------------------------------------------------------------------------------------------------------------


def chunk_count(size: int) -> int:
    """How many 64 KiB chunks `size` bytes make (an empty blob still has one, sealed)."""
    return max(1, -(-size // CHUNK))


def segment_count(size: int) -> int:
    """How many stored objects a blob of `size` bytes takes."""
    return -(-chunk_count(size) // CHUNKS_PER_SEGMENT)


def sealed_size(size: int) -> int:
    """Bytes stored for `size` bytes of plaintext."""
    return size + chunk_count(size) * (NONCE + TAG)


def _aad(blob_id: str, index: int, last: bool) -> bytes:
    return b"/".join([FORMAT, blob_id.encode(), str(index).encode(), b"last" if last else b"more"])


@dataclass(frozen=True)
class Blob:
    """One sealed film or clip: its id (bound into every chunk), plaintext size and family data key."""

    blob_id: str
    size: int
    key: bytes

    def seal_segment(self, segment: int, plaintext: bytes) -> bytes:
        """Seal one segment's plaintext (a whole segment, or the rest of the blob for the last one)."""
        first = segment * CHUNKS_PER_SEGMENT
        expected = min(SEGMENT, self.size - first * CHUNK)
        if len(plaintext) != expected:
            raise ValueError(f"segment {segment} must hold {expected} bytes, not {len(plaintext)}")
        aead, last_index = AESGCM(self.key), chunk_count(self.size) - 1
        out = bytearray()
        for offset in range(0, max(len(plaintext), 1), CHUNK):
            index = first + offset // CHUNK
            nonce = os.urandom(NONCE)
            out += nonce + aead.encrypt(
                nonce, plaintext[offset : offset + CHUNK], _aad(self.blob_id, index, index == last_index)
            )
        return bytes(out)

    def open_chunks(self, segment: int, first_chunk: int, sealed: bytes) -> Iterator[bytes]:
        """Decrypt consecutive sealed chunks of `segment`, starting at its chunk `first_chunk` (0-127)."""
        aead, last_index = AESGCM(self.key), chunk_count(self.size) - 1
        index = segment * CHUNKS_PER_SEGMENT + first_chunk
        position = 0
        while position < len(sealed):
            plain = min(CHUNK, self.size - index * CHUNK)
            piece = sealed[position : position + NONCE + plain + TAG]
            try:
                yield aead.decrypt(piece[:NONCE], piece[NONCE:], _aad(self.blob_id, index, index == last_index))
            except InvalidTag:
                raise Unreadable("A chunk of the film failed its check.") from None
            position += len(piece)
            index += 1

    def read(self, offset: int, length: int, read_stored, *, batch: int = 16) -> Iterator[bytes]:
        """Plaintext bytes [offset, offset + length), decrypting only the chunks they fall in, `batch` chunks
        (1 MiB) at a time. `read_stored(segment, start, length)` reads stored bytes of one segment's object."""
        end = min(self.size, offset + length)
        index = offset // CHUNK
        while offset < end:
            segment, within = divmod(index, CHUNKS_PER_SEGMENT)
            last_needed = (end - 1) // CHUNK
            upto = min(last_needed, segment * CHUNKS_PER_SEGMENT + CHUNKS_PER_SEGMENT - 1, index + batch - 1)
            start_byte = within * SEALED
            stored_len = sum(min(CHUNK, self.size - i * CHUNK) + NONCE + TAG for i in range(index, upto + 1))
            sealed = read_stored(segment, start_byte, stored_len)
            for plain in self.open_chunks(segment, within, sealed):
                skip = offset - index * CHUNK
                piece = plain[skip : skip + (end - offset)]
                yield piece
                offset += len(piece)
                index += 1
