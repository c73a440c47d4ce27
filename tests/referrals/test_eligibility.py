from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta

from accounts.models import Service
from referrals.eligibility import describe_window
from tests.referrals.helpers import make_referral, make_unborn_referral, months_ago, parent, today


def seed_service(slug: str) -> Service:
    return Service.objects.get(slug=slug)


def reasons(referral) -> list[str]:
    return [r["message"] for r in referral.eligibility_reasons if not r["passed"]]


@pytest.mark.parametrize(
    "params, words",
    [
        ({"antenatal": True, "max_months": 12}, "antenatal to under 12 months"),
        ({"antenatal": False, "max_months": 12}, "birth to under 12 months"),
        ({"antenatal": True, "max_months": 24}, "antenatal to under 2 years"),
        ({"antenatal": True}, "any age"),
        ({"antenatal": False, "max_months": 36}, "birth to under 3 years"),
    ],
)
def test_describe_window_in_words(params, words):
    assert describe_window(params) == words


# --- seed 000: Cambridgeshire and Peterborough, antenatal to the first birthday -----------------------------------


def test_seed_000_baby_of_two_months_eligible(service, coordinator):
    referral = make_referral(service, coordinator)
    assert referral.eligible, referral.eligibility_reasons


def test_seed_000_child_of_two_not_eligible(service, coordinator):
    referral = make_referral(service, coordinator, date_received=today(), child_date_of_birth=months_ago(24))
    assert referral.eligible is False
    assert "child is 24 months old on the referral date: outside antenatal to under 12 months" in reasons(referral)


def test_seed_000_birthday_edge(service, coordinator):
    received = today() - timedelta(days=1)
    day_before_birthday = make_referral(
        service,
        coordinator,
        date_received=received,
        child_date_of_birth=received - relativedelta(years=1) + timedelta(days=1),
    )
    on_birthday = make_referral(
        service, coordinator, date_received=received, child_date_of_birth=received - relativedelta(years=1)
    )
    assert day_before_birthday.eligible
    assert not on_birthday.eligible
    assert "child is 12 months old on the referral date: outside antenatal to under 12 months" in reasons(on_birthday)


def test_seed_000_unborn_baby_eligible(service, coordinator):
    referral = make_unborn_referral(service, coordinator, due=today() + relativedelta(months=3))
    assert referral.eligible


def test_seed_000_needs_mental_health_and_attachment_evidence(service, coordinator):
    referral = make_referral(service, coordinator, mental_health_concerns="", attachment_concerns="")
    assert not referral.eligible
    assert any("missing" in r and "mental health concerns" in r for r in reasons(referral))


def test_seed_000_outside_catchment_not_eligible(service, coordinator, peterborough):
    referral = make_referral(service, coordinator, site=peterborough, parents=[parent(postcode="L36 0UB")])
    assert not referral.eligible
    assert "postcode district is outside the Peterborough catchment" in reasons(referral)


def test_seed_000_source_of_another_service_refused(service, other_service, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_referral(service, coordinator, referral_source=other_service.referral_sources.first())


# --- the other four seeds ------------------------------------------------------------------------------------------


def _with_coordinator(service):
    from accounts.models import Role
    from tests.factories import staff

    return staff(f"coord-{service.slug}", service, Role.COORDINATOR)


def test_seed_001_perinatal_mental_health(services):
    service = seed_service("cwpt-perinatal-mental-health")
    by = _with_coordinator(service)
    unborn = make_unborn_referral(service, by, due=today() + relativedelta(months=4))
    thirteen_months = make_referral(service, by, child_date_of_birth=months_ago(13))
    assert unborn.eligible, unborn.eligibility_reasons
    assert not thirteen_months.eligible


def test_seed_002_haringey_catchment_and_age(services):
    service = seed_service("haringey-through-each-others-eyes")
    by = _with_coordinator(service)
    local = make_referral(service, by, child_date_of_birth=months_ago(6), parents=[parent(postcode="N15 4AB")])
    elsewhere = make_referral(service, by, child_date_of_birth=months_ago(6), parents=[parent(postcode="PE1 1AA")])
    assert local.eligible, local.eligibility_reasons
    assert not elsewhere.eligible


def test_seed_003_accepts_a_child_of_two_with_its_questions_answered(services):
    service = seed_service("together-for-families-vig")
    by = _with_coordinator(service)
    answers = {
        "hoped_for_change": "Warmer play together; agreed with mum.",
        "impact_on_child": "Feels noticed and enjoyed.",
        "older_children_consent": "No older children.",
    }
    two_year_old = make_referral(
        service,
        by,
        child_date_of_birth=months_ago(24),
        question_answers=answers,
        reason_details="",
        concerns=["lack_of_warmth"],
    )
    unanswered = make_referral(service, by, child_date_of_birth=months_ago(24), question_answers={})
    assert two_year_old.eligible, two_year_old.eligibility_reasons
    assert not unanswered.eligible
    assert any(r.startswith("unanswered: What change is hoped for") for r in reasons(unanswered))


def test_seed_004_babies_only_not_antenatal(services):
    service = seed_service("mersey-care-building-attachment-and-bonds")
    by = _with_coordinator(service)
    knowsley = service.sites.get(name="Knowsley")
    baby = make_referral(
        service, by, site=knowsley, child_date_of_birth=months_ago(3), parents=[parent(postcode="L36 0UB")]
    )
    unborn = make_unborn_referral(
        service,
        by,
        site=knowsley,
        due=today() + relativedelta(months=2),
        parents=[parent(postcode="L36 0UB")],
    )
    assert baby.eligible, baby.eligibility_reasons
    assert not unborn.eligible
    assert "unborn baby: this service starts at birth (birth to under 12 months)" in reasons(unborn)


def test_eligibility_is_kept_as_computed_then(service, coordinator):
    """The stored result does not change when the rules change later."""
    referral = make_referral(service, coordinator)
    service.eligibility_rules.filter(kind="age_window").update(params={"antenatal": True, "max_months": 1})
    referral.refresh_from_db()
    assert referral.eligible


def test_postcode_typed_without_space_still_in_catchment(service, coordinator, peterborough):
    referral = make_referral(service, coordinator, site=peterborough, parents=[parent(postcode="pe11aa")])
    assert referral.eligible, referral.eligibility_reasons
    assert referral.parents.get().postcode == "PE1 1AA"
