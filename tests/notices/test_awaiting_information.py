"""Information a coordinator asked for and never received brings them a reminder after the service's days (hazard
R-07). The wait is moved by passing `today` to the sweep."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from notices.actions import acknowledge_notice
from notices.awaiting_information import remind_awaiting_information
from notices.escalation import SYSTEM_USERNAME
from notices.models import Notice, NoticeKind, NoticeSettings
from referrals import actions
from referrals.models import ReferralEvent
from tests.factories import staff
from tests.referrals.helpers import make_referral, parent
from vig_service.celery import app as celery_app

pytestmark = pytest.mark.django_db


def day(referral, days: int):
    """`days` after the referral began awaiting information (the sweep's `today`): not today's date, which a run
    across midnight would move under the test."""
    return referral.awaiting_information_since + timedelta(days=days)


def ask(referral, coordinator, what="GP details and the health visitor's name"):
    """Request information, as the coordinator does on the triage page."""
    return actions.triage_referral(
        referral=referral, decision="request_information", missing_information=what, reason="", by=coordinator
    )


@pytest.fixture
def awaiting(service, coordinator):
    referral = make_referral(service, coordinator)
    ask(referral, coordinator)
    referral.refresh_from_db()
    assert referral.awaiting_information_since == timezone.localdate()
    return referral


def reminders(referral=None):
    found = Notice.objects.filter(kind=NoticeKind.AWAITING_INFORMATION)
    return found.filter(referral=referral) if referral is not None else found


def history(referral):
    return ReferralEvent.objects.filter(referral=referral, kind="awaiting_information_reminder")


def test_nothing_before_the_services_days(awaiting):
    assert remind_awaiting_information(today=day(awaiting, 13)) == 0
    assert not reminders().exists() and not history(awaiting).exists()


def test_the_coordinator_who_asked_is_reminded_once_after_fourteen_days(awaiting, coordinator, service):
    other = staff("second_coordinator", service, Role.COORDINATOR)
    assert remind_awaiting_information(today=day(awaiting, 14)) == 1
    notice = reminders(awaiting).get()
    assert notice.recipient == coordinator and not notice.urgent
    assert awaiting.reference in notice.summary and "not arrived after 14 days" in notice.summary
    assert not reminders().filter(recipient=other).exists()
    event = history(awaiting).get()
    assert event.actor.username == SYSTEM_USERNAME and "not received after 14 days" in event.summary
    # The sweep runs every morning: nobody is reminded twice about the same request.
    assert remind_awaiting_information(today=day(awaiting, 15)) == 0
    assert remind_awaiting_information(today=day(awaiting, 40)) == 0
    assert reminders().count() == 1 and history(awaiting).count() == 1


def test_the_service_sets_the_days(awaiting, coordinator, service):
    NoticeSettings.objects.create(service=service, remind_awaiting_after_days=5)
    assert remind_awaiting_information(today=day(awaiting, 4)) == 0
    assert remind_awaiting_information(today=day(awaiting, 5)) == 1


def test_information_received_in_time_brings_no_reminder(awaiting, coordinator):
    actions.record_information_received(referral=awaiting, note="The GP's details came by email", by=coordinator)
    assert remind_awaiting_information(today=day(awaiting, 30)) == 0
    assert not reminders().exists()


def test_a_second_request_reminds_afresh(awaiting, coordinator):
    assert remind_awaiting_information(today=day(awaiting, 14)) == 1
    acknowledge_notice(notice=reminders().get(), action_taken="Phoned the referrer", by=coordinator)
    actions.record_information_received(referral=awaiting, note="Came by email", by=coordinator)
    awaiting.refresh_from_db()
    ask(awaiting, coordinator, what="The second parent's date of birth")
    awaiting.refresh_from_db()
    assert remind_awaiting_information(today=day(awaiting, 14)) == 1
    assert reminders(awaiting).count() == 2 and reminders(awaiting).open().count() == 1


def test_if_the_asker_has_left_the_coordinators_covering_the_family_are_told(
    awaiting, coordinator, service, peterborough
):
    Membership.objects.filter(user=coordinator).update(is_active=False)
    covering = staff("covering_coordinator", service, Role.COORDINATOR)
    elsewhere_site = service.sites.exclude(pk=awaiting.site_id).first()
    elsewhere = staff("elsewhere_coordinator", service, Role.COORDINATOR, sites=[elsewhere_site])
    manager = staff("a_manager", service, Role.MANAGER)
    assert remind_awaiting_information(today=day(awaiting, 14)) == 1
    told = {n.recipient for n in reminders(awaiting)}
    assert covering in told and coordinator not in told and elsewhere not in told and manager not in told


def test_the_reminder_is_on_the_coordinators_home_page_only(login, awaiting, coordinator, other_coordinator):
    remind_awaiting_information(today=day(awaiting, 20))
    page = login(coordinator).get(reverse("home")).content.decode()
    assert "has not arrived after 20 days" in page
    assert "has not arrived" not in login(other_coordinator).get(reverse("home")).content.decode()


def test_the_beat_schedule_runs_the_real_task_every_morning(awaiting, coordinator):
    entry = django_settings.CELERY_BEAT_SCHEDULE["remind-awaiting-information"]
    assert entry["schedule"].hour == {7}
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[entry["task"]]
    type(awaiting).objects.filter(pk=awaiting.pk).update(
        awaiting_information_since=timezone.localdate() - timedelta(days=20)
    )
    assert task.delay().get() == 1
    assert task.delay().get() == 0
    assert reminders(awaiting).get().recipient == coordinator


def test_with_no_coordinator_left_the_managers_are_told(awaiting, coordinator, service):
    Membership.objects.filter(service=service, role=Role.COORDINATOR).update(is_active=False)
    manager = staff("the_manager", service, Role.MANAGER)
    assert remind_awaiting_information(today=day(awaiting, 14)) == 1
    assert [n.recipient for n in reminders(awaiting)] == [manager]


def test_the_daily_sweep_costs_the_same_however_many_were_reminded_before(awaiting, coordinator, service):
    """Referrals reminded about long ago are not locked and asked about one by one each morning: two statements
    find what is due, whatever the backlog of reminded requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    later = day(awaiting, 30)
    assert remind_awaiting_information(today=later) == 1
    with CaptureQueriesContext(connection) as one:
        assert remind_awaiting_information(today=later) == 0
    for _ in range(3):
        referral = make_referral(service, coordinator, parents=[parent(name=f"Other {_}", nhs_number="")])
        ask(referral, coordinator)
    assert remind_awaiting_information(today=later) == 3
    with CaptureQueriesContext(connection) as four:
        assert remind_awaiting_information(today=later) == 0
    assert len(one) == len(four) <= 2
