"""One person's subject access export: what the service holds about one parent, never the other parent's data.

The export is per person: their own Parent record, the referral's administrative facts, the consents they gave,
and the family letters addressed to them. Free text about the family (concerns, mental health, risks) may mention
the other parent, and outcome measures do not record which parent completed them, so both stay out unless the
reviewer includes them (`include_family_text`). Any field can be withheld by key (`redact`).
"""

import io
import json
import zipfile
from datetime import date, datetime

from django.template.loader import render_to_string

from cycles.models import ConsentGiver
from governance.models import SubjectAccessRequest
from letters.states import LetterKind
from referrals.models import PARENT_FIELDS

REFERRAL_FIELDS = ["reference", "service", "date_received", "status", "closed_at"]
FAMILY_TEXT_FIELDS = [
    "reason_details",
    "attachment_concerns",
    "mental_health_concerns",
    "hoped_for_change",
    "impact_on_child",
    "risks_to_staff",
    "closed_reason",
    "outcome_measures",
]
REDACTED = "[withheld]"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def gather(sar: SubjectAccessRequest, *, include_all: bool = False) -> dict[str, dict]:
    """{key: {"label", "value"}} of what is held about the person; family text only where the reviewer included it."""
    referral, person = sar.referral, sar.parent
    included = set(FAMILY_TEXT_FIELDS) if include_all else set(sar.include_family_text)
    items: dict[str, dict] = {}
    for field in PARENT_FIELDS:
        label = person._meta.get_field(field).verbose_name.capitalize()
        items[f"parent.{field}"] = {"label": label, "value": _plain(getattr(person, field))}
    facts = {
        "reference": referral.reference,
        "service": referral.service.name,
        "date_received": referral.date_received,
        "status": referral.get_status_display(),
        "closed_at": referral.closed_at,
    }
    for field in REFERRAL_FIELDS:
        items[f"referral.{field}"] = {"label": f"Referral {field.replace('_', ' ')}", "value": _plain(facts[field])}
    for field in FAMILY_TEXT_FIELDS:
        if field in included and field != "outcome_measures":
            label = referral._meta.get_field(field).verbose_name.capitalize()
            items[f"family.{field}"] = {"label": label, "value": getattr(referral, field)}
    for giver in ConsentGiver.objects.filter(parent=person).select_related("consent").prefetch_related("decisions"):
        decisions = {
            d.item: {"agreed": d.agreed, "withdrawn_on": _plain(d.withdrawn_on)} for d in giver.decisions.all()
        }
        items[f"consent.{giver.consent_id}"] = {
            "label": f"Consent given on {giver.consent.given_on:%d %B %Y}",
            "value": {"given_on": _plain(giver.consent.given_on), "items": decisions},
        }
    if "outcome_measures" in included:
        for measure in referral.outcome_measures.filter(superseded_at__isnull=True):
            items[f"measure.{measure.pk}"] = {
                "label": str(measure),
                "value": {"completed_on": _plain(measure.completed_on), "result": measure.result},
            }
    for letter in _letters_to(sar):
        items[f"letter.{letter.pk}"] = {
            "label": f"Letter of {letter.created_at:%d %B %Y}",
            "value": _letter_name(letter),
        }
    return items


def _letters_to(sar):
    names = sar.parent.name.strip().lower()
    letters = sar.referral.letters.filter(kind=LetterKind.FAMILY, superseded_at__isnull=True).exclude(file="")
    return [letter for letter in letters if names in [n.strip().lower() for n in letter.recipient_name.split(",")]]


def _letter_name(letter) -> str:
    return f"letters/letter-{letter.pk}.pdf"


def redactable_keys(sar: SubjectAccessRequest) -> set[str]:
    return set(gather(sar, include_all=True))


def build_export(sar: SubjectAccessRequest) -> bytes:
    """The ZIP: data.json, summary.html and the person's letters as PDFs, with the redacted keys withheld."""
    items = gather(sar)
    redacted = set(sar.redact)
    shown = {key: item for key, item in items.items() if key not in redacted}
    withheld = sorted(key for key in items if key in redacted)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        data = {"request": sar.pk, "items": {k: v["value"] for k, v in shown.items()}, "withheld": withheld}
        archive.writestr("data.json", json.dumps(data, indent=2, default=str))
        summary = render_to_string(
            "governance/sar_export_summary.html", {"sar": sar, "items": shown.values(), "withheld": withheld}
        )
        archive.writestr("summary.html", summary)
        for letter in _letters_to(sar):
            if f"letter.{letter.pk}" in shown:
                with letter.file.open("rb") as pdf:
                    archive.writestr(_letter_name(letter), pdf.read())
    return out.getvalue()
