"""The consent and helping-questions sections of the family's record."""

from django.utils import timezone

from cycles.models import ConsentItem
from cycles.reads.consents import family_decisions, missing_filming_consent, summarise
from cycles.reads.helping_questions import family_questions, with_progress
from cycles.rules import may_record_casework
from referrals.record import record_section


def _casework(request, referral) -> dict:
    """What every cycles section needs: whether the family has been allocated, and whether the user may record."""
    return {
        "referral_id": referral.pk,
        "reference": referral.reference,
        "can_record": may_record_casework(request.user, referral),
    }


def _ever_allocated(referral) -> bool:
    return bool(list(referral.allocations.all()))  # prefetched by with_record_details()


@record_section(10)
def consent_section(request, referral) -> list[dict]:
    """Consent at a glance: per item, who currently agrees; a warning while filming consent is missing. One query."""
    if not _ever_allocated(referral):
        return []
    decisions = family_decisions(referral.pk)
    today = timezone.localdate()
    summary = summarise(decisions, today)
    return [
        {
            "template": "cycles/_consent_section.html",
            **_casework(request, referral),
            "consent_count": len({d.giver.consent_id for d in decisions}),
            "summary": [(ConsentItem(item).label, names) for item, names in summary.items()],
            "missing": missing_filming_consent(referral, decisions, today),
        }
    ]


@record_section(20)
def helping_questions_section(request, referral) -> list[dict]:
    """Each helping question with its start → latest rating. Two queries, however many ratings."""
    if not _ever_allocated(referral):
        return []
    return [
        {
            "template": "cycles/_helping_questions_section.html",
            **_casework(request, referral),
            "questions": with_progress(family_questions(referral.pk)),
        }
    ]
