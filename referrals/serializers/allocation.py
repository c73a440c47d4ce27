"""API input and output shapes for allocation and caseloads (separate In and Out; the actions do the writing).

Input serializers only check types: whether the practitioner belongs to the referral's service, can take the
family and has room is decided by `referrals.actions`, which the pages use too. Output serializers read the
objects `referrals.reads.caseloads` builds (memberships annotated with `open_cases`, `Candidate`, `CaseloadRow`).
"""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, TrainingStatus
from core.text import SafeNoteSerializerField
from referrals.reads.caseloads import CaseloadRow

from ..states import ReferralStatus
from .inputs import required_message
from .outputs import NamedOut, PersonOut

# ---------------------------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------------------------


class AllocateIn(serializers.Serializer):
    practitioner = serializers.IntegerField(help_text="User id of a practitioner of the referral's service.")
    over_capacity_reason = SafeNoteSerializerField(
        default="",
        allow_blank=True,
        help_text="Needed only if the practitioner is at capacity or their availability is paused.",
    )


class ReallocateIn(AllocateIn):
    reason = SafeNoteSerializerField(
        help_text="Why the family moves to another practitioner, e.g. the practitioner has left.",
        error_messages=required_message("Enter why the referral is being reallocated"),
    )


class UnallocateIn(serializers.Serializer):
    reason = SafeNoteSerializerField(
        help_text="Why the referral goes back to the waiting list.",
        error_messages=required_message("Enter why the referral is being unallocated"),
    )


# The query parameter is called `as`, a Python keyword, so the class is built with type().
CaseloadMineParams = type(
    "CaseloadMineParams",
    (serializers.Serializer,),
    {
        "__doc__": "Query parameters of your caseload.",
        "__module__": __name__,
        "as": serializers.ChoiceField(
            choices=[("practitioner", "practitioner"), ("supervisor", "supervisor")],
            default="practitioner",
            help_text="practitioner: families allocated to you; supervisor: families allocated to your trainees.",
        ),
    },
)


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------


class AllocationOut(serializers.Serializer):
    """Who holds the referral now."""

    id = serializers.IntegerField()
    referral = serializers.IntegerField(source="referral_id", help_text="Referral id")
    practitioner = PersonOut()
    supervisor = PersonOut(allow_null=True, help_text="The trainee's supervisor; null for an accredited practitioner")
    allocated_by = PersonOut()
    allocated_at = serializers.DateTimeField()
    over_capacity_reason = serializers.CharField(help_text="Blank unless allocated past capacity or during a pause")


class ReferralStatusOut(serializers.Serializer):
    """The referral's status after the change."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    status_display = serializers.CharField(source="get_status_display")


class CandidateOut(serializers.Serializer):
    """One practitioner of the referral's service, as the allocation page ranks them."""

    id = serializers.IntegerField(source="user.pk", help_text="User id: send it as `practitioner` to allocate")
    name = serializers.CharField(source="user.display_name")
    open_cases = serializers.IntegerField(help_text="Open families in this service")
    capacity = serializers.IntegerField(help_text="Open families at one time (the default until set)")
    has_spare_capacity = serializers.BooleanField()
    same_site = serializers.BooleanField(help_text="Works at the referral's site (or at every site)")
    is_trainee = serializers.BooleanField()
    supervisor = PersonOut(allow_null=True, help_text="A trainee's supervisor")
    paused = serializers.BooleanField(help_text="Availability paused today")
    next_protected_day = serializers.DateField(allow_null=True, help_text="Within the next 8 weeks")
    can_be_allocated = serializers.BooleanField(help_text="False for a trainee with no named supervisor")


class PractitionerOut(serializers.Serializer):
    """A practitioner membership with its capacity figures (the defaults until a coordinator sets them)."""

    id = serializers.IntegerField(source="user_id", help_text="User id (see caseloads/{user_id}/?service=)")
    name = serializers.CharField(source="user.display_name")
    service = serializers.CharField(source="service.slug", help_text="Service slug")
    sites = NamedOut(many=True, source="site_list", help_text="Empty: every site of the service")
    training_status = serializers.ChoiceField(choices=TrainingStatus.choices)
    training_stage = serializers.IntegerField(source="details_or_default.training_stage", allow_null=True)
    capacity = serializers.IntegerField(source="details_or_default.capacity", help_text="Open families at one time")
    open_cases = serializers.IntegerField(help_text="Open families in this service")
    protected_days = serializers.SerializerMethodField()
    supervisor = PersonOut(source="details_or_default.supervisor", allow_null=True)
    paused = serializers.SerializerMethodField()
    paused_from = serializers.DateField(source="details_or_default.paused_from", allow_null=True)
    paused_until = serializers.DateField(
        source="details_or_default.paused_until", allow_null=True, help_text="Null when the pause has no end date"
    )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), help_text="Weekdays, 0 = Monday"))
    def get_protected_days(self, membership: Membership) -> list[int]:
        return sorted(membership.details_or_default.protected_days)

    @extend_schema_field(serializers.BooleanField(help_text="Availability paused today"))
    def get_paused(self, membership: Membership) -> bool:
        return membership.details_or_default.is_paused_on(timezone.localdate())


class CaseloadRowOut(serializers.Serializer):
    """One open family on a caseload: enough to recognise them, never an address.

    status is the family's stage in words ("Cycle 2: review due"); last_contact, next_visit, liaison_done and
    overdue (with the reasons) come from visits and liaison.
    """

    referral_id = serializers.IntegerField(source="referral.pk")
    reference = serializers.CharField(source="referral.reference")
    allocation_id = serializers.IntegerField(source="allocation.pk")
    practitioner = PersonOut(source="allocation.practitioner")
    allocated_at = serializers.DateTimeField(source="allocation.allocated_at")
    status = serializers.CharField(help_text="Where the family is in their VIG work")
    days_since_allocation = serializers.IntegerField()
    flags = serializers.ListField(child=serializers.CharField())
    referrer = serializers.CharField()
    first_parent_name = serializers.SerializerMethodField()
    child_display_name = serializers.CharField(source="referral.child_display_name")
    last_contact = serializers.DateField(allow_null=True, help_text="Latest attended visit or liaison")
    next_visit = serializers.DateField(allow_null=True, help_text="Next planned visit")
    overdue = serializers.BooleanField(allow_null=True)
    overdue_reasons = serializers.ListField(child=serializers.CharField(), help_text="Why the row is overdue")
    liaison_done = serializers.BooleanField(allow_null=True, help_text="Liaison with the referrer recorded")

    def get_first_parent_name(self, row: CaseloadRow) -> str:
        parent = row.referral.first_parent
        return parent.name if parent else ""
