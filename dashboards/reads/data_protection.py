"""Data protection: footage past its destruction date, consents withdrawn, letters failed or waiting."""

from datetime import date

from django.db.models import Count, Q

from cycles.models import ConsentDecision, Footage
from dashboards.reads.scope import Scope
from letters.models import Letter
from letters.states import IN_PIPELINE, LetterStatus


def data_protection(scope: Scope, today: date | None = None) -> dict:
    """Footage past its destruction date (now), consents withdrawn in the period, letters failed or waiting (now).
    Three queries."""
    footage = Footage.objects.past_destruction_date(today).filter(scope.on("filming__cycle__referral")).count()
    withdrawn = ConsentDecision.objects.filter(
        scope.on("giver__consent__referral"), withdrawn_on__range=(scope.start, scope.end)
    ).count()
    letters = (
        Letter.objects.current()
        .filter(scope.on("referral"), status__in=[LetterStatus.FAILED, *IN_PIPELINE])
        .aggregate(
            failed=Count("pk", filter=Q(status=LetterStatus.FAILED)),
            waiting=Count("pk", filter=Q(status__in=IN_PIPELINE)),
        )
    )
    return {
        "footage_past_destruction": footage,
        "consents_withdrawn": withdrawn,
        "letters_failed": letters["failed"],
        "letters_waiting": letters["waiting"],
    }


def data_protection_lists(scope: Scope, today: date) -> dict:
    """The families behind the data-protection figures."""
    return {
        "footage_past_destruction": (
            "Families with footage past its destruction date",
            lambda: scope.referrals.filter(
                pk__in=Footage.objects.past_destruction_date(today).values("filming__cycle__referral_id")
            ),
        ),
        "consents_withdrawn": (
            "Families who withdrew a consent in the period",
            lambda: scope.referrals.filter(
                pk__in=ConsentDecision.objects.filter(withdrawn_on__range=(scope.start, scope.end)).values(
                    "giver__consent__referral_id"
                )
            ),
        ),
        "letters_failed": (
            "Families with a failed letter",
            lambda: scope.referrals.filter(
                pk__in=Letter.objects.current().filter(status=LetterStatus.FAILED).values("referral_id")
            ),
        ),
        "letters_waiting": (
            "Families with a letter waiting to be made",
            lambda: scope.referrals.filter(
                pk__in=Letter.objects.current().filter(status__in=IN_PIPELINE).values("referral_id")
            ),
        ),
    }
