"""Shared set-up for consent and helping-question tests: an allocated family (two parents, a 13-year-old and a
9-year-old who may be filmed), consent through the action, and upload contents real and fake.

Each test module declares its own `family` fixture and an autouse fixture calling `use_private_folder`.
"""

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cycles import actions
from cycles.models import ConsentItem
from referrals.models import Referral
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import months_ago, parent

ALL_ITEMS = list(ConsentItem.values)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


def today() -> date:
    return timezone.localdate()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def years_ago(years: int, days: int = 0) -> date:
    from dateutil.relativedelta import relativedelta

    return today() - relativedelta(years=years) - timedelta(days=days)


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="JPEG")
    return out.getvalue()


def upload(content: bytes = PDF_BYTES, name: str = "Jane Example consent.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def use_private_folder(settings, tmp_path):
    """Uploads go to a temporary private folder, never the working tree (call from an autouse fixture)."""
    settings.PRIVATE_FILES_ROOT = tmp_path / "private-files"
    return settings.PRIVATE_FILES_ROOT


def make_family(service, coordinator, practitioner) -> Referral:
    """Allocated to `practitioner`, received 60 days ago: two parents, a 13-year-old and a 9-year-old."""
    set_details(practitioner, service, coordinator)
    return allocated_referral(
        service,
        coordinator,
        practitioner,
        date_received=days_ago(60),
        child_date_of_birth=months_ago(4),
        parents=[parent(), parent(name="John Example", relationship="Father", date_of_birth=date(1990, 1, 2))],
        other_children=[
            {"name": "Sam Example", "date_of_birth": years_ago(13), "consent_to_filming": "unknown"},
            {"name": "Ivy Example", "date_of_birth": years_ago(9), "consent_to_filming": "unknown"},
        ],
    )


def people(referral):
    """(mother, father, the 13-year-old, the 9-year-old)."""
    mother, father = list(referral.parents.order_by("order", "pk"))
    older, younger = list(referral.other_children.order_by("pk"))
    return mother, father, older, younger


def items(*agreed: str) -> dict[str, bool]:
    return {item: item in agreed for item in ALL_ITEMS}


def give_consent(referral, by, *, who=None, agreed=ALL_ITEMS, given_on=None, **kwargs):
    """Everyone in `who` (default: both parents) agrees to `agreed` (default: everything)."""
    if who is None:
        who = people(referral)[:2]
    givers = [
        {"parent" if p.__class__.__name__ == "Parent" else "other_child": p, "items": items(*agreed)} for p in who
    ]
    defaults = {"written_agreement_given": True, "sharing_with": "Grandmother (Mary)", "notes": ""}
    return actions.record_consent(
        referral=referral, given_on=given_on or days_ago(30), givers=givers, by=by, **{**defaults, **kwargs}
    )
