"""Pictures of the letters families and professionals receive, for the README (`make_letter_pictures`).

Made from the demo's families through the real actions (discharge, decline, approval) inside one transaction that
is rolled back, so the database is left as it was. Each letter's PDF is made in memory exactly as the workers make
it, and its first page is saved as a small PNG under `docs/letters/`.
"""

import io
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

KINDS = ("family", "referrer", "handover", "decline")
# The demo family whose VIG work is done (Baby Grant has no NHS number yet: the letters say "not known") and a
# newly received one that the coordinator declines.
DISCHARGED_PARENT = "Olivia Grant"
DECLINED_PARENT = "Laura Quinn"
DISCHARGE = {
    "reason": "completed",
    "summary": "Three VIG cycles at home: filming during play and feeding, then shared reviews of short clips.",
    "did_well": "You waited for Baby Grant to look at you before you spoke. You named what she reached for. "
    "When she turned away, you gave her a moment, and she came back to you.",
    "ideas": "Keep talking about what she is looking at. Bath time is a good time to wait for her lead.",
    "plan": "Universal health visiting. The family keeps their clips.",
    "missing_measures_reason": "The family chose not to complete the end questionnaires.",
    "letter_to_referrer_agreed": True,
    "letter_to_health_visitor_agreed": True,
    "family_copy_given": True,
}


class _RolledBack(Exception):
    """Raised at the end so the demo's database keeps nothing the pictures needed."""


def demo_letters() -> dict:
    """The four kinds of letter from demo data, approved, as {kind: PDF bytes}. Changes nothing that lasts."""
    from accounts.models import User
    from discharge import actions as discharge_actions
    from letters import actions as letter_actions
    from letters.models import Letter
    from letters.rendering import html_to_pdf, letter_html
    from referrals import actions as referral_actions
    from referrals.models import Referral

    pdfs = {}
    try:
        with transaction.atomic():
            coordinator, practitioner = (
                User.objects.get(username="coordinator"),
                User.objects.get(username="practitioner"),
            )
            done = Referral.objects.get(parents__name=DISCHARGED_PARENT)
            today = timezone.localdate()
            actions = [
                {
                    "who": "Health visitor",
                    "what": "Offer a review visit at 12 months",
                    "by_when": today + timedelta(days=60),
                }
            ]
            discharge_actions.discharge_family(
                referral=done, discharged_on=today, requested_actions=actions, by=practitioner, **DISCHARGE
            )
            declined = Referral.objects.get(parents__name=DECLINED_PARENT)
            referral_actions.triage_referral(
                referral=declined,
                decision="decline",
                reason="The family already has support from the infant mental health team, which offers similar work.",
                by=coordinator,
            )
            letters = {letter.kind: letter for letter in Letter.objects.current().filter(referral=done)}
            letters["decline"] = letter_actions.draft_letter(referral=declined, kind="decline", by=coordinator)
            for kind in KINDS:
                approver = coordinator if kind == "decline" else practitioner
                approved = letter_actions.approve_letter(letter=letters[kind], by=approver)
                pdfs[kind] = html_to_pdf(letter_html(approved))
            raise _RolledBack
    except _RolledBack:
        pass
    return pdfs


def first_page_png(pdf: bytes, *, width: int = 900, colours: int = 48) -> bytes:
    """The PDF's first page as a small PNG (a few dozen colours keep it well under 150 KB)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    image = page.render(scale=width / page.get_width()).to_pil().convert("RGB")
    buffer = io.BytesIO()
    image.quantize(colors=colours).save(buffer, format="PNG", optimize=True)
    document.close()
    return buffer.getvalue()


def write_pictures(folder: Path) -> list[Path]:
    """Write docs/letters/<kind>.png for each kind of letter; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, pdf in demo_letters().items():
        path = folder / f"{kind}.png"
        path.write_bytes(first_page_png(pdf))
        written.append(path)
    return written
