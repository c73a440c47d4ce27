"""Signed consent forms: what an upload may be, where it is kept, and the name it is kept under.

An upload is trusted by its content, never by its name or the type the browser claims: the first bytes must be
those of a PDF, a JPEG or a PNG, an image must also open as one (Pillow), and it must be no larger than
`CONSENT_FORM_MAX_BYTES`. It is stored through Django's storage API (alias "consent_forms": a folder under
`PRIVATE_FILES_ROOT`, or the private bucket, core/storage.py) under a random name (no family names), and it has no
URL: the only way out is the access-checked, logged download view.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction
from core.storage import storage_for


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


PDF = FileKind("application/pdf", "pdf", "PDF")
JPEG = FileKind("image/jpeg", "jpg", "JPEG")
PNG = FileKind("image/png", "png", "PNG")
MAGIC = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]
KINDS_BY_TYPE = {kind.content_type: kind for _, kind in MAGIC}

NOT_ALLOWED = "The signed form must be a PDF, JPEG or PNG file. This file is not one of those, whatever its name says."
NOT_AN_IMAGE = "The signed form says it is a {label} image but it does not open as one. Scan or photograph it again."
EMPTY = "The signed form is empty. Choose the scanned or photographed form."


STORAGE_ALIAS = "consent_forms"
_private_storage = storage_for(STORAGE_ALIAS)


def private_storage():
    """The FileField's `storage=` callable (a callable, so the migration names it rather than a path)."""
    return _private_storage


def consent_form_name(instance, filename: str) -> str:
    """A random name with the extension of what the file really is; the uploaded name is never kept."""
    kind = KINDS_BY_TYPE.get(getattr(instance, "signed_form_content_type", ""), PDF)
    return f"consent-forms/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{kind.extension}"


def _head(upload, length: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def _opens_as_image(upload) -> bool:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - WeasyPrint brings Pillow
        return True
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - any failure to parse means "not an image"
        return False
    finally:
        upload.seek(0)


def check_signed_form(upload, *, field: str = "signed_form") -> FileKind:
    """The kind of file `upload` really is, or a ValidationError beside `field` that says what is wrong."""
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError({field: EMPTY})
    limit = settings.CONSENT_FORM_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {field: f"The signed form must be {limit // (1024 * 1024) or 1} MB or smaller; this file is {_mb(size)}."}
        )
    head = _head(upload)
    kind = next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
    if kind is None:
        raise ValidationError({field: NOT_ALLOWED})
    if kind is not PDF and not _opens_as_image(upload):
        raise ValidationError({field: NOT_AN_IMAGE.format(label=kind.label)})
    return kind


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def download_signed_form(consent, *, request) -> HttpResponse:
    """The signed form as an attachment browsers may not sniff or cache; the download goes into the access log.

    Callers (the page and the API) have already checked that the user may see the family. The form (at most
    CONSENT_FORM_MAX_BYTES) is read whole and the file closed at once: a streamed response would hold the file open
    until the client finished and end the request when it closed.
    """
    kind = KINDS_BY_TYPE.get(consent.signed_form_content_type)
    if not consent.signed_form or kind is None:
        raise Http404("No signed form was uploaded for this consent.")
    log_access(action=AccessAction.DOWNLOAD, request=request, obj=consent, detail={"file": "signed_form"})
    with consent.signed_form.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=kind.content_type)
    filename = f"consent-{consent.referral.reference}-{consent.pk}.{kind.extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
