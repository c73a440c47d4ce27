"""Where letter PDFs are kept: Django's storage API, alias "letters" in settings.STORAGES.

A private folder under PRIVATE_FILES_ROOT by default; the "letters/" prefix of the private bucket when
OBJECT_STORAGE_BUCKET is set (core/storage.py), so several web and worker machines share the files.
"""

from core.storage import storage_for

ALIAS = "letters"
letter_storage_instance = storage_for(ALIAS)


def letter_storage():
    """The FileField's storage (a callable, so migrations do not freeze the backend)."""
    return letter_storage_instance


def file_name(letter) -> str:
    """One name per letter and content: a retry overwrites the same file instead of adding a second. Ids and a
    hash only: no name, date of birth or NHS number in a file name or an object key."""
    return f"{letter.referral_id}/letter-{letter.pk}-v{letter.version}-{letter.content_hash[:16]}.pdf"
