"""API shapes of the dashboard: its filter, every figure group the page shows, and a row of the list behind a figure.

They read the dicts `dashboards.reads.dashboard` builds, so the API and the page show the same numbers. Rates and
medians are null where there is nothing to divide or take the middle of.
"""

from rest_framework import serializers

from referrals.serializers.outputs import NamedOut
from referrals.states import ReferralStatus
from web.api import PersonOut

from .reads import QUIET_WEEKS


class DashboardParams(serializers.Serializer):
    """The dashboard's filter, as the page's: a service you may see the dashboard of, a site of it, a period."""

    service = serializers.SlugField(
        required=False, max_length=50, help_text="Service slug; the first of yours by name if left out"
    )
    site = serializers.IntegerField(required=False, min_value=1, help_text="Site id; all your sites if left out")
    start = serializers.DateField(required=False, help_text="First day of the period (default: a year ago)")
    end = serializers.DateField(required=False, help_text="Last day of the period (default: today)")
    weeks = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=52,
        help_text=f"Allocated families with nothing recorded this many weeks count as quiet (default {QUIET_WEEKS})",
    )

    def validate(self, data):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise serializers.ValidationError({"end": ["The end of the period must be on or after its start"]})
        return data


def _rate(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class CountOut(serializers.Serializer):
    """One bar of a chart: a label and how many."""

    label = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, instance):
        label, count = instance
        return {"label": label, "count": count}


class ScopeOut(serializers.Serializer):
    service = serializers.CharField(source="service.slug")
    site = serializers.IntegerField(source="site.pk", allow_null=True, default=None)
    start = serializers.DateField()
    end = serializers.DateField()
    quiet_weeks = serializers.IntegerField()


class ReferralsInOut(serializers.Serializer):
    total = serializers.IntegerField()
    by_month = CountOut(many=True)
    by_source = CountOut(many=True)


class TriageOut(serializers.Serializer):
    decided = serializers.IntegerField()
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    acceptance_rate = _rate(help_text="Percent of decided referrals accepted")
    decline_reasons = CountOut(many=True, help_text="The ten commonest")
    median_days_to_decision = _rate()


class WaitingOut(serializers.Serializer):
    total = serializers.IntegerField(help_text="Accepted and waiting for allocation now")
    bands = CountOut(many=True, help_text="The NHS wait bands")
    longest_days = serializers.IntegerField(allow_null=True)
    median_days_to_allocation = _rate()
    median_days_allocation_to_filming = _rate(
        help_text="Leaves out the families whose dates contradict each other (`contradictory`, `data_quality`)"
    )
    allocated_in_period = serializers.IntegerField()
    contradictory = serializers.IntegerField(
        help_text="Families first allocated in the period whose dates contradict each other (filmed before "
        "allocation, or allocated before the referral was received): left out of the medians"
    )


class PractitionerLoadOut(serializers.Serializer):
    practitioner = PersonOut(source="membership.user")
    open = serializers.IntegerField(help_text="Open families in this service")
    capacity = serializers.IntegerField()
    protected_days = serializers.CharField(source="protected.days", help_text='e.g. "Tue, Thu", or "None"')
    visits = serializers.IntegerField(source="protected.visits", help_text="Visits planned in the period")
    visits_on_protected_days = serializers.IntegerField(source="protected.on_protected")


class ProtectedDaysOut(serializers.Serializer):
    practitioners_with_days = serializers.IntegerField()
    visits = serializers.IntegerField()
    on_protected = serializers.IntegerField()
    percent_on_protected = _rate()


class CaseloadsOut(serializers.Serializer):
    practitioners = PractitionerLoadOut(many=True)
    over_capacity = serializers.IntegerField()
    protected_days = ProtectedDaysOut()
    quiet_weeks = serializers.IntegerField()
    quiet = serializers.IntegerField(help_text="Allocated families with nothing recorded for quiet_weeks weeks")


class DeliveryOut(serializers.Serializer):
    cycles_per_family = CountOut(many=True, help_text="Families first allocated in the period, by cycles started")
    families = serializers.IntegerField()
    visits_recorded = serializers.IntegerField()
    did_not_attend = serializers.IntegerField()
    cancelled_by_family = serializers.IntegerField()
    cancelled_by_service = serializers.IntegerField()
    dna_rate = _rate()
    cancellation_rate = _rate()


class MeasureFiguresOut(serializers.Serializer):
    instrument = serializers.CharField()
    name = serializers.CharField()
    scale = serializers.CharField()
    scale_label = serializers.CharField()
    pairs = serializers.IntegerField(help_text="Families with a baseline and an end score")
    mean_change = _rate(help_text="End minus baseline")
    reliable_change_threshold = _rate()
    percent_reliably_improved = _rate()
    percent_no_reliable_change = _rate()
    percent_reliably_deteriorated = _rate()


