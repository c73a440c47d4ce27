"""The footage: where it is held, the family's copy, the destruction date from the policy, confirmation, the sweep."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from core.refusals import ActionRefused
from cycles import actions
from cycles.models import CyclePolicy, FamilyCopy, Footage
from cycles.tasks import flag_overdue_footage
from notices.models import Notice, NoticeKind
from referrals import actions as referral_actions
from referrals.models import ReferralEvent
from tests.cycles.helpers_supervision import days_ago, give_consent, make_cycle, today
from tests.factories import staff
from tests.referrals.allocation_helpers import allocated_referral, set_details


@pytest.fixture
def family(service, coordinator, practitioner):
    set_details(practitioner, service, coordinator)
    referral = allocated_referral(service, coordinator, practitioner)
    give_consent(referral, practitioner)
    return referral


@pytest.fixture
def filming(family, practitioner):
    return make_cycle(family, practitioner, 1, filmed_on=days_ago(40), reviewed_on=days_ago(30)).filming


def held(filming, by, **overrides):
    values = {"filming": filming, "location": "Encrypted laptop VIG-7", "reference": "2025/017", "by": by}
    return actions.record_footage(**{**values, **overrides})


def test_practitioner_records_where_footage_is_held_and_the_family_copy(filming, practitioner, family):
    footage = held(filming, practitioner)
    assert footage.destroy_by is None and footage.family_copy == FamilyCopy.NOT_YET
    footage = held(
        filming, practitioner, family_copy=FamilyCopy.GIVEN, family_copy_how="Secure email", family_copy_on=days_ago(5)
    )
    assert Footage.objects.get().family_copy_how == "Secure email"
    kinds = list(ReferralEvent.objects.filter(referral=family).values_list("kind", flat=True))
    assert kinds.count("footage_recorded") == 1 and kinds.count("footage_updated") == 1


@pytest.mark.parametrize(
    ("copy", "on", "field"),
    [
        (FamilyCopy.GIVEN, None, "family_copy_on"),
        (FamilyCopy.NOT_YET, days_ago(1), "family_copy_on"),
        (FamilyCopy.GIVEN, today() + timedelta(days=1), "family_copy_on"),
        (FamilyCopy.GIVEN, days_ago(400), "family_copy_on"),
        ("lost", None, "family_copy"),
    ],
)
def test_family_copy_needs_a_sensible_date(filming, practitioner, copy, on, field):
    with pytest.raises(ValidationError) as error:
        held(filming, practitioner, family_copy=copy, family_copy_on=on)
    assert field in error.value.message_dict


def test_footage_details_refused_for_others(filming, other_practitioner, supervisor, coordinator, other_coordinator):
    for who in (other_practitioner, supervisor, coordinator, other_coordinator):
        with pytest.raises(PermissionDenied):
            held(filming, who)
    assert not Footage.objects.exists()


def test_destruction_dates_follow_the_service_policy(service, filming, family, practitioner, coordinator):
    held(filming, practitioner)
    ended = days_ago(3)
    actions.set_footage_destruction_dates(referral=family, involvement_ended_on=ended, by=coordinator)
    assert Footage.objects.get().destroy_by == ended + relativedelta(months=2)
    CyclePolicy.objects.create(service=service, footage_keep_months=1)
    actions.set_footage_destruction_dates(referral=family, involvement_ended_on=ended, by=coordinator)
    assert Footage.objects.get().destroy_by == ended + relativedelta(months=1)
    assert ReferralEvent.objects.filter(referral=family, kind="footage_destruction_dates_set").count() == 2


def test_footage_recorded_after_discharge_takes_the_familys_date(family, filming, practitioner, coordinator):
    held(filming, practitioner)
    actions.set_footage_destruction_dates(referral=family, involvement_ended_on=days_ago(1), by=coordinator)
    second = make_cycle(family, practitioner, 2, filmed_on=days_ago(20)).filming
    assert held(second, practitioner).destroy_by == Footage.objects.get(filming=filming).destroy_by


def test_practitioner_or_coordinator_confirms_destruction_with_date_and_who(filming, practitioner, coordinator):
    footage = held(filming, practitioner)
    footage = actions.confirm_footage_destroyed(footage=footage, destroyed_on=days_ago(1), by=coordinator)
    assert footage.destroyed_on == days_ago(1) and footage.destruction_confirmed_by == coordinator
    with pytest.raises(ActionRefused, match="already confirmed"):
        actions.confirm_footage_destroyed(footage=footage, destroyed_on=days_ago(1), by=practitioner)
    with pytest.raises(ActionRefused, match="destroyed"):
        held(filming, practitioner)


def test_destruction_confirmation_by_someone_not_allowed_is_refused(
    filming, practitioner, other_practitioner, supervisor, manager, other_coordinator
):
    footage = held(filming, practitioner)
    for who in (other_practitioner, supervisor, manager, other_coordinator):
        with pytest.raises(PermissionDenied):
            actions.confirm_footage_destroyed(footage=footage, destroyed_on=days_ago(1), by=who)
    assert Footage.objects.get().destroyed_on is None


def test_destruction_date_cannot_be_future_or_before_filming(filming, practitioner):
    footage = held(filming, practitioner)
    for day in (today() + timedelta(days=1), days_ago(41)):
        with pytest.raises(ValidationError):
            actions.confirm_footage_destroyed(footage=footage, destroyed_on=day, by=practitioner)


def overdue(family, filming, practitioner, coordinator):
    """Footage whose destruction date (2 months after an involvement that ended 3 months ago) has passed."""
    footage = held(filming, practitioner)
    actions.set_footage_destruction_dates(referral=family, involvement_ended_on=days_ago(92), by=coordinator)
    return footage


def test_beat_task_notices_practitioner_and_coordinators_once(
    family, filming, practitioner, coordinator, site_coordinator, other_coordinator, manager
):
    footage = overdue(family, filming, practitioner, coordinator)
    assert flag_overdue_footage.delay().get() == 3
    notices = Notice.objects.filter(kind=NoticeKind.FOOTAGE_OVERDUE)
    assert {n.recipient for n in notices} == {practitioner, coordinator, site_coordinator}
    assert all(n.referral == family and n.object_id == str(footage.pk) for n in notices)
    assert family.reference in notices[0].summary
    actions.raise_overdue_footage_notices()  # a second run raises nothing new
    assert notices.count() == 3


def test_beat_task_skips_coordinators_of_other_sites_and_destroyed_footage(
    service, family, filming, practitioner, coordinator, cambridgeshire
):
    limited = staff("cambs_coordinator", service, "coordinator", sites=[cambridgeshire])
    footage = overdue(family, filming, practitioner, coordinator)
    actions.raise_overdue_footage_notices()
    assert not Notice.objects.filter(recipient=limited).exists()
    actions.confirm_footage_destroyed(footage=footage, destroyed_on=today(), by=practitioner)
    Notice.objects.all().delete()
    assert actions.raise_overdue_footage_notices() == 0


def test_footage_not_yet_due_or_without_date_raises_nothing(family, filming, practitioner, coordinator):
    held(filming, practitioner)
    assert actions.raise_overdue_footage_notices() == 0
    actions.set_footage_destruction_dates(referral=family, involvement_ended_on=days_ago(10), by=coordinator)
    assert actions.raise_overdue_footage_notices() == 0


def test_beat_task_notices_the_last_practitioner_after_unallocation(family, filming, practitioner, coordinator):
    overdue(family, filming, practitioner, coordinator)
    referral_actions.unallocate_referral(referral=family, reason="Discharged", by=coordinator)
    actions.raise_overdue_footage_notices()
    assert Notice.objects.filter(recipient=practitioner, kind=NoticeKind.FOOTAGE_OVERDUE).exists()


def test_beat_schedule_runs_the_footage_sweep_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["flag-overdue-footage"]
    assert entry["task"] == "cycles.tasks.flag_overdue_footage"
