"""The cycles app's sections of the family's record page, registered with `referrals.record`."""

from django.utils import timezone

from accounts.permissions import Perm, has_permission
from cycles.reads import timeline
from cycles.rules import may_record_casework
from referrals.record import record_section


@record_section(order=40)
def cycles_section(request, referral) -> list[dict]:
    """VIG cycles: the timeline (filmed → clips chosen → reviewed, with what is next or overdue) and the service's
    planned number. Two queries whatever the number of cycles or clips; nothing before the family is allocated."""
    if not referral.allocations.all():
        return []
    cycles = list(timeline.cycles_of(referral))
    can_record = may_record_casework(request.user, referral)
    return [
        {
            "template": "cycles/_cycles_section.html",
            "glance": timeline.summary(referral, cycles, timezone.localdate()),
            "can_record": can_record,
        }
    ]


@record_section(order=50)
def visits_section(request, referral) -> list[dict]:
    """Planned and recent visits with their activities, and liaison with the referrer (5 queries)."""
    from django.utils import timezone

    from cycles.reads.visits import family_visits

    if not referral.allocations.all():  # never allocated: no visits yet (allocations are prefetched)
        return []
    can_record = may_record_casework(request.user, referral)
    return [
        {
            "template": "cycles/_visits_section.html",
            "visits": family_visits(referral),
            "can_record": can_record,
            "now": timezone.now(),
        }
    ]


# --- Footage (issue 9: trainees, supervision and footage) ---------------------------------------------------------


from referrals.record import record_section  # noqa: E402


@record_section(order=70)
def footage_section(request, referral) -> list[dict]:
    """Each filming's footage: where it is held, the family's copy, when it must be destroyed and whether it was.
    Two queries (the filmings with their footage, the service's policy)."""
    from .actions.footage import keep_months
    from .models import Filming

    filmings = list(
        Filming.objects.filter(cycle__referral=referral)
        .select_related("cycle", "footage", "footage__destruction_confirmed_by")
        .order_by("cycle__number")
    )
    if not filmings:
        return []
    today = timezone.localdate()
    rows = []
    for filming in filmings:
        footage = getattr(filming, "footage", None)
        overdue = bool(footage and footage.destroy_by and not footage.destroyed_on and footage.destroy_by < today)
        rows.append({"filming": filming, "footage": footage, "overdue": overdue})
    return [
        {
            "template": "cycles/_footage_section.html",
            "rows": rows,
            "keep_months": keep_months(referral.service),
            "can_record": has_permission(request.user, Perm.CASEWORK_RECORD, obj=referral),
            "can_confirm": has_permission(request.user, Perm.FOOTAGE_DESTRUCTION_CONFIRM, obj=referral),
        }
    ]


# --- Consent and helping questions ---------------------------------------------------------------------------------


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
    from cycles.reads.consents import decisions_for, missing_filming_consent, summarise

    from .models import ConsentItem

    if not _ever_allocated(referral):
        return []
    decisions = list(decisions_for(referral))
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
    from cycles.reads.helping_questions import questions_with_ratings, with_progress

    if not _ever_allocated(referral):
        return []
    return [
        {
            "template": "cycles/_helping_questions_section.html",
            **_casework(request, referral),
            "questions": with_progress(questions_with_ratings(referral)),
        }
    ]
