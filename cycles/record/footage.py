"""The footage section of the family's record (issue 9: trainees, supervision and footage)."""

from django.utils import timezone

from accounts.permissions import Perm, has_permission
from core.prepared import prepared
from cycles.actions.footage import keep_months
from cycles.models import Filming
from referrals.record import record_section


def _footage_rows(filmings: list) -> list[dict]:
    """Each filming with its footage (if any) and whether its destruction is overdue today."""
    today = timezone.localdate()
    rows = []
    for filming in filmings:
        footage = getattr(filming, "footage", None)
        overdue = bool(footage and footage.destroy_by and not footage.destroyed_on and footage.destroy_by < today)
        rows.append({"filming": filming, "footage": footage, "overdue": overdue})
    return rows


@prepared()
def _filmings_with_footage(referral_id):
    """The family's filmings with their footage, in cycle order (the record's reads are compiled once per process)."""
    return (
        Filming.objects.filter(cycle__referral_id=referral_id)
        .select_related("cycle", "footage", "footage__destruction_confirmed_by")
        .order_by("cycle__number")
    )


@record_section(order=70)
def footage_section(request, referral) -> list[dict]:
    """Each filming's footage: where it is held, the family's copy, when it must be destroyed and whether it was.
    Two queries (the filmings with their footage, the service's policy)."""
    filmings = _filmings_with_footage(referral.pk)
    if not filmings:
        return []
    return [
        {
            "template": "cycles/_footage_section.html",
            "rows": _footage_rows(filmings),
            "keep_months": keep_months(referral.service),
            "can_record": has_permission(request.user, Perm.CASEWORK_RECORD, obj=referral),
            "can_confirm": has_permission(request.user, Perm.FOOTAGE_DESTRUCTION_CONFIRM, obj=referral),
        }
    ]
