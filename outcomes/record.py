"""The outcomes app's section of the family's record page: an unmissable warning while a risk answer has not been
acted on, the risk answers acted on (who, when, what), and the latest scores with a link to the outcomes page.
Two queries, whatever the family's history."""

from core.prepared import prepared
from notices.models import Notice, NoticeKind
from notices.reads import distinct_actions
from referrals.record import record_section

from .models import Measure, MeasureConfig
from .rules import may_record_outcome


@prepared()
def _current_measures(referral_id):
    """The family's current measures, oldest first (the record's reads are compiled once per process)."""
    return Measure.objects.current().filter(referral_id=referral_id).order_by("completed_on", "pk")


@prepared()
def _risk_notices(referral_id):
    """The notices raised by the family's risk answers, with who got and who acknowledged them."""
    return (
        Notice.objects.filter(referral_id=referral_id, kind=NoticeKind.RISK_ANSWER, object_type="outcomes.measure")
        .select_related("recipient", "acknowledged_by")
        .order_by("created_at", "pk")
    )


@prepared()
def _any_config(service_id):
    """One of the service's measure settings, if it has any (whether the section shows before anything is done)."""
    return MeasureConfig.objects.filter(service_id=service_id).values_list("pk", flat=True)[:1]


@record_section(order=60)
def outcomes_section(request, referral) -> list[dict]:
    """The risk warnings, the risk answers acted on and the latest scores (three reads, compiled once)."""
    measures = _current_measures(referral.pk)
    notices = _risk_notices(referral.pk)
    by_measure: dict[str, list[Notice]] = {}
    for notice in notices:
        by_measure.setdefault(notice.object_id, []).append(notice)
    open_alerts, acted_on = [], []
    for object_id, alert_notices in by_measure.items():
        acknowledged = distinct_actions(alert_notices)
        entry = {
            "measure_id": int(object_id),
            "summary": alert_notices[0].summary,
            "notices": alert_notices,
            "escalated_at": min((n.escalated_at for n in alert_notices if n.escalated_at), default=None),
            "acknowledged": acknowledged,
            "mine": next((n for n in alert_notices if n.is_open and n.recipient_id == request.user.pk), None),
        }
        (acted_on if acknowledged else open_alerts).append(entry)
    if not measures and not notices and not _any_config(referral.service_id):
        return []
    return [
        {
            "template": "outcomes/_record_section.html",
            "measures": measures,
            "open_alerts": open_alerts,
            "acted_on": acted_on,
            "can_record": may_record_outcome(request.user, referral),
        }
    ]