class OutcomesOut(serializers.Serializer):
    measures = MeasureFiguresOut(many=True)
    closed_cases = serializers.IntegerField()
    closed_with_baseline_and_end = serializers.IntegerField()
    percent_closed_with_baseline_and_end = _rate()


class ReasonCountOut(serializers.Serializer):
    reason = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, instance):
        reason, label, count = instance
        return {"reason": reason, "label": label, "count": count}


class DischargesOut(serializers.Serializer):
    total = serializers.IntegerField()
    by_reason = ReasonCountOut(many=True)
    planned_cycles = serializers.IntegerField()
    cycles_at_discharge = CountOut(many=True)
    against_plan = ReasonCountOut(many=True, help_text="reason is fewer, as_planned or more")


class RiskAlertsOut(serializers.Serializer):
    raised = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    open = serializers.IntegerField()
    median_hours_to_acknowledge = _rate()
    longest_hours_to_acknowledge = _rate()


class TraineeRowOut(serializers.Serializer):
    trainee = PersonOut(source="progress.membership.user")
    stage = serializers.IntegerField(source="progress.stage")
    cycles_done = serializers.IntegerField(source="progress.cycles_done")
    cycles_required = serializers.IntegerField(source="progress.cycles_required", allow_null=True)
    supervised_hours = serializers.FloatField(source="progress.supervised_hours")
    hours_required = serializers.IntegerField(source="progress.hours_required", allow_null=True)
    period_hours = serializers.FloatField(help_text="Hours of supervision in the period")


class TraineesOut(serializers.Serializer):
    rows = TraineeRowOut(many=True)
    total_period_hours = serializers.FloatField()


class DataProtectionOut(serializers.Serializer):
    footage_past_destruction = serializers.IntegerField()
    retention_reviews_overdue = serializers.IntegerField(help_text="Open retention reviews past their date")
    subject_access_overdue = serializers.IntegerField(
        help_text="Subject access requests not released whose calendar month to answer has passed"
    )
    overdue = serializers.IntegerField(help_text="The three above together")
    consents_withdrawn = serializers.IntegerField()
    letters_failed = serializers.IntegerField()
    letters_waiting = serializers.IntegerField()


class ContradictionOut(serializers.Serializer):
    """A family whose dates contradict each other, by reference (open the family for its details)."""

    id = serializers.IntegerField(source="referral_id")
    reference = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField(), help_text="What contradicts, in words")


class ImprovedOut(serializers.Serializer):
    name = serializers.CharField()
    scale = serializers.CharField()
    percent = _rate()
    pairs = serializers.IntegerField()


class SummaryOut(serializers.Serializer):
    """The few figures at the top of the page, each the figure of its section (`dashboards.reads.summary`)."""

    waiting = serializers.IntegerField()
    longest_wait_days = serializers.IntegerField(allow_null=True)
    open_families = serializers.IntegerField()
    capacity = serializers.IntegerField()
    over_capacity = serializers.IntegerField()
    median_days_to_filming = _rate()
    contradictory = serializers.IntegerField()
    reliably_improved = ImprovedOut(many=True)
    risk_not_acted_on = serializers.IntegerField(help_text="Risk answers raised in the period nobody acted on yet")
    risk_escalated = serializers.IntegerField(help_text="Risk answers escalated and still not acted on")
    footage_past_destruction = serializers.IntegerField()
    retention_reviews_overdue = serializers.IntegerField()
    subject_access_overdue = serializers.IntegerField()
    data_protection_overdue = serializers.IntegerField()


class DashboardOut(serializers.Serializer):
    """Every figure the dashboard page shows, for the scope it was worked out for. The families behind a figure:
    dashboard/families/?figure=<key> with the same filter."""

    scope = ScopeOut()
    summary = SummaryOut()
    referrals_in = ReferralsInOut()
    triage = TriageOut()
    waiting = WaitingOut()
    caseloads = CaseloadsOut()
    delivery = DeliveryOut()
    outcomes = OutcomesOut()
    discharges = DischargesOut()
    risk_alerts = RiskAlertsOut()
    trainees = TraineesOut()
    data_protection = DataProtectionOut()
    data_quality = ContradictionOut(
        many=True,
        help_text="The first 10 families whose dates contradict each other (`waiting.contradictory` counts all)",
    )


class FigureFamilyOut(serializers.Serializer):
    """A family behind a figure, as the page lists them: the reference only (open the family for its details)."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    site = NamedOut()
    date_received = serializers.DateField()
    referral_source = NamedOut()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
