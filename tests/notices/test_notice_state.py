"""A notice is handled once for everyone it went to, and wherever it appears it shows its state: handled, by whom,
when, and the action. Home-page notices name the family (parent, child, date of birth), not only a reference."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from notices.actions import acknowledge_notice, raise_notice
from notices.models import Notice, NoticeKind
from referrals.models import ReferralEvent
from tests.outcomes.helpers_outcomes import EPDS_RISK, family, record

pytestmark = pytest.mark.django_db

ACTION = "Phoned the parent; perinatal team seeing her today"


@pytest.fixture
def risk(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner, values=EPDS_RISK)
    return referral, measure


def notice_of(user, measure) -> Notice:
    return Notice.objects.get(recipient=user, kind=NoticeKind.RISK_ANSWER, object_id=str(measure.pk))


def handled_by_practitioner(practitioner, measure):
    return acknowledge_notice(notice=notice_of(practitioner, measure), action_taken=ACTION, by=practitioner)


def test_the_practitioners_action_closes_the_coordinators_notice_with_who_when_and_what(
    risk, coordinator, practitioner
):
    referral, measure = risk
    handled_by_practitioner(practitioner, measure)
    theirs = notice_of(coordinator, measure)
    assert not theirs.is_open and theirs.state == "handled"
    assert theirs.acknowledged_by == practitioner and theirs.action_taken == ACTION
    assert theirs.acknowledged_at == notice_of(practitioner, measure).acknowledged_at
    event = ReferralEvent.objects.get(referral=referral, kind="notice_acknowledged")
    assert str(coordinator) in event.changes["also closed for"][1]


def test_coordinators_home_no_longer_says_act_on_it_and_shows_who_handled_it(login, risk, coordinator, practitioner):
    _, measure = risk
    before = login(coordinator).get(reverse("home")).content.decode()
    assert "Needs your attention" in before and "act on it" in before and "Urgent" in before
    handled_by_practitioner(practitioner, measure)
    home = login(coordinator).get(reverse("home")).content.decode()
    assert "act on it" not in home and "Needs your attention" not in home and "Urgent" not in home
    assert "Handled by a colleague" in home and f"Handled by {practitioner}" in home and ACTION in home


def test_handled_notices_leave_the_home_page_after_a_few_days(login, risk, coordinator, practitioner):
    _, measure = risk
    handled_by_practitioner(practitioner, measure)
    Notice.objects.filter(object_id=str(measure.pk)).update(acknowledged_at=timezone.now() - timedelta(days=4))
    assert "Handled by" not in login(coordinator).get(reverse("home")).content.decode()


def test_notice_list_shows_the_state_of_each_notice(login, risk, coordinator, practitioner):
    _, measure = risk
    page = login(coordinator).get(reverse("notices:list")).content.decode()
    assert "Open" in page and "Acknowledge" in page
    handled_by_practitioner(practitioner, measure)
    page = login(coordinator).get(reverse("notices:list")).content.decode()
    assert f"Handled by {practitioner}" in page and ACTION in page
    assert reverse("notices:acknowledge", args=[notice_of(coordinator, measure).pk]) not in page


def test_api_gives_the_state_who_when_and_the_action(login, risk, coordinator, practitioner):
    _, measure = risk
    client = login(coordinator)
    (row,) = client.get("/api/v1/notices/").json()["results"]
    assert row["state"] == "open" and row["acknowledged_by"] is None and row["escalated_at"] is None
    handled_by_practitioner(practitioner, measure)
    (row,) = client.get("/api/v1/notices/").json()["results"]
    assert row["state"] == "handled" and row["acknowledged_by"] == {
        "id": practitioner.pk,
        "name": practitioner.display_name,
    }
    assert row["action_taken"] == ACTION and row["acknowledged_at"]
    assert client.get("/api/v1/notices/?open=true").json()["results"] == []


def test_acknowledging_a_notice_a_colleague_handled_says_who_did(login, risk, coordinator, practitioner):
    _, measure = risk
    handled_by_practitioner(practitioner, measure)
    mine = notice_of(coordinator, measure)
    client = login(coordinator)
    answer = client.post(
        f"/api/v1/notices/{mine.pk}/acknowledge/", {"action_taken": "Also rang"}, content_type="application/json"
    )
    assert answer.status_code == 409 and str(practitioner) in str(answer.json())
    page = client.get(reverse("notices:acknowledge", args=[mine.pk])).content.decode()
    assert f"Handled by {practitioner}" in page and "<form" not in page.split("notice-state")[0].split("</h1>")[1]


def test_familys_record_shows_the_action_once_with_who_and_when(login, risk, coordinator, practitioner):
    referral, measure = risk
    handled_by_practitioner(practitioner, measure)
    page = login(coordinator).get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Risk answer needs action" not in page
    # Once in the outcomes section (quoted; the history lists it too), though two people's notices closed.
    assert page.count(f"“{ACTION}”") == 1 and f"handled by {practitioner.get_full_name()}" in page
    measure_page = login(coordinator).get(reverse("outcomes:measure", args=[measure.pk])).content.decode()
    assert measure_page.count(f"“{ACTION}”") == 1 and "Handled" in measure_page


def test_two_recipients_acting_one_after_the_other_record_one_action(risk, coordinator, practitioner):
    _, measure = risk
    handled_by_practitioner(practitioner, measure)
    with pytest.raises(Exception, match="already acknowledged"):
        acknowledge_notice(notice=notice_of(coordinator, measure), action_taken="Me too", by=coordinator)
    assert ReferralEvent.objects.filter(kind="notice_acknowledged").count() == 1


def test_notices_without_a_record_are_closed_one_by_one(service, coordinator, practitioner):
    one = raise_notice(recipient=coordinator, kind=NoticeKind.OTHER, summary="Read the new policy")
    two = raise_notice(recipient=practitioner, kind=NoticeKind.OTHER, summary="Read the new policy")
    acknowledge_notice(notice=one, action_taken="Read it", by=coordinator)
    two.refresh_from_db()
    assert two.is_open


# --- The family a home-page notice names -----------------------------------------------------------------------------


def test_home_notice_names_the_parent_child_and_date_of_birth(login, risk, coordinator):
    referral, _ = risk
    home = login(coordinator).get(reverse("home")).content.decode()
    born = referral.child_date_of_birth
    assert "Jane Example – Baby Example" in home and f"born {born:%-d %b %Y}" in home
    assert referral.reference in home


def test_home_notice_for_an_unborn_baby_gives_the_due_date(login, service, coordinator, practitioner):
    due = timezone.localdate() + timedelta(days=60)
    referral = family(
        service, coordinator, practitioner, child_unborn=True, child_date_of_birth=None, expected_delivery_date=due
    )
    raise_notice(recipient=practitioner, kind=NoticeKind.OTHER, summary="Check", referral=referral, obj=referral)
    home = login(practitioner).get(reverse("home")).content.decode()
    assert f"Unborn baby, due {due:%-d %b %Y}" in home


def test_home_notice_names_only_the_reference_to_someone_who_can_no_longer_open_the_family(
    login, risk, service, coordinator, practitioner, cambridgeshire
):
    referral, _ = risk
    membership = Membership.objects.get(user=coordinator, service=service)
    membership.sites.set([s for s in service.sites.all() if s.pk != referral.site_id])
    home = login(coordinator).get(reverse("home")).content.decode()
    assert referral.reference in home and "Jane Example" not in home
