"""What the API says about a service's referral intake (read only)."""

from rest_framework import serializers

from .outputs import NamedOut


class ServiceOut(serializers.Serializer):
    slug = serializers.SlugField(help_text="Send it as `service` when recording a referral")
    name = serializers.CharField()
    planned_cycles = serializers.IntegerField(help_text="VIG cycles usually offered to a family")
    wait_target_weeks = serializers.IntegerField(help_text="Target wait from referral received to allocation")


class QuestionOut(serializers.Serializer):
    key = serializers.CharField(help_text="Key of the answer in a referral's question_answers")
    text = serializers.CharField()
    required = serializers.BooleanField(help_text="Unanswered, the referral is found ineligible")


class ServiceDetailOut(ServiceOut):
    """A service's referral intake: everything a client needs to record a referral the rules can accept."""

    sites = NamedOut(many=True, source="sites.all", help_text="Send an id as `site`")
    referral_sources = NamedOut(many=True, source="active_sources", help_text="Active sources; send an id")
    questions = QuestionOut(many=True, source="referral_questions.all")
    required_fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="Referral fields the service's eligibility criteria need completed; left blank, the referral "
        "is found ineligible (it can still be accepted, with an override reason)",
    )
