"""Visit and liaison actions: every rule tried the wrong way round."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.refusals import ActionRefused
from cycles import actions
from cycles.models import Draft, Visit, VisitActivity
from referrals import actions as referral_actions
from referrals.models import ReferralEvent
from tests.cycles.helpers_visits import at, attended, book, family_fixture, ready_fixture  # noqa: F401
from tests.referrals.allocation_helpers import accepted_referral


def test_booking_makes_a_visit_for_the_allocated_practitioner(family, practitioner):
    visit = book(family, practitioner, activities=["shared_review", "filming"])
    assert visit.practitioner == practitioner and visit.outcome == ""
    assert sorted(a.kind for a in visit.activities.all()) == ["filming", "shared_review"]
    event = ReferralEvent.objects.filter(referral=family, kind="visit_booked").get()
    assert event.summary.startswith("Visit booked for")


def test_only_the_allocated_practitioner_books(family, other_practitioner, coordinator, manager, supervisor):
    for user in (other_practitioner, coordinator, manager, supervisor):
        with pytest.raises(PermissionDenied):
            book(family, user)
    assert not Visit.objects.exists()


def test_booking_needs_an_allocated_family(ready, service, coordinator, practitioner):
    referral = accepted_referral(service, coordinator)
    with pytest.raises(PermissionDenied):  # not theirs: nobody holds casework on a waiting family
        book(referral, practitioner)


def test_booking_refused_after_unallocation(family, coordinator, practitioner):
    referral_actions.unallocate_referral(referral=family, reason="Practitioner on leave", by=coordinator)
    with pytest.raises(PermissionDenied):
        book(family, practitioner)


def test_booking_refuses_unknown_activity_and_other_place_without_details(family, practitioner):
    with pytest.raises(ValidationError) as error:
        book(family, practitioner, activities=["tea"])
    assert "activities" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        book(family, practitioner, place="other")
    assert "place_details" in error.value.message_dict
    assert not Visit.objects.exists()


@pytest.mark.parametrize("outcome", ["did_not_attend", "cancelled_by_family", "cancelled_by_service"])
def test_outcome_other_than_attended_needs_a_reason(family, practitioner, outcome):
    visit = book(family, practitioner, days=-1)
    with pytest.raises(ValidationError) as error:
        actions.record_visit(visit=visit, outcome=outcome, outcome_reason="  ", by=practitioner)
    assert "outcome_reason" in error.value.message_dict
    visit.refresh_from_db()
    assert visit.outcome == ""
    actions.record_visit(visit=visit, outcome=outcome, outcome_reason="Baby unwell", by=practitioner)
    visit.refresh_from_db()
    assert visit.outcome == outcome and visit.recorded_at is not None and visit.duration_minutes is None


def test_attended_needs_a_duration(family, practitioner):
    visit = book(family, practitioner, days=-1)
    with pytest.raises(ValidationError) as error:
        attended(visit, practitioner, duration_minutes=None)
    assert "duration_minutes" in error.value.message_dict
    with pytest.raises(ValidationError):
        attended(visit, practitioner, duration_minutes=601)


def test_future_visit_cannot_be_recorded_as_attended(family, practitioner):
    visit = book(family, practitioner, days=1)
    with pytest.raises(ValidationError) as error:
        attended(visit, practitioner)
    assert "in the future" in error.value.message_dict["outcome"][0]
    with pytest.raises(ValidationError):
        actions.record_visit(visit=visit, outcome="did_not_attend", outcome_reason="No answer", by=practitioner)
    # a future visit can be cancelled ahead
    actions.record_visit(visit=visit, outcome="cancelled_by_family", outcome_reason="Away", by=practitioner)


def test_recording_twice_is_refused(family, practitioner):
    visit = attended(book(family, practitioner, days=-1), practitioner)
    with pytest.raises(ActionRefused, match="already recorded"):
        attended(visit, practitioner)


def test_another_practitioner_cannot_record_or_reschedule(family, practitioner, other_practitioner):
    visit = book(family, practitioner, days=-1)
    with pytest.raises(PermissionDenied):
        attended(visit, other_practitioner)
    with pytest.raises(PermissionDenied):
        actions.reschedule_visit(visit=visit, planned_at=at(3), by=other_practitioner)
    with pytest.raises(PermissionDenied):
        actions.save_draft(visit=visit, data={"notes": ["x"]}, by=other_practitioner)


def test_recording_keeps_several_activities_and_discards_drafts(family, practitioner):
    visit = book(family, practitioner, days=-1, activities=["shared_review"])
    actions.save_draft(visit=visit, data={"notes": ["half"]}, by=practitioner)
    attended(visit, practitioner, activities=["shared_review", "filming"])
    assert sorted(VisitActivity.objects.filter(visit=visit).values_list("kind", flat=True)) == [
        "filming",
        "shared_review",
    ]
    assert not Draft.objects.exists()
    assert ReferralEvent.objects.filter(referral=family, kind="visit_recorded").exists()


def test_cancel_and_reschedule(family, practitioner):
    visit = book(family, practitioner, days=3)
    new_time = at(5)
    actions.reschedule_visit(visit=visit, planned_at=new_time, reason="Family asked", by=practitioner)
    visit.refresh_from_db()
    assert visit.planned_at == new_time
    with pytest.raises(ValidationError):
        actions.cancel_visit(visit=visit, cancelled_by="nobody", reason="x", by=practitioner)
    actions.cancel_visit(visit=visit, cancelled_by="service", reason="Practitioner ill", by=practitioner)
    visit.refresh_from_db()
    assert visit.outcome == "cancelled_by_service"
    with pytest.raises(ActionRefused):
        actions.reschedule_visit(visit=visit, planned_at=at(6), by=practitioner)


def test_liaison_rules(family, practitioner, other_practitioner):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        actions.record_liaison(
            referral=family, contacted_on=today + timedelta(days=1), method="phone", summary="x", by=practitioner
        )
    assert "contacted_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.record_liaison(referral=family, contacted_on=today, method="phone", summary=" ", by=practitioner)
    assert "summary" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.record_liaison(referral=family, contacted_on=today, method="pigeon", summary="x", by=practitioner)
    with pytest.raises(PermissionDenied):
        actions.record_liaison(referral=family, contacted_on=today, method="phone", summary="x", by=other_practitioner)
    liaison = actions.record_liaison(
        referral=family, contacted_on=today, method="phone", summary="Spoke to the HV", by=practitioner
    )
    assert liaison.pk and ReferralEvent.objects.filter(referral=family, kind="liaison_recorded").exists()


def test_unsafe_text_refused(family, practitioner):
    visit = book(family, practitioner, days=-1)
    with pytest.raises(ValidationError) as error:
        attended(visit, practitioner, notes="Ann\u202eSmith")
    assert "notes" in error.value.message_dict
