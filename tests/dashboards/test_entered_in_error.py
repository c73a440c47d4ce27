"""A visit entered in error leaves the dashboard's figures and the lists behind them (issue 18, item 4)."""

from django.utils import timezone

from cycles.models import Visit, VisitOutcome
from dashboards.reads import Scope, dashboard, default_period
from referrals.actions.entered_in_error import mark_entered_in_error
from tests.dashboards.helpers_dashboards import known_service


def test_a_visit_entered_in_error_leaves_the_visit_rates(
    service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    now = timezone.now()
    visits = {
        outcome: Visit.objects.create(  # test set-up only: the visit actions need consent first
            referral=made["allocated"],
            practitioner=practitioner,
            planned_at=now,
            outcome=outcome,
            recorded_at=now,
            created_by=practitioner,
        )
        for outcome in (VisitOutcome.ATTENDED, VisitOutcome.DID_NOT_ATTEND)
    }
    start, end = default_period()
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    assert dashboard(scope)["delivery"]["dna_rate"] == 50.0
    mark_entered_in_error(
        record=visits[VisitOutcome.DID_NOT_ATTEND], reason="Recorded for the wrong family", by=coordinator
    )
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    delivery = dashboard(scope)["delivery"]
    assert delivery["visits_recorded"] == 1 and delivery["dna_rate"] == 0.0
