"""A risk answer nobody acts on escalates, once, to the coordinators and managers, after the service's working hours.

The clock is moved by passing `now` to the sweep; the notices' raised time is set to a known moment (a Friday at
15:00, UK time) after the measure is recorded through its action.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from notices.actions import acknowledge_notice
from notices.escalation import SYSTEM_USERNAME, escalate_overdue_risk_notices
from notices.models import Notice, NoticeKind, NoticeSettings
from referrals.models import ReferralEvent
from tests.outcomes.helpers_outcomes import EPDS_RISK, family, record
from vig_service.celery import app as celery_app

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
FRIDAY_3PM = datetime(2026, 12, 4, 15, 0, tzinfo=LONDON)
MONDAY = datetime(2026, 12, 7, tzinfo=LONDON)
BANNER = "nobody has acted on"


def risk_answer(service, coordinator, practitioner, *, raised_at=FRIDAY_3PM):
    """A family with an EPDS risk answer whose notices were raised at `raised_at`."""
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, values=EPDS_RISK)
    Notice.objects.filter(object_id=str(measure.pk)).update(created_at=raised_at)
    return referral, measure


def escalations(measure):
    return Notice.objects.filter(kind=NoticeKind.RISK_ESCALATED, object_id=str(measure.pk))


def escalation_events(referral):
    return ReferralEvent.objects.filter(referral=referral, kind="risk_notice_escalated")


def test_friday_afternoon_risk_answer_escalates_on_monday_at_eleven(
    service, coordinator, site_coordinator, practitioner, manager, other_coordinator, other_manager
):
    referral, measure = risk_answer(service, coordinator, practitioner)
    for moment in (
        FRIDAY_3PM + timedelta(hours=2),
        datetime(2026, 12, 6, 23, 0, tzinfo=LONDON),
        MONDAY.replace(hour=10, minute=59),
    ):
        assert escalate_overdue_risk_notices(now=moment) == 0
    assert not escalations(measure).exists()
    assert escalate_overdue_risk_notices(now=MONDAY.replace(hour=11)) == 1
    told = escalations(measure)
    assert {n.recipient for n in told} == {coordinator, site_coordinator, manager}
    assert all(n.urgent and n.is_open and n.referral == referral for n in told)
    originals = Notice.objects.filter(kind=NoticeKind.RISK_ANSWER, object_id=str(measure.pk))
    assert all(n.escalated_at == MONDAY.replace(hour=11) and n.is_open for n in originals)
    event = escalation_events(referral).get()
    assert event.actor.username == SYSTEM_USERNAME and not event.actor.is_active
    assert str(manager) in event.changes["escalated to"][1]


def test_a_second_and_third_run_escalate_nothing_more(service, coordinator, practitioner, manager):
    referral, measure = risk_answer(service, coordinator, practitioner)
    monday_11 = MONDAY.replace(hour=11)
    assert escalate_overdue_risk_notices(now=monday_11) == 1
    assert escalate_overdue_risk_notices(now=monday_11) == 0
    assert escalate_overdue_risk_notices(now=monday_11 + timedelta(hours=3)) == 0
    assert escalations(measure).count() == 2  # the coordinator and the manager, one each
    assert escalation_events(referral).count() == 1


def test_acted_on_before_the_deadline_never_escalates(service, coordinator, practitioner, manager):
    referral, measure = risk_answer(service, coordinator, practitioner)
    notice = Notice.objects.get(recipient=practitioner, object_id=str(measure.pk))
    acknowledge_notice(notice=notice, action_taken="Phoned the parent; safety plan agreed", by=practitioner)
    assert escalate_overdue_risk_notices(now=MONDAY.replace(hour=12)) == 0
    assert not escalations(measure).exists() and not escalation_events(referral).exists()


def test_acting_after_escalation_clears_the_red_warning_for_everyone(
    login, client, service, coordinator, practitioner, manager
):
    referral, measure = risk_answer(service, coordinator, practitioner)
    escalate_overdue_risk_notices(now=MONDAY.replace(hour=11))
    for person in (coordinator, manager):
        home = login(person).get(reverse("home")).content.decode()
        assert BANNER in home and "Baby Example" in home and "Jane Example" in home
        assert home.index(BANNER) < home.index("Your roles")
        assert "app-escalations" in home.split("Hello", 1)[1][:400]  # first thing under the greeting
        client.logout()
    dashboard = login(manager).get(reverse("dashboards:dashboard")).content.decode()
    assert BANNER in dashboard and dashboard.index(BANNER) < dashboard.index("Referrals in")
    client.logout()
    practitioner_home = login(practitioner).get(reverse("home")).content.decode()
    assert "Escalated" in practitioner_home and BANNER not in practitioner_home
    client.logout()

    mine = escalations(measure).get(recipient=manager)
    login(manager).post(reverse("notices:acknowledge", args=[mine.pk]), {"action_taken": "Rang the parent, GP told"})
    client.logout()
    assert not Notice.objects.filter(object_id=str(measure.pk)).open().exists()
    for person in (coordinator, manager, practitioner):
        home = login(person).get(reverse("home")).content.decode()
        assert BANNER not in home and "act on it" not in home
        if person != manager:
            assert f"Handled by {manager}" in home and "Rang the parent, GP told" in home
        client.logout()
    assert BANNER not in login(manager).get(reverse("dashboards:dashboard")).content.decode()


def test_the_beat_schedule_runs_the_real_task(service, coordinator, practitioner, manager):
    entry = django_settings.CELERY_BEAT_SCHEDULE["escalate-risk-notices"]
    assert entry["schedule"] <= 600  # every few minutes
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[entry["task"]]
    referral, measure = risk_answer(service, coordinator, practitioner, raised_at=timezone.now() - timedelta(days=8))
    assert task.delay().get() == 1
    assert task.delay().get() == 0
    assert escalations(measure).count() == 2 and escalation_events(referral).count() == 1


def test_the_service_sets_the_hours_the_day_and_who_is_told(service, coordinator, practitioner, manager):
    NoticeSettings.objects.create(
        service=service,
        escalate_after_hours=8,
        working_day_starts=time(8),
        working_day_ends=time(16),
        tell_coordinators=False,
        tell_managers=True,
        duty_contact="Duty senior, 01632 960123",
    )
    referral, measure = risk_answer(service, coordinator, practitioner)
    # Friday 15–16 is one hour; Monday 08:00 + 7 hours = 15:00.
    assert escalate_overdue_risk_notices(now=MONDAY.replace(hour=14, minute=59)) == 0
    assert escalate_overdue_risk_notices(now=MONDAY.replace(hour=15)) == 1
    assert [n.recipient for n in escalations(measure)] == [manager]


def test_duty_contact_shows_on_the_warning(login, service, coordinator, practitioner, manager):
    NoticeSettings.objects.create(service=service, duty_contact="Duty senior, 01632 960123")
    risk_answer(service, coordinator, practitioner)
    escalate_overdue_risk_notices(now=MONDAY.replace(hour=11))
    assert "Duty senior, 01632 960123" in login(manager).get(reverse("home")).content.decode()


def test_other_services_and_other_families_are_not_touched(
    service, other_service, coordinator, practitioner, manager, other_coordinator, other_manager
):
    risk_answer(service, coordinator, practitioner)
    escalate_overdue_risk_notices(now=MONDAY.replace(hour=11))
    assert not Notice.objects.filter(recipient__in=[other_coordinator, other_manager]).exists()


def test_escalation_email_names_only_the_reference(
    service, coordinator, practitioner, manager, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_CONFIGURED = True
    referral, _ = risk_answer(service, coordinator, practitioner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue_risk_notices(now=MONDAY.replace(hour=11))
    assert len(mail.outbox) == 1 and set(mail.outbox[0].to) == {coordinator.email, manager.email}
    body = mail.outbox[0].subject + mail.outbox[0].body
    assert referral.reference in body and "Jane Example" not in body and "Baby Example" not in body


def test_only_risk_answers_can_carry_an_escalation(service, coordinator, practitioner):
    referral, measure = risk_answer(service, coordinator, practitioner)
    with pytest.raises(IntegrityError):
        Notice.objects.create(
            recipient=coordinator, kind=NoticeKind.OTHER, summary="x", referral=referral, escalated_at=timezone.now()
        )


def test_the_system_account_cannot_sign_in(service, coordinator, practitioner, manager):
    risk_answer(service, coordinator, practitioner)
    escalate_overdue_risk_notices(now=MONDAY.replace(hour=11))
    system = ReferralEvent.objects.get(kind="risk_notice_escalated").actor
    assert not system.is_active and not system.has_usable_password() and not system.memberships.exists()


def test_the_dashboard_s_escalations_follow_who_asks_and_the_site_request_after_request(
    service, coordinator, practitioner, manager, other_manager, other_service
):
    """`escalated_in_service` is compiled once per shape of the reader's access (and whether a site is chosen): each
    reader in turn gets their own service's escalations only, a site narrows them, and acting clears them."""
    from accounts.models import Site
    from notices.reads import escalated_in_service

    referral, measure = risk_answer(service, coordinator, practitioner)
    escalate_overdue_risk_notices(now=MONDAY.replace(hour=11))
    elsewhere = Site.objects.filter(service=service).exclude(pk=referral.site_id).first()

    def families(user, service, site=None) -> set[int]:
        return {n.referral_id for n in escalated_in_service(user, service=service, site=site)}

    for _ in range(2):
        assert families(manager, service) == {referral.pk}
        assert families(manager, service, referral.site) == {referral.pk}
        if elsewhere is not None:
            assert families(manager, service, elsewhere) == set()
        assert families(other_manager, service) == set()
        assert families(other_manager, other_service) == set()
    for notice in escalations(measure).filter(recipient=manager):
        acknowledge_notice(notice=notice, by=manager, action_taken="Rang the parent")
    assert families(manager, service) == set()
