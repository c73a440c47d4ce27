"""How the dashboard's summaries are kept (ADR 0022): the outbox row an action writes in its own transaction, the task
sent after commit, the page working off what is waiting before it counts, the sweep, and the rebuild command."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Membership
from dashboards import summaries
from dashboards.models import FamilySummary, ItemKind, SummaryItem
from dashboards.reads import Scope, dashboard, default_period
from dashboards.tasks import refresh_summaries, sweep_summaries
from referrals import actions
from referrals.models import FamilyChange, Referral
from referrals.states import TransitionRefused
from tests.dashboards.helpers_dashboards import days_ago
from tests.referrals.allocation_helpers import accepted_referral
from tests.referrals.helpers import make_referral


def _scope(user, service, site=None):
    start, end = default_period()
    return Scope(user=user, service=service, site=site, start=start, end=end)


def test_an_action_writes_the_outbox_in_its_own_transaction_and_a_refused_one_writes_nothing(service, coordinator):
    referral = make_referral(service, coordinator)
    assert FamilyChange.objects.filter(referral=referral, service=service).count() == 1
    with pytest.raises(TransitionRefused):
        actions.allocate_referral(referral=referral, practitioner=coordinator, by=coordinator)  # not accepted yet
    assert FamilyChange.objects.filter(referral=referral).count() == 1


def test_the_task_sent_after_commit_summarises_the_family_and_a_repeat_does_nothing(
    service, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as sent:
        referral = make_referral(service, coordinator, date_received=days_ago(5))
    assert sent, "the family's id goes to the task once the action commits"
    assert not FamilyChange.objects.filter(referral=referral).exists()
    assert FamilySummary.objects.get(referral=referral).date_received == days_ago(5)
    assert refresh_summaries(referral.pk) == 0  # nothing waiting: a duplicate or late task does nothing


def test_the_page_counts_a_change_no_worker_has_summarised(service, coordinator, manager):
    before = dashboard(_scope(manager, service))["referrals_in"]["total"]
    make_referral(service, coordinator, date_received=days_ago(2))  # its task never runs (inside this test)
    assert FamilyChange.objects.filter(service=service).exists()
    assert dashboard(_scope(manager, service))["referrals_in"]["total"] == before + 1
    assert not FamilyChange.objects.filter(service=service).exists()


def test_the_sweep_works_off_what_the_tasks_missed(service, other_service, coordinator, other_coordinator):
    make_referral(service, coordinator)
    make_referral(other_service, other_coordinator)
    assert sweep_summaries() == 2
    assert not FamilyChange.objects.exists()
    assert FamilySummary.objects.filter(service__in=[service, other_service]).count() == 2


def test_a_decision_and_its_correction_show_at_once(service, coordinator, manager):
    referral = accepted_referral(service, coordinator, date_received=days_ago(4))
    triage = dashboard(_scope(manager, service))["triage"]
    assert (triage["decided"], triage["accepted"]) == (1, 1)
    actions.withdraw_referral(referral=referral, reason="Family moved away", by=coordinator)
    waiting = dashboard(_scope(manager, service))["waiting"]
    assert waiting["total"] == 0


def test_rebuild_restores_summaries_from_raw_rows(service, other_service, coordinator, manager):
    referral = accepted_referral(service, coordinator, date_received=days_ago(4))
    summaries.sweep()
    # A summary wrong by hand (or a bulk import that bypassed the actions): the rebuild puts back what raw rows say.
    FamilySummary.objects.filter(referral=referral).update(date_received=days_ago(900), accepted=False)
    SummaryItem.objects.create(referral=referral, service=service, kind=ItemKind.WITHDRAWN, day=days_ago(1), n=5)
    Referral.objects.filter(pk=referral.pk).update(date_received=days_ago(6))
    out = io.StringIO()
    call_command("rebuild_dashboard_summaries", "--service", str(service.pk), stdout=out)
    assert f"{service.name}: 1 families summarised" in out.getvalue()
    summary = FamilySummary.objects.get(referral=referral)
    assert (summary.date_received, summary.accepted) == (days_ago(6), True)
    assert not SummaryItem.objects.filter(referral=referral, kind=ItemKind.WITHDRAWN).exists()
    assert dashboard(_scope(manager, service))["data_protection"]["consents_withdrawn"] == 0


def test_rebuild_command_names_a_service_or_all(service):
    with pytest.raises(CommandError):
        call_command("rebuild_dashboard_summaries", "--service", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("rebuild_dashboard_summaries", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_dashboard_summaries", "--all", stdout=out)
    assert service.name in out.getvalue()


def test_a_site_limited_manager_counts_only_their_sites_summaries(
    service, coordinator, manager, peterborough, cambridgeshire
):
    make_referral(service, coordinator, site=peterborough, date_received=days_ago(3))
    make_referral(service, coordinator, site=cambridgeshire, date_received=days_ago(3))
    Membership.objects.get(user=manager, service=service).sites.set([cambridgeshire])
    assert dashboard(_scope(manager, service))["referrals_in"]["total"] == 1
    assert dashboard(_scope(manager, service, site=peterborough))["referrals_in"]["total"] == 0


def test_a_family_destroyed_under_retention_takes_its_summary_with_it(service, coordinator):
    referral = make_referral(service, coordinator, date_received=timezone.localdate() - timedelta(days=1))
    summaries.sweep()
    Referral.objects.filter(pk=referral.pk).delete()
    assert not FamilySummary.objects.filter(referral_id=referral.pk).exists()
