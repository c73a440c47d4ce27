"""Where letter PDFs are kept: Django's storage API, alias "letters" in settings.STORAGES.

A local folder outside the web root by default (PRIVATE_FILES_ROOT); S3-compatible object storage when the alias
is pointed at django-storages (README "Letters"), so several web and worker machines share the files.
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

ALIAS = "letters"


class LetterStorage(LazyObject):
    """The "letters" storage, looked up when first used (so tests can point it elsewhere)."""

    def _setup(self):
        self._wrapped = storages[ALIAS]


letter_storage_instance = LetterStorage()


def letter_storage():
    """The FileField's storage (a callable, so migrations do not freeze the backend)."""
    return letter_storage_instance


@receiver(setting_changed)
def _forget_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        letter_storage_instance._wrapped = empty


def file_name(letter) -> str:
    """One name per letter and content: a retry overwrites the same file instead of adding a second."""
    return f"{letter.referral_id}/letter-{letter.pk}-v{letter.version}-{letter.content_hash[:16]}.pdf"
