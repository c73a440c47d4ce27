"""Review dates under both rules and their edges; the monthly task is idempotent and tells the service's reviewers."""

from datetime import UTC, date, datetime

import pytest

from governance.models import DEFAULT_RULE, RetentionBasis, RetentionReview, RetentionRule
from governance.reads.retention import review_date
from governance.tasks import list_retention_reviews_due
from notices.models import Notice
from referrals.models import Referral
from tests.governance.helpers_governance import _private_files, close_years_ago  # noqa: F401
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db


def closed(status="withdrawn", closed_at=datetime(2020, 3, 10, 12, tzinfo=UTC), **fields):
    return Referral(status=status, closed_at=closed_at, **fields)


def test_review_date_from_closure():
    rule = RetentionRule(basis=RetentionBasis.CLOSURE, years=8)
    assert review_date(closed(), rule) == date(2028, 3, 10)


def test_review_date_from_birth_is_the_childs_birthday():
    assert review_date(closed(child_date_of_birth=date(2019, 6, 1)), DEFAULT_RULE) == date(2044, 6, 1)


def test_review_date_from_birth_on_29_february_falls_on_28_february():
    assert review_date(closed(child_date_of_birth=date(2020, 2, 29)), DEFAULT_RULE) == date(2045, 2, 28)


def test_review_date_from_birth_never_before_closure():
    rule = RetentionRule(basis=RetentionBasis.BIRTH, years=1)
    assert review_date(closed(child_date_of_birth=date(2015, 1, 1)), rule) == date(2020, 3, 10)


def test_review_date_unborn_child_uses_expected_delivery_date():
    record = closed(child_date_of_birth=None, expected_delivery_date=date(2020, 8, 1))
    assert review_date(record, DEFAULT_RULE) == date(2045, 8, 1)


def test_review_date_unknown_birth_counts_from_closure():
    assert review_date(closed(child_date_of_birth=None), DEFAULT_RULE) == date(2045, 3, 10)


def test_open_referral_has_no_review_date():
    assert review_date(Referral(status="allocated", closed_at=None), DEFAULT_RULE) is None
    assert review_date(closed(status="accepted"), DEFAULT_RULE) is None


def test_declined_referral_is_closed_too():
    assert review_date(closed(status="declined"), RetentionRule(basis="closure", years=2)) == date(2022, 3, 10)


def test_beat_task_lists_due_records_once_and_notifies_reviewers(service, coordinator, manager, service_admin):
    RetentionRule.objects.create(service=service, basis=RetentionBasis.CLOSURE, years=3)
    due = close_years_ago(make_referral(service, coordinator), coordinator, 3)
    not_yet = close_years_ago(make_referral(service, coordinator), coordinator, 2)
    make_referral(service, coordinator)  # open
    assert list_retention_reviews_due() == 1
    assert list_retention_reviews_due() == 0
    review = RetentionReview.objects.get()
    assert review.referral_id == due.pk and review.status == "due"
    assert not RetentionReview.objects.filter(referral=not_yet).exists()
    recipients = set(Notice.objects.filter(kind="retention_review_due").values_list("recipient__username", flat=True))
    assert recipients == {"manager", "service_admin"}


def test_beat_task_query_count_does_not_grow_with_closed_records(service, coordinator, django_assert_max_num_queries):
    RetentionRule.objects.create(service=service, basis=RetentionBasis.CLOSURE, years=50)
    for _ in range(5):
        close_years_ago(make_referral(service, coordinator), coordinator, 1)
    with django_assert_max_num_queries(4):
        list_retention_reviews_due()
    for _ in range(20):
        close_years_ago(make_referral(service, coordinator), coordinator, 1)
    with django_assert_max_num_queries(4):
        list_retention_reviews_due()
