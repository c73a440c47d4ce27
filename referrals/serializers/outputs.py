"""What the referral API returns. Output serializers never write. The list shape leaves out a confidential address;
the detail shape includes it (the view logs that it was shown)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from referrals.rules import referral_user_can
from web.api import PersonOut
from web.markup import choice_label

from .. import nhs_number
from ..models import (
    OTHER_CHILD_FIELDS,
    PARENT_FIELDS,
    Concern,
    OtherChild,
    Parent,
    Referral,
    TriageDecision,
)
from ..states import ReferralStatus, allowed_transitions
from .inputs import YesNoUnknownField


class NamedOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AllocationHistoryOut(serializers.Serializer):
    """One allocation of the family, current or ended (with who ended it and why)."""

    id = serializers.IntegerField()
    practitioner = PersonOut()
    supervisor = PersonOut(allow_null=True, help_text="The trainee's supervisor; null for an accredited practitioner")
    allocated_at = serializers.DateTimeField()
    allocated_by = PersonOut()
    over_capacity_reason = serializers.CharField(help_text="Blank unless allocated past capacity or during a pause")
    ended_at = serializers.DateTimeField(allow_null=True, help_text="Null while this is the current allocation")
    ended_by = PersonOut(allow_null=True)
    end_reason = serializers.CharField(help_text="Why it ended (reallocated, unallocated, withdrawn)")


class CurrentAllocationOut(serializers.Serializer):
    """Who holds the family now."""

    id = serializers.IntegerField()
    practitioner = PersonOut()
    supervisor = PersonOut(allow_null=True, help_text="The trainee's supervisor; null for an accredited practitioner")
    allocated_at = serializers.DateTimeField()
    allocated_by = PersonOut()


class TimelineEventOut(serializers.Serializer):
    """One entry of the family's history: what changed, who changed it and when."""

    at = serializers.DateTimeField()
    actor = PersonOut(help_text="Who did it")
    kind = serializers.CharField(help_text="e.g. created, updated, triage_accept, allocated, site_changed")
    summary = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(allow_null=True, min_length=2, max_length=2),
        help_text="{field: [old value, new value]}",
    )


class ParentOut(serializers.ModelSerializer):
    nhs_number = serializers.CharField(help_text="10 digits, or blank")
    nhs_number_display = serializers.SerializerMethodField()

    class Meta:
        model = Parent
        fields = ["id", "order", *PARENT_FIELDS, "nhs_number_display"]
        read_only_fields = fields

    def get_nhs_number_display(self, parent: Parent) -> str:
        return nhs_number.display(parent.nhs_number)


class OtherChildOut(serializers.ModelSerializer):
    consent_to_filming = YesNoUnknownField()

    class Meta:
        model = OtherChild
        fields = ["id", *OTHER_CHILD_FIELDS]
        read_only_fields = fields


