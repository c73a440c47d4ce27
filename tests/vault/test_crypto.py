"""Seekable envelope encryption: any byte range decrypts from just its chunks; a wrong or destroyed key, a chunk
from another film, or a changed byte is refused, never read as film."""

import os
import random

import pytest
from django.core.exceptions import ImproperlyConfigured

from vault import crypto


def sealed_store(blob: crypto.Blob, data: bytes) -> dict[int, bytes]:
    return {
        s: blob.seal_segment(s, data[s * crypto.SEGMENT : (s + 1) * crypto.SEGMENT])
        for s in range(crypto.segment_count(len(data)))
    }


def reader(store):
    reads = []

    def read(segment, start, length):
        reads.append((segment, start, length))
        return store[segment][start : start + length]

    return read, reads


@pytest.mark.parametrize("size", [1, crypto.CHUNK - 1, crypto.CHUNK, crypto.SEGMENT + 3 * crypto.CHUNK + 17])
def test_any_range_decrypts_to_the_same_bytes(size):
    data = os.urandom(size)
    blob = crypto.Blob("a" * 32, size, crypto.new_data_key())
    store = sealed_store(blob, data)
    assert sum(len(v) for v in store.values()) == crypto.sealed_size(size)
    read, _ = reader(store)
    assert b"".join(blob.read(0, size, read)) == data
    rng = random.Random(size)
    for _ in range(20):
        start = rng.randrange(size)
        length = rng.randrange(1, size - start + 1)
        assert b"".join(blob.read(start, length, read)) == data[start : start + length]


def test_a_range_reads_only_the_chunks_it_needs():
    size = crypto.SEGMENT * 3
    blob = crypto.Blob("b" * 32, size, crypto.new_data_key())
    read, reads = reader(sealed_store(blob, os.urandom(size)))
    offset = crypto.SEGMENT * 2 + crypto.CHUNK * 5 + 10
    assert len(b"".join(blob.read(offset, 100, read))) == 100
    assert reads == [(2, 5 * crypto.SEALED, crypto.SEALED)]


def test_wrong_key_other_blob_or_tampering_is_unreadable():
    data = os.urandom(crypto.CHUNK * 2)
    key = crypto.new_data_key()
    blob = crypto.Blob("c" * 32, len(data), key)
    store = sealed_store(blob, data)
    for other in (crypto.Blob("c" * 32, len(data), crypto.new_data_key()), crypto.Blob("d" * 32, len(data), key)):
        with pytest.raises(crypto.Unreadable):
            b"".join(other.read(0, len(data), reader(store)[0]))
    tampered = bytearray(store[0])
    tampered[100] ^= 1
    with pytest.raises(crypto.Unreadable):
        b"".join(blob.read(0, 10, reader({0: bytes(tampered)})[0]))
    # A film cut short (its last chunk dropped) is refused: the chunk before was not sealed as the last.
    short = crypto.Blob("c" * 32, crypto.CHUNK, key)
    with pytest.raises(crypto.Unreadable):
        b"".join(short.read(0, crypto.CHUNK, reader(store)[0]))


def test_data_keys_are_wrapped_per_family_and_need_the_key_encryption_key(settings):
    key = crypto.new_data_key()
    kek_id, wrapped = crypto.wrap(key, referral_id=7)
    assert key not in wrapped and crypto.unwrap(kek_id, wrapped, referral_id=7) == key
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(kek_id, wrapped, referral_id=8)  # another family's row
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(kek_id, None, referral_id=7)  # destroyed
    settings.VAULT_KEY_ENCRYPTION_KEY = "new:" + "A" * 43 + "="
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(kek_id, wrapped, referral_id=7)  # the old KEK retired
    settings.VAULT_KEY_ENCRYPTION_KEY = ""
    assert not crypto.vault_open()
    settings.VAULT_KEY_ENCRYPTION_KEY = "x:c2hvcnQ="
    with pytest.raises(ImproperlyConfigured):
        crypto.vault_open()
