"""Reading retention: a closed referral's review date under its service's rule, and the records due for review."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch
from django.utils import timezone

from governance.models import DEFAULT_RULE, RetentionBasis, RetentionReview, RetentionRule, ReviewStatus
from referrals.models import Referral
from referrals.states import OPEN_STATUSES


def rule_for(service) -> RetentionRule:
    try:
        return service.retention_rule
    except RetentionRule.DoesNotExist:
        return DEFAULT_RULE


def review_date(referral: Referral, rule: RetentionRule) -> date | None:
    """When a closed referral comes up for review; None while it is open.

    From closure: the closure date plus the years. From birth: the child's date of birth (or the expected delivery
    date, or the closure date when neither is known) plus the years, never before the closure itself. A 29 February
    anniversary falls on 28 February.
    """
    if referral.status in OPEN_STATUSES or referral.closed_at is None:
        return None
    closed_on = timezone.localdate(referral.closed_at)
    if rule.basis == RetentionBasis.CLOSURE:
        return closed_on + relativedelta(years=rule.years)
    born = referral.child_date_of_birth or referral.expected_delivery_date or closed_on
    return max(born + relativedelta(years=rule.years), closed_on)


def effective_review_date(referral: Referral, rule: RetentionRule) -> date | None:
    """The rule's date, or the latest date a reviewer extended it to."""
    extended = [r.extended_to for r in referral.retention_reviews.all() if r.status == ReviewStatus.EXTENDED]
    base = review_date(referral, rule)
    if base is None:
        return None
    return max([base, *extended])


def closed_referrals():
    """Closed referrals with what the review date needs, in a fixed number of queries."""
    return (
        Referral.objects.exclude(status__in=OPEN_STATUSES)
        .select_related("service__retention_rule")
        .prefetch_related(Prefetch("retention_reviews", queryset=RetentionReview.objects.order_by("pk")))
        .order_by("pk")
    )


def due_for_review(today: date | None = None):
    """(referral, due date) for closed referrals whose review date has come and that have no open review."""
    today = today or timezone.localdate()
    for referral in closed_referrals().iterator(chunk_size=500):
        if any(r.status != ReviewStatus.EXTENDED for r in referral.retention_reviews.all()):
            continue
        due = effective_review_date(referral, rule_for(referral.service))
        if due is not None and due <= today:
            yield referral, due