class TriageDecisionOut(serializers.ModelSerializer):
    decided_by = PersonOut()

    class Meta:
        model = TriageDecision
        fields = [
            "id",
            "decision",
            "reason",
            "missing_information",
            "eligible_when_decided",
            "override_reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class EligibilityOutcomeOut(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.BooleanField()
    message = serializers.CharField()


class UserCanOut(serializers.Serializer):
    """What the signed-in user may do to this referral now (permission only; see allowed_transitions for state)."""

    update = serializers.BooleanField()
    triage = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    allocate = serializers.BooleanField()


class ReferralOut(serializers.ModelSerializer):
    """The whole record, including a confidential address (viewing it is logged)."""

    reference = serializers.CharField()
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    site = NamedOut()
    referral_source = NamedOut()
    status_display = serializers.CharField(source="get_status_display")
    child_display_name = serializers.CharField()
    child_nhs_number = serializers.CharField(help_text="10 digits, or blank")
    child_nhs_number_display = serializers.SerializerMethodField()
    concerns = serializers.ListField(child=serializers.ChoiceField(choices=Concern.choices))
    change_agreed_with_parent = YesNoUnknownField()
    question_answers = serializers.DictField(child=serializers.CharField())
    eligibility_reasons = EligibilityOutcomeOut(many=True)
    days_waiting = serializers.SerializerMethodField()
    days_awaiting_information = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    parents = ParentOut(many=True)
    other_children = OtherChildOut(many=True)
    triage_decisions = TriageDecisionOut(many=True)
    allowed_transitions = serializers.SerializerMethodField()
    user_can = serializers.SerializerMethodField()
    current_allocation = CurrentAllocationOut(source="active_allocation", allow_null=True)
    allocations = AllocationHistoryOut(many=True, help_text="Every allocation, oldest first, the ended ones included")
    needs_reallocation = serializers.BooleanField(
        help_text="The current practitioner does not work at the family's site (the family moved): reallocate"
    )
    timeline = TimelineEventOut(many=True, source="events", help_text="The family's history, oldest first")

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "service",
            "site",
            "status",
            "status_display",
            "date_received",
            "referral_source",
            "referrer_name",
            "referrer_role",
            "referrer_organisation",
            "referrer_contact",
            "child_unborn",
            "child_name",
            "child_display_name",
            "child_date_of_birth",
            "expected_delivery_date",
            "child_nhs_number",
            "child_nhs_number_display",
            "child_send",
            "child_send_details",
            "birth_recorded_at",
            "gp_practice",
            "named_health_visitor",
            "named_health_visitor_team",
            "named_health_visitor_address",
            "named_health_visitor_contact",
            "parents",
            "other_children",
            "concerns",
            "reason_details",
            "attachment_concerns",
            "mental_health_concerns",
            "hoped_for_change",
            "change_agreed_with_parent",
            "impact_on_child",
            "parent_consented_to_referral",
            "prfq_completed",
            "question_answers",
            "safeguarding_status",
            "risks_to_staff",
            "confidential_address",
            "bereavement",
            "eligible",
            "eligibility_reasons",
            "eligibility_checked_at",
            "days_waiting",
            "awaiting_information_since",
            "days_awaiting_information",
            "triaged_at",
            "closed_at",
            "closed_reason",
            "flags",
            "triage_decisions",
            "current_allocation",
            "allocations",
            "needs_reallocation",
            "timeline",
            "allowed_transitions",
            "user_can",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_child_nhs_number_display(self, referral: Referral) -> str:
        return nhs_number.display(referral.child_nhs_number)

    def get_days_waiting(self, referral: Referral) -> int:
        return referral.days_waiting()

    def get_days_awaiting_information(self, referral: Referral) -> int:
        return referral.total_days_awaiting_information()

    def get_flags(self, referral: Referral) -> list[str]:
        return referral.flags()

    def get_allowed_transitions(self, referral: Referral) -> list[str]:
        return allowed_transitions(referral.status)

    @extend_schema_field(UserCanOut)
    def get_user_can(self, referral: Referral) -> dict:
        request = self.context.get("request")
        if request is None:
            return {"update": False, "triage": False, "withdraw": False, "allocate": False}
        return referral_user_can(request.user, referral)


class ReferralListOut(serializers.ModelSerializer):
    """A list row: enough to recognise the family, never a confidential postcode."""

    reference = serializers.CharField()
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    site = NamedOut()
    status_display = serializers.CharField(source="get_status_display")
    days_waiting = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    first_parent_name = serializers.SerializerMethodField()
    child_display_name = serializers.CharField()
    postcode = serializers.SerializerMethodField(help_text="The first parent's; null when the address is confidential")

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "service",
            "site",
            "status",
            "status_display",
            "date_received",
            "days_waiting",
            "eligible",
            "flags",
            "first_parent_name",
            "child_display_name",
            "postcode",
        ]
        read_only_fields = fields

    def get_days_waiting(self, referral: Referral) -> int:
        return referral.days_waiting()

    def get_flags(self, referral: Referral) -> list[str]:
        return referral.flags()

    def get_first_parent_name(self, referral: Referral) -> str:
        parent = referral.first_parent
        return parent.name if parent else ""

    def get_postcode(self, referral: Referral) -> str | None:
        if referral.confidential_address:
            return None
        parent = referral.first_parent
        return parent.postcode if parent else ""

    def to_representation(self, referral: Referral) -> dict:
        """The row built as a plain dict: the fields above say what the schema shows, and this writes exactly
        what they would (same keys, order and values; tests/referrals/test_list_serializer.py compares the two).
        Going field by field through DRF cost about a third of a 50-row page's CPU."""
        parents = referral.parent_list
        first = parents[0] if parents else None
        eligible = referral.eligible
        today = self._today
        if today is None:  # one page is drawn on one day: asked once, not for every row
            today = self._today = timezone.localdate()
        return {
            "id": referral.pk,
            "reference": referral.reference,
            "service": referral.service.slug,
            "site": {"id": referral.site.pk, "name": str(referral.site.name)},
            "status": str(referral.status),
            "status_display": str(choice_label(referral, "status")),
            "date_received": referral.date_received.isoformat(),
            "days_waiting": referral.days_waiting(today),
            "eligible": None if eligible is None else bool(eligible),
            "flags": referral.flags(),
            "first_parent_name": first.name if first else "",
            "child_display_name": referral.child_display_name,
            "postcode": None if referral.confidential_address else (first.postcode if first else ""),
        }

    _today = None

    def field_by_field(self, referral: Referral) -> dict:
        """DRF's own rendering of the declared fields, kept for the test that holds `to_representation` to it."""
        return super().to_representation(referral)


class PossibleDuplicateOut(serializers.Serializer):
    """Enough to tell whether it is the same family: a reference alone means nothing to the person recording."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    child_name = serializers.CharField(source="child_display_name")
    child_date_of_birth = serializers.DateField(allow_null=True)
    expected_delivery_date = serializers.DateField(allow_null=True)
    parent_names = serializers.SerializerMethodField()
    date_received = serializers.DateField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)

    def get_parent_names(self, referral) -> list[str]:
        return [p.name for p in referral.parent_list]


HIDDEN_DUPLICATES_HELP = (
    "Possible duplicates in referrals you may not open (another site's, a family you do not hold): counted, not "
    "shown. Ask a coordinator who covers them to check before saving."
)


class ConflictOrDuplicatesOut(serializers.Serializer):
    """409 on a correction or a birth: a refused state change (`detail` only), or possible duplicates in the same
    service (`detail` and `possible_duplicates`); nothing was saved either way."""

    detail = serializers.CharField()
    possible_duplicates = PossibleDuplicateOut(many=True, required=False)
    hidden_duplicates = serializers.IntegerField(required=False, help_text=HIDDEN_DUPLICATES_HELP)


class PossibleDuplicatesOut(serializers.Serializer):
    """409 on create: open referrals of the same service that may be this family. Nothing was saved."""

    detail = serializers.CharField()
    possible_duplicates = PossibleDuplicateOut(many=True)
    hidden_duplicates = serializers.IntegerField(help_text=HIDDEN_DUPLICATES_HELP)
