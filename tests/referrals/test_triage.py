from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from referrals import actions
from referrals.models import ReferralEvent, TriageDecision
from referrals.states import OPEN_STATUSES, TRANSITIONS, ReferralStatus, TransitionRefused, check_transition
from tests.referrals.helpers import make_referral, make_unborn_referral, months_ago


@pytest.fixture
def referral(service, coordinator):
    return make_referral(service, coordinator)


def decide(referral, by, decision, **kwargs):
    defaults = {"reason": "Not suitable", "missing_information": "GP details"}
    return actions.triage_referral(referral=referral, decision=decision, by=by, **{**defaults, **kwargs})


@pytest.mark.parametrize(
    "status, name, allowed",
    [
        (status, name, status in sources)
        for name, (sources, _target) in TRANSITIONS.items()
        for status in ReferralStatus.values
    ],
)
def test_transition_table_allows_exactly_what_it_lists(status, name, allowed):
    if allowed:
        assert check_transition(status, name) == TRANSITIONS[name][1]
    else:
        with pytest.raises(TransitionRefused):
            check_transition(status, name)


def test_the_issue_transitions_are_in_the_table():
    expected = {
        ("received", "request_information", "awaiting_information"),
        ("awaiting_information", "information_received", "received"),
        ("received", "accept", "accepted"),
        ("received", "decline", "declined"),
    } | {(status, "withdraw", "withdrawn") for status in OPEN_STATUSES}
    for status, name, target in expected:
        assert check_transition(status, name) == target


def test_accept_records_who_and_when(referral, coordinator):
    decision = decide(referral, coordinator, "accept")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert decision.decided_by == coordinator and decision.decided_at is not None
    assert referral.triaged_at is not None
    assert ReferralEvent.objects.filter(referral=referral, kind="triage_accept", actor=coordinator).exists()


def test_deciding_twice_is_refused(referral, coordinator):
    decide(referral, coordinator, "accept")
    with pytest.raises(TransitionRefused, match="because it is accepted"):
        decide(referral, coordinator, "accept")
    assert TriageDecision.objects.filter(referral=referral).count() == 1


def test_deciding_a_declined_referral_is_refused(referral, coordinator):
    decide(referral, coordinator, "decline")
    for decision in ("accept", "request_information", "decline"):
        with pytest.raises(TransitionRefused):
            decide(referral, coordinator, decision)


def test_decline_needs_a_reason(referral, coordinator):
    with pytest.raises(ValidationError) as raised:
        decide(referral, coordinator, "decline", reason="  ")
    assert "reason" in raised.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_request_information_says_what_is_missing(referral, coordinator):
    with pytest.raises(ValidationError) as raised:
        decide(referral, coordinator, "request_information", missing_information="")
    assert "missing_information" in raised.value.message_dict


def test_accepting_ineligible_needs_override_reason(service, coordinator):
    referral = make_referral(service, coordinator, child_date_of_birth=months_ago(20))
    with pytest.raises(ValidationError) as raised:
        decide(referral, coordinator, "accept", override_reason="")
    assert "override_reason" in raised.value.message_dict
    decision = decide(referral, coordinator, "accept", override_reason="Agreed at the team meeting")
    assert decision.eligible_when_decided is False
    assert decision.override_reason == "Agreed at the team meeting"


def test_awaiting_information_clock_and_return_to_queue(referral, coordinator):
    decide(referral, coordinator, "request_information")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_INFORMATION
    # pretend it has been waiting 4 days
    referral.__class__.objects.filter(pk=referral.pk).update(
        awaiting_information_since=referral.awaiting_information_since - timedelta(days=4)
    )
    referral.refresh_from_db()
    assert referral.total_days_awaiting_information() == 4
    waited = referral.days_waiting()
    referral = actions.record_information_received(referral=referral, note="Phoned the referrer", by=coordinator)
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.days_awaiting_information == 4
    assert referral.days_waiting() == waited  # shown beside the wait, never subtracted


def test_updating_a_referral_awaiting_information_returns_it_to_the_queue(service, referral, coordinator):
    from tests.referrals.helpers import parent, referral_data

    decide(referral, coordinator, "request_information")
    referral.refresh_from_db()
    data = referral_data(service, gp_practice="New Surgery", site=referral.site)
    referral = actions.update_referral(referral=referral, data=data, parents=[parent()], by=coordinator)
    assert referral.status == ReferralStatus.RECEIVED
    update = ReferralEvent.objects.get(referral=referral, kind="updated")
    assert update.changes["gp_practice"] == ["Test Surgery", "New Surgery"]


@pytest.mark.parametrize("first", [None, "request_information", "accept"])
def test_withdraw_from_any_open_state(referral, coordinator, first):
    if first:
        decide(referral, coordinator, first)
    referral = actions.withdraw_referral(referral=referral, reason="Family moved away", by=coordinator)
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.closed_reason == "Family moved away"
    with pytest.raises(TransitionRefused):
        actions.withdraw_referral(referral=referral, reason="again", by=coordinator)


