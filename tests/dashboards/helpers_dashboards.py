"""A small hand-made service whose dashboard figures are known, built through the referral actions."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from dashboards import summaries
from governance.models import RetentionReview, ReviewStatus, SarStatus, SubjectAccessRequest
from notices.models import Notice, NoticeKind
from referrals import actions
from referrals.models import Allocation, Referral
from tests.cycles.helpers_cycles import consent, helping_question, run_cycle
from tests.cycles.helpers_cycles import family as cycles_family
from tests.referrals.allocation_helpers import accepted_referral, allocated_referral, set_details
from tests.referrals.helpers import make_referral, parent


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def known_service(service, coordinator, practitioner, peterborough, cambridgeshire) -> dict:
    """Peterborough: 2 waiting (exactly 7 days, exactly 52 weeks), 1 allocated (received 20 days ago), 1 declined,
    1 in triage. Cambridgeshire: 1 waiting (3 days). Every decision is made today, so days-to-decision is the
    days received."""
    set_details(practitioner, service, coordinator, capacity=4)
    made = {
        "wait_7": accepted_referral(service, coordinator, site=peterborough, date_received=days_ago(7)),
        "wait_364": accepted_referral(service, coordinator, site=peterborough, date_received=days_ago(20)),
        "allocated": allocated_referral(
            service, coordinator, practitioner, site=peterborough, date_received=days_ago(20), allocated_on=days_ago(0)
        ),
        "declined": make_referral(service, coordinator, site=peterborough, date_received=days_ago(10)),
        "in_triage": make_referral(service, coordinator, site=peterborough, date_received=days_ago(2)),
        "cambs_wait": accepted_referral(
            service, coordinator, site=cambridgeshire, date_received=days_ago(3), parents=[parent(postcode="CB1 1AA")]
        ),
    }
    # Backdated after acceptance (the child's date of birth must come before receipt): exactly 52 weeks.
    Referral.objects.filter(pk=made["wait_364"].pk).update(date_received=days_ago(364))
    made["wait_364"].refresh_from_db()
    actions.triage_referral(
        referral=made["declined"], decision="decline", reason="Outside the age range", by=coordinator
    )
    return made


def dashboard_url(service, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"service": service.pk, **params}.items())
    return f"{reverse('dashboards:dashboard')}?{query}"


def _local_noon(days: int):
    """Noon (or now, if earlier) on the local day `days` ago, not "now" that many days ago: late in the evening UTC,
    a day in British Summer Time is already the next day locally, and the dates compared with it move by one."""
    return min(timezone.make_aware(datetime.combine(days_ago(days), time(12))), timezone.now())


def filmed_family(service, coordinator, practitioner, *, allocated_days_ago: int, filmed_days_ago: int):
    """A family first allocated `allocated_days_ago`, first filmed `filmed_days_ago` (through the cycle actions)."""
    referral = cycles_family(service, coordinator, practitioner)
    earliest = max(allocated_days_ago, filmed_days_ago) + 1
    allocations = Allocation.objects.filter(referral=referral)
    allocations.update(allocated_at=_local_noon(earliest))
    consent(referral, practitioner, given_on=days_ago(earliest))
    run_cycle(referral, practitioner, helping_question(referral, practitioner), filmed_on=days_ago(filmed_days_ago))
    # Then dated as the test needs, even where the actions would refuse it (filmed before allocation): records
    # brought in from an older system can contradict each other, and the dashboard must list them, not count them.
    allocations.update(allocated_at=_local_noon(allocated_days_ago))
    return referral


def overdue_governance(service, manager, referral):
    parent = referral.parents.first()
    RetentionReview.objects.create(referral=referral, service=service, due_on=days_ago(3))
    RetentionReview.objects.create(  # kept longer: done, not overdue
        referral=referral,
        service=service,
        due_on=days_ago(40),
        status=ReviewStatus.EXTENDED,
        extended_to=days_ago(-300),
        reason="Safeguarding enquiry open",
        reviewed_by=manager,
        reviewed_at=timezone.now(),
    )
    late = {"referral": referral, "parent": parent, "created_by": manager}
    SubjectAccessRequest.objects.create(received_on=days_ago(40), **late)  # a month has passed: overdue
    SubjectAccessRequest.objects.create(received_on=days_ago(3), **late)  # still within its month
    SubjectAccessRequest.objects.create(  # answered: not overdue however old
        received_on=days_ago(90),
        status=SarStatus.RELEASED,
        reviewed_by=manager,
        reviewed_at=timezone.now(),
        released_by=manager,
        released_at=timezone.now(),
        **late,
    )


def busy_service_data(service, coordinator, manager, practitioner, peterborough, cambridgeshire) -> dict:
    """The known service, plus: two families filmed 10 and 20 days after allocation, one filmed before it was
    allocated (contradictory), two risk answers (one acted on), one escalated, and governance work overdue."""
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    set_details(practitioner, service, coordinator, capacity=10)
    made["filmed_10"] = filmed_family(service, coordinator, practitioner, allocated_days_ago=40, filmed_days_ago=30)
    made["filmed_20"] = filmed_family(service, coordinator, practitioner, allocated_days_ago=50, filmed_days_ago=30)
    made["contradictory"] = filmed_family(service, coordinator, practitioner, allocated_days_ago=0, filmed_days_ago=30)
    risk_notice(practitioner, made["filmed_10"], 1, hours_ago=5, acted_hours_ago=2)
    risk_notice(practitioner, made["filmed_10"], 2, hours_ago=30)
    Notice.objects.create(
        recipient=manager,
        kind=NoticeKind.RISK_ESCALATED,
        referral=made["filmed_10"],
        object_type="outcomes.measure",
        object_id="2",
        summary="Risk answer on EPDS: nobody recorded the action within 4 working hours",
        urgent=True,
    )
    overdue_governance(service, manager, made["filmed_20"])
    return made


def risk_notice(recipient, referral, measure_id: int, *, hours_ago: float, acted_hours_ago: float | None = None):
    """A risk-answer notice raised `hours_ago`, acted on `acted_hours_ago` (set-up only: the timestamps matter)."""
    now = timezone.now()
    acted = acted_hours_ago is not None
    return Notice.objects.create(
        recipient=recipient,
        kind=NoticeKind.RISK_ANSWER,
        referral=referral,
        object_type="outcomes.measure",
        object_id=str(measure_id),
        summary="Risk answer on EPDS",
        urgent=True,
        created_at=now - timedelta(hours=hours_ago),
        acknowledged_at=now - timedelta(hours=acted_hours_ago) if acted else None,
        acknowledged_by=recipient if acted else None,
        action_taken="Rang the family and the GP" if acted else "",
    )


def summarised(service) -> None:
    """Rows written straight to the tables in set-up (not through the actions, as an import would) reach the
    dashboard's summaries once they are rebuilt from raw rows, as after an import (ADR 0022)."""
    summaries.rebuild(service.pk)


def caught_up() -> None:
    """Every change the actions made is in the summaries, as the task sent after each commit leaves them (tests
    run inside a transaction, so it never runs there): a page's query count is then its own, not the catching up."""
    summaries.sweep()


# The data-protection figures of a service with nothing overdue, withdrawn or waiting (the page's and the API's).
NOTHING_TO_PROTECT = {
    "footage_past_destruction": 0,
    "retention_reviews_overdue": 0,
    "subject_access_overdue": 0,
    "overdue": 0,
    "consents_withdrawn": 0,
    "letters_failed": 0,
    "letters_waiting": 0,
}
