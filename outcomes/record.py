"""The outcomes app's section of the family's record page: an unmissable warning while a risk answer has not been
acted on, the risk answers acted on (who, when, what), and the latest scores with a link to the outcomes page.
Two queries, whatever the family's history."""

from notices.models import Notice, NoticeKind
from notices.reads import distinct_actions
from referrals.record import record_section

from .models import Measure
from .rules import may_record_outcome


@record_section(order=60)
def outcomes_section(request, referral) -> list[dict]:
    measures = list(Measure.objects.current().filter(referral=referral).order_by("completed_on", "pk"))
    notices = list(
        Notice.objects.filter(referral=referral, kind=NoticeKind.RISK_ANSWER, object_type="outcomes.measure")
        .select_related("recipient", "acknowledged_by")
        .order_by("created_at", "pk")
    )
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
    if not measures and not notices and not referral.service.measure_configs.exists():
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
