"""Discharge and reopen through the actions: the rules, each tried and broken."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from core.refusals import ActionRefused
from cycles import actions as cycle_actions
from cycles.actions.footage import keep_months
from cycles.models import Footage
from discharge import actions
from discharge.models import Discharge
from letters.models import Letter
from referrals.models import Allocation, Referral, ReferralEvent
from referrals.states import ReferralStatus
from tests.cycles.helpers_supervision import give_consent, make_cycle
from tests.discharge.helpers_discharge import discharge, family, require_only_epds_at_end, with_measures_and_goals
from tests.referrals.helpers import today


@pytest.fixture
def referral(service, coordinator, practitioner):
    return family(service, coordinator, practitioner)


def test_discharge_closes_the_referral_and_ends_the_allocation(referral, practitioner):
    result = discharge(referral, practitioner)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DISCHARGED and referral.closed_at is not None
    assert not referral.is_open
    ended = Allocation.objects.get(referral=referral)
    assert ended.ended_at is not None and ended.end_reason == "Discharged"
    assert result.requested_actions[0]["by_when"] == "2027-06-01"
    assert ReferralEvent.objects.filter(referral=referral, kind="discharged").exists()
    # Still the practitioner's to finish (letters, footage), but no longer an open case.
    assert referral in Referral.objects.visible_to(practitioner)
    assert referral not in Referral.objects.visible_to(practitioner).open()


def test_practitioner_cannot_discharge_a_family_that_is_not_theirs(referral, other_practitioner, supervisor):
    for who in (other_practitioner, supervisor):
        with pytest.raises(PermissionDenied):
            discharge(referral, who)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ALLOCATED


def test_coordinator_may_discharge(referral, coordinator, other_coordinator):
    with pytest.raises(PermissionDenied):
        discharge(referral, other_coordinator)
    discharge(referral, coordinator)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DISCHARGED


def test_missing_required_end_measures_need_a_reason(service, referral, practitioner):
    require_only_epds_at_end(service)
    with pytest.raises(ValidationError) as error:
        discharge(referral, practitioner, missing_measures_reason="")
    assert "EPDS" in str(error.value.message_dict["missing_measures_reason"])
    assert not Discharge.objects.exists()
    done = discharge(referral, practitioner, missing_measures_reason="Mum declined the last questionnaire.")
    assert done.missing_end_measures == ["epds"]


def test_end_measures_recorded_need_no_reason(service, referral, practitioner):
    require_only_epds_at_end(service)
    with_measures_and_goals(referral, practitioner)
    done = discharge(referral, practitioner, missing_measures_reason="")
    assert done.missing_end_measures == [] and done.missing_measures_reason == ""


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("discharged_on", {"discharged_on": today() + timedelta(days=1)}),
        ("discharged_on", {"discharged_on": today() - timedelta(days=400)}),
        ("reason", {"reason": "bored"}),
        ("reason_details", {"reason": "other"}),
        ("summary", {"summary": "  "}),
        ("requested_actions", {"requested_actions": [{"who": "HV", "what": "", "by_when": "2027-01-01"}]}),
    ],
)
def test_bad_values_are_refused(referral, practitioner, field, overrides):
    with pytest.raises(ValidationError) as error:
        discharge(referral, practitioner, **overrides)
    assert field in error.value.message_dict
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ALLOCATED


def test_discharging_twice_is_refused(referral, practitioner, coordinator):
    discharge(referral, practitioner)
    with pytest.raises(ActionRefused):
        discharge(referral, coordinator)
    assert Discharge.objects.count() == 1


def test_discharge_starts_the_footage_destruction_clock(service, referral, practitioner):
    give_consent(referral, practitioner)
    filming = make_cycle(referral, practitioner, 1, filmed_on=today() - timedelta(days=40)).filming
    cycle_actions.record_footage(filming=filming, location="Encrypted laptop", reference="2026/1", by=practitioner)
    done = discharge(referral, practitioner)
    expected = done.discharged_on + relativedelta(months=keep_months(service))
    assert Footage.objects.get().destroy_by == expected == done.footage_destroy_by


def test_letters_drafted_only_with_the_familys_agreement(service, coordinator, practitioner, referral):
    discharge(referral, practitioner, letter_to_referrer_agreed=False, letter_to_health_visitor_agreed=False)
    assert list(Letter.objects.filter(referral=referral).values_list("kind", flat=True)) == ["family"]
    other = family(service, coordinator, practitioner, child_name="Second Child")
    discharge(other, practitioner, letter_to_referrer_agreed=True, letter_to_health_visitor_agreed=False)
    assert sorted(Letter.objects.filter(referral=other).values_list("kind", flat=True)) == ["family", "referrer"]


def test_family_letter_holds_questions_ratings_and_what_they_did_well(referral, practitioner):
    with_measures_and_goals(referral, practitioner)
    discharge(referral, practitioner)
    letter = Letter.objects.get(referral=referral, kind="family")
    assert "2 out of 10" in letter.content["sections"]["helping_questions"]
    assert "7 out of 10" in letter.content["sections"]["helping_questions"]
    assert letter.content["sections"]["did_well"].startswith("You waited")
    handover = Letter.objects.get(referral=referral, kind="handover")
    assert handover.content["actions"][0]["by_when"] == "1 June 2027"
    assert any(s["name"].startswith("EPDS") or "Edinburgh" in s["name"] for s in handover.content["scales"])


def test_reopen_by_coordinator_keeps_the_history(referral, practitioner, coordinator):
    discharge(referral, practitioner)
    with pytest.raises(PermissionDenied):
        actions.reopen_family(referral=referral, reason="Family asked for more help", by=practitioner)
    with pytest.raises(ValidationError):
        actions.reopen_family(referral=referral, reason=" ", by=coordinator)
    actions.reopen_family(referral=referral, reason="Family asked for more help", by=coordinator, allocate_again=True)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ALLOCATED and referral.closed_at is None
    assert referral.active_allocation.practitioner == practitioner
    old = Discharge.objects.get()
    assert old.reopened_by == coordinator and old.reopen_reason == "Family asked for more help"
    with pytest.raises(ActionRefused):
        actions.reopen_family(referral=referral, reason="again", by=coordinator)
    discharge(referral, practitioner)
    assert Discharge.objects.count() == 2 and Discharge.objects.current().count() == 1


def test_reopen_onto_the_waiting_list(referral, practitioner, coordinator):
    discharge(referral, practitioner)
    actions.reopen_family(referral=referral, reason="Moved back", by=coordinator)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.active_allocation is None
    assert referral not in Referral.objects.visible_to(practitioner)


def test_after_a_second_discharge_only_the_last_practitioner_still_holds_the_family(
    referral, practitioner, other_practitioner, coordinator, service
):
    """Discharged by A, reopened, allocated to B and discharged by B: the family is B's to finish, not A's."""
    from accounts.permissions import Perm, has_permission
    from referrals.actions import allocate_referral
    from tests.referrals.allocation_helpers import set_details

    discharge(referral, practitioner)
    assert referral in Referral.objects.visible_to(practitioner)  # A finishes the letters while discharged
    actions.reopen_family(referral=referral, reason="Moved back", by=coordinator)
    set_details(other_practitioner, service, coordinator, capacity=10)
    allocate_referral(referral=Referral.objects.get(pk=referral.pk), practitioner=other_practitioner, by=coordinator)
    discharge(Referral.objects.get(pk=referral.pk), other_practitioner)
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == ReferralStatus.DISCHARGED
    assert referral in Referral.objects.visible_to(other_practitioner)
    assert referral not in Referral.objects.visible_to(practitioner)
    assert not has_permission(practitioner, Perm.REFERRAL_VIEW, obj=referral)
    assert has_permission(other_practitioner, Perm.REFERRAL_VIEW, obj=referral)
