"""The practitioner's diary, its menu item, and the daily notices for visits nobody recorded."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cycles import tasks
from cycles.overdue import raise_overdue_visit_notices
from cycles.reads.visits import diary
from notices.models import Notice, NoticeKind
from referrals import actions as referral_actions
from tests.cycles.helpers_visits import (  # noqa: F401
    attended,
    book,
    days_ago,
    family_fixture,
    other_family_fixture,
    query_count,
    ready_fixture,
)
from tests.referrals.allocation_helpers import allocated_referral


def test_diary_lists_unrecorded_past_visits_first_then_the_coming_weeks(login, family, practitioner):
    late = book(family, practitioner, days=-3)
    soon = book(family, practitioner, days=2)
    book(family, practitioner, days=7 * 6 + 2)  # beyond six weeks
    attended(book(family, practitioner, days=-1), practitioner)  # recorded: not listed
    found = diary(practitioner)
    assert found.overdue == [late]
    assert list(found.coming) == [soon]
    page = login(practitioner).get(reverse("cycles:diary")).content.decode()
    assert page.index("Not yet recorded") < page.index("Coming up")
    assert page.count(reverse("cycles:visit_record", args=[late.pk])) == 1
    assert reverse("cycles:visit_record", args=[soon.pk]) in page


def test_diary_shows_only_your_own_visits_in_families_still_yours(
    login, family, other_family, coordinator, practitioner, other_practitioner
):
    mine = book(family, practitioner, days=1)
    theirs = book(other_family, other_practitioner, days=1)
    moved_family = allocated_referral(family.service, coordinator, practitioner)
    book(moved_family, practitioner, days=2)
    referral_actions.reallocate_referral(
        referral=moved_family, practitioner=other_practitioner, reason="Practitioner on leave", by=coordinator
    )
    assert list(diary(practitioner).coming) == [mine]
    page = login(practitioner).get(reverse("cycles:diary")).content.decode()
    assert other_family.reference not in page and moved_family.reference not in page
    assert theirs.pk not in [v.pk for v in diary(practitioner).coming]


def test_diary_is_for_practitioners_only(login, manager, coordinator, supervisor):
    for user in (manager, coordinator, supervisor):
        assert login(user).get(reverse("cycles:diary")).status_code == 403


def test_diary_menu_item_for_practitioners_only(login, practitioner, coordinator, manager):
    assert b'href="/cycles/diary/"' in login(practitioner).get(reverse("home")).content
    for user in (coordinator, manager):
        assert b'href="/cycles/diary/"' not in login(user).get(reverse("home")).content


def test_diary_query_count_does_not_grow(login, ready, service, coordinator, practitioner):
    def build(n):
        for i in range(n):
            referral = allocated_referral(service, coordinator, practitioner, date_received=days_ago(60))
            book(referral, practitioner, days=-(i + 1) if i % 2 else i + 1, activities=["filming", "shared_review"])

    client = login(practitioner)
    build(5)
    five = query_count(client, reverse("cycles:diary"))
    build(45)
    assert query_count(client, reverse("cycles:diary")) == five


def test_overdue_visit_raises_one_notice_to_its_practitioner(family, practitioner):
    late = book(family, practitioner, days=-2)
    book(family, practitioner, days=-0.5)  # less than a day late: not yet
    attended(book(family, practitioner, days=-3), practitioner)  # recorded: no notice
    assert raise_overdue_visit_notices() == 1
    assert raise_overdue_visit_notices() == 1  # idempotent
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.referral) == (practitioner, NoticeKind.VISIT_OVERDUE, family)
    assert notice.object_id == str(late.pk) and "is not recorded" in notice.summary


def test_overdue_notice_task_runs_eagerly_and_shows_on_home(login, family, practitioner):
    book(family, practitioner, days=-2)
    assert tasks.raise_overdue_visit_notices.delay().get() == 1
    assert Notice.objects.filter(recipient=practitioner, kind=NoticeKind.VISIT_OVERDUE).count() == 1
    assert b"is not recorded" in login(practitioner).get(reverse("home")).content


def test_no_notice_for_a_visit_of_a_family_reallocated(family, coordinator, practitioner, other_practitioner):
    book(family, practitioner, days=-2)
    referral_actions.reallocate_referral(
        referral=family, practitioner=other_practitioner, reason="Practitioner left", by=coordinator
    )
    assert raise_overdue_visit_notices() == 0


def test_overdue_task_is_in_the_beat_schedule(settings):
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cycles.tasks.raise_overdue_visit_notices" in entries


def test_diary_looks_six_weeks_ahead(family, practitioner):
    now = timezone.now()
    assert diary(practitioner, now=now).until == now + timedelta(weeks=6)