def test_closed_referral_cannot_be_edited(service, referral, coordinator):
    from tests.referrals.helpers import parent, referral_data

    decide(referral, coordinator, "decline")
    with pytest.raises(TransitionRefused):
        actions.update_referral(referral=referral, data=referral_data(service), parents=[parent()], by=coordinator)


def test_other_service_coordinator_cannot_decide(referral, other_coordinator):
    with pytest.raises(PermissionDenied):
        decide(referral, other_coordinator, "accept")


def test_site_coordinator_cannot_decide_other_sites(service, coordinator, site_coordinator, cambridgeshire):
    referral = make_referral(service, coordinator, site=cambridgeshire)
    with pytest.raises(PermissionDenied):
        decide(referral, site_coordinator, "accept")


def test_manager_cannot_decide(referral, manager):
    with pytest.raises(PermissionDenied):
        decide(referral, manager, "accept")


def test_record_birth_of_unborn_baby(service, coordinator):
    from tests.referrals.helpers import TEST_NHS_NUMBERS, today

    referral = make_unborn_referral(service, coordinator, due=today() + timedelta(days=20))
    referral = actions.record_birth(
        referral=referral, date_of_birth=today(), name="Ava", child_nhs_number=TEST_NHS_NUMBERS[0], by=coordinator
    )
    assert not referral.child_unborn and referral.child_name == "Ava"
    assert referral.child_nhs_number == TEST_NHS_NUMBERS[0]
    with pytest.raises(TransitionRefused):
        actions.record_birth(referral=referral, date_of_birth=today(), by=coordinator)


def test_record_birth_in_future_refused(service, coordinator):
    from tests.referrals.helpers import today

    referral = make_unborn_referral(service, coordinator, due=today() + timedelta(days=20))
    with pytest.raises(ValidationError):
        actions.record_birth(referral=referral, date_of_birth=today() + timedelta(days=1), by=coordinator)


def test_withdraw_needs_a_reason(referral, coordinator):
    with pytest.raises(ValidationError) as raised:
        actions.withdraw_referral(referral=referral, reason="  ", by=coordinator)
    assert "reason" in raised.value.message_dict
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_information_received_on_a_referral_not_awaiting_it_is_refused(referral, coordinator):
    with pytest.raises(TransitionRefused):
        actions.record_information_received(referral=referral, note="Phoned", by=coordinator)


def test_triage_page_reveals_each_reason_under_its_decision_and_none_says_optional(login, service, coordinator):
    """Each reason box sits in its decision's conditional reveal, and says which decision needs it."""
    import re

    from tests.referrals.helpers import make_referral

    referral = make_referral(service, coordinator)
    page = login(coordinator).get(reverse("referrals:triage", args=[referral.pk])).content.decode()
    assert "(optional)" not in page
    assert "Reason for declining – needed if you decline" in page
    for value, field in [
        ("accept", "override_reason"),
        ("decline", "reason"),
        ("request_information", "missing_information"),
    ]:
        radio = re.search(rf'<input[^>]*value="{value}"[^>]*>', page).group(0)
        conditional = re.search(r'data-aria-controls="([^"]+)"', radio).group(1)
        block = page.split(f'id="{conditional}"', 1)[1].split("nhsuk-radios__item", 1)[0]
        assert f'name="{field}"' in block


def test_triage_form_names_the_missing_reason(login, service, coordinator):
    from tests.referrals.helpers import make_referral

    referral = make_referral(service, coordinator)
    client = login(coordinator)
    response = client.post(reverse("referrals:triage", args=[referral.pk]), {"decision": "decline"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Enter why the referral is declined"]
    assert "This field is required" not in response.content.decode()


def test_timeline_entries_are_in_the_past_tense(service, coordinator):
    """'Referral recorded' beside 'Accept onto the waiting list' read as an instruction: every entry says what
    happened."""
    summaries = []
    for decision, extra in [
        ("accept", {}),
        ("decline", {"reason": "Out of area"}),
        ("request_information", {"missing_information": "GP"}),
    ]:
        referral = make_referral(service, coordinator)
        actions.triage_referral(referral=referral, decision=decision, by=coordinator, **extra)
        summaries.append(ReferralEvent.objects.filter(referral=referral).latest("pk").summary)
    assert summaries == ["Accepted onto the waiting list", "Declined", "More information requested"]


def test_the_triage_queue_lists_referrals_awaiting_information(login, referral, coordinator):
    decide(referral, coordinator, "request_information")
    page = login(coordinator).get(reverse("referrals:triage_queue")).content.decode()
    assert referral.reference in page and "Awaiting information" in page
    actions.withdraw_referral(referral=referral, reason="Moved away", by=coordinator)
    assert referral.reference not in login(coordinator).get(reverse("referrals:triage_queue")).content.decode()
