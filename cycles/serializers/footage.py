"""API shapes for a filming's footage record and the confirmation of its destruction."""

from rest_framework import serializers

from core.text import serializer_field_for
from web.api import PersonOut

from ..models import FamilyCopy, Footage


def _text(name: str, **kwargs):
    return serializer_field_for(Footage._meta.get_field(name), **kwargs)


class FootageIn(serializers.Serializer):
    location = _text("location", help_text="Where the footage is held: the service's encrypted device or share.")
    reference = _text("reference", default="", allow_blank=True)
    family_copy = serializers.ChoiceField(choices=FamilyCopy.choices, default=FamilyCopy.NOT_YET)
    family_copy_how = _text("family_copy_how", default="", allow_blank=True)
    family_copy_on = serializers.DateField(default=None, allow_null=True)


class DestructionIn(serializers.Serializer):
    destroyed_on = serializers.DateField()


class FootageOut(serializers.Serializer):
    id = serializers.IntegerField()
    filming = serializers.IntegerField(source="filming_id")
    cycle = serializers.IntegerField(source="filming.cycle_id")
    referral = serializers.IntegerField(source="filming.cycle.referral_id")
    location = serializers.CharField()
    reference = serializers.CharField()
    family_copy = serializers.ChoiceField(choices=FamilyCopy.choices)
    family_copy_how = serializers.CharField()
    family_copy_on = serializers.DateField(allow_null=True)
    destroy_by = serializers.DateField(allow_null=True, help_text="Null until set at discharge from the policy.")
    destroyed_on = serializers.DateField(allow_null=True)
    destruction_confirmed_by = PersonOut(allow_null=True, help_text="Null until destruction is confirmed")
    destroyed_by_vault = serializers.BooleanField(
        help_text="true: the film vault destroyed it by itself on its destruction date (no person is named)"
    )


class DestructionListParams(serializers.Serializer):
    overdue = serializers.BooleanField(default=False, help_text="true: only footage past its destruction date")


class FootageDueOut(FootageOut):
    """Footage waiting for its destruction to be confirmed: the record, the family's reference, and whether late."""

    family_reference = serializers.CharField(source="filming.cycle.referral.reference")
    overdue = serializers.BooleanField(help_text="Past its destruction date")
