"""Data protection: footage past its destruction date, retention reviews and subject access requests overdue,
consents withdrawn, letters failed or waiting."""

from datetime import date

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.prepared import DATE, PreparedByShape, prepared_by_shape
from cycles.models import ConsentDecision, Footage
from dashboards.models import ItemKind, SummaryItem
from dashboards.reads.scope import Scope, first_row
from governance.models import RetentionReview, SarStatus, SubjectAccessRequest
from governance.reads.deadlines import answers_overdue_if_received_by
from letters.models import Letter
from letters.states import IN_PIPELINE, LetterStatus


def reviews_overdue(scope: Scope, today: date):
    """Retention reviews still open (due, or destruction proposed and not approved) past their date (now)."""
    return _open_reviews_due_before(scope.on("referral"), today)


def requests_overdue(scope: Scope, today: date):
    """Subject access requests not yet released whose month to answer has passed (now)."""
    return _requests_received_by(scope.on("referral"), answers_overdue_if_received_by(today))


# The page's figures, compiled once per shape of the scope's rule, the days as values (ADR 0032): one row for the
# scope's service (`first_row`), or a count.
@prepared_by_shape(DATE, DATE, DATE)
def _footage_and_withdrawn(on: Q, today: date, start: date, end: date):
    footage_due = Q(kind=ItemKind.FOOTAGE, day__lt=today)
    withdrawn_in_period = Q(kind=ItemKind.WITHDRAWN, day__range=(start, end))
    return (
        SummaryItem.objects.filter(on, kind__in=[ItemKind.FOOTAGE, ItemKind.WITHDRAWN])
        .filter(footage_due | withdrawn_in_period)
        .order_by()
        .values("service_id")
        .annotate(footage=Sum("n", filter=footage_due), withdrawn=Sum("n", filter=withdrawn_in_period))
    )


@prepared_by_shape()
def _letters_failed_and_waiting(on_family: Q):
    return (
        Letter.objects.current()
        .filter(on_family, status__in=[LetterStatus.FAILED, *IN_PIPELINE])
        .order_by()
        .values("referral__service_id")
        .annotate(
            failed=Count("pk", filter=Q(status=LetterStatus.FAILED)),
            waiting=Count("pk", filter=Q(status__in=IN_PIPELINE)),
        )
    )


def _open_reviews_due_before(on_family: Q, today: date):
    return RetentionReview.objects.open().filter(on_family, due_on__lt=today)


def _requests_received_by(on_family: Q, received_by: date):
    return SubjectAccessRequest.objects.exclude(status=SarStatus.RELEASED).filter(
        on_family, received_on__lte=received_by
    )


_reviews_overdue = PreparedByShape(_open_reviews_due_before, (DATE,))
_requests_overdue = PreparedByShape(_requests_received_by, (DATE,))


def data_protection(scope: Scope, today: date | None = None) -> dict:
    """Footage past its destruction date, retention reviews and subject access requests overdue (now), consents
    withdrawn in the period, letters failed or waiting (now). Four queries, each bounded by what is open; footage and
    consents withdrawn from the families' summaries, in one (ADR 0022)."""
    today = today or timezone.localdate()
    on, on_family = scope.on(), scope.on("referral")
    items = first_row(_footage_and_withdrawn((on,), on, today, scope.start, scope.end), footage=None, withdrawn=None)
    footage, withdrawn = items["footage"] or 0, items["withdrawn"] or 0
    letters = first_row(_letters_failed_and_waiting((on_family,), on_family), failed=0, waiting=0)
    reviews = _reviews_overdue.count((on_family,), on_family, today)
    requests = _requests_overdue.count((on_family,), on_family, answers_overdue_if_received_by(today))
    return {
        "footage_past_destruction": footage,
        "retention_reviews_overdue": reviews,
        "subject_access_overdue": requests,
        "overdue": footage + reviews + requests,
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
        "retention_reviews_overdue": (
            "Families whose retention review is past its date",
            lambda: scope.referrals.filter(pk__in=reviews_overdue(scope, today).values("referral_id")),
        ),
        "subject_access_overdue": (
            "Families with a subject access request not answered within a month",
            lambda: scope.referrals.filter(pk__in=requests_overdue(scope, today).values("referral_id")),
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
