"""What consent covers on a day: the helpers filming, supervision and training use ask (`cycles.reads.consents`).

Each test tries to get past the rule: no consent, a 12+ child without their own, filming after a withdrawal, a
training-only withdrawal, and a consent dated after the filming.
"""

import pytest

from cycles import actions
from cycles.models import ConsentItem
from cycles.reads.consents import current_summary, needs_own_consent, refusal_for_filming, refusal_for_item
from tests.cycles.helpers_consent import (
    ALL_ITEMS,
    days_ago,
    give_consent,
    make_family,
    people,
    today,
    use_private_folder,
    years_ago,
)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    return use_private_folder(settings, tmp_path)


@pytest.fixture
def family(service, coordinator, practitioner):
    return make_family(service, coordinator, practitioner)


def filming_refusal(referral, *, parents=None, children=(), day=None):
    mother, father, _, _ = people(referral)
    return refusal_for_filming(
        referral, parents=parents if parents is not None else [mother, father], children=children, day=day or today()
    )


def test_filming_without_any_consent_is_refused_and_says_who(family):
    refusal = filming_refusal(family)
    assert "No current consent to filming" in refusal
    assert "Jane Example has not given consent" in refusal and "John Example has not given consent" in refusal


def test_filming_with_both_parents_consent_is_covered(family, practitioner):
    give_consent(family, practitioner)
    assert filming_refusal(family) == ""


def test_one_parent_missing_is_still_refused(family, practitioner):
    mother, father, _, _ = people(family)
    give_consent(family, practitioner, who=[mother])
    refusal = filming_refusal(family)
    assert "John Example has not given consent" in refusal and "Jane Example" not in refusal


def test_a_parent_who_did_not_tick_filming_is_refused(family, practitioner):
    give_consent(family, practitioner, agreed=[ConsentItem.SUPERVISOR_VIEWING])
    assert "Jane Example did not agree to it" in filming_refusal(family)


def test_child_aged_twelve_or_over_filmed_without_own_consent_is_refused(family, practitioner):
    _, _, older, _ = people(family)
    give_consent(family, practitioner)
    refusal = filming_refusal(family, children=[older])
    assert "Sam Example has not given consent (a child aged 12 or over)" in refusal


def test_child_aged_twelve_or_over_with_own_consent_is_covered(family, practitioner):
    mother, father, older, _ = people(family)
    give_consent(family, practitioner, who=[mother, father, older])
    assert filming_refusal(family, children=[older]) == ""


def test_nine_year_old_needs_no_own_consent(family, practitioner):
    _, _, _, younger = people(family)
    give_consent(family, practitioner)
    assert not needs_own_consent(younger, today())
    assert filming_refusal(family, children=[younger]) == ""


def test_age_is_taken_on_the_filming_date(family):
    _, _, older, _ = people(family)
    older.date_of_birth = years_ago(12)  # 12th birthday today: 11 yesterday
    assert needs_own_consent(older, today())
    assert not needs_own_consent(older, days_ago(1))


def test_child_of_unknown_age_is_asked_too(family):
    _, _, older, _ = people(family)
    older.date_of_birth = None
    assert needs_own_consent(older, today())


def test_filming_after_withdrawal_is_refused_with_the_date(family, practitioner):
    consent = give_consent(family, practitioner, given_on=days_ago(30))
    mother = consent.givers.get(parent__name="Jane Example")
    actions.withdraw_consent(
        consent=consent,
        givers=[mother],
        withdrawn_on=days_ago(10),
        reason="Changed her mind",
        by=practitioner,
    )
    refusal = filming_refusal(family, day=days_ago(5))
    assert f"Jane Example withdrew it on {days_ago(10):%-d %B %Y}" in refusal
    assert filming_refusal(family, day=days_ago(10)) != ""  # from the withdrawal date itself


def test_filming_before_the_withdrawal_date_is_still_covered(family, practitioner):
    consent = give_consent(family, practitioner, given_on=days_ago(30))
    actions.withdraw_consent(consent=consent, withdrawn_on=days_ago(10), reason="Moving away", by=practitioner)
    assert filming_refusal(family, day=days_ago(11)) == ""
    assert filming_refusal(family, day=days_ago(30)) == ""


def test_training_only_withdrawal_refuses_training_but_not_filming(family, practitioner):
    consent = give_consent(family, practitioner, given_on=days_ago(30))
    actions.withdraw_consent(
        consent=consent, items=[ConsentItem.TRAINING], withdrawn_on=days_ago(2), reason="Not training", by=practitioner
    )
    mother, father, _, _ = people(family)
    refusal = refusal_for_item(
        family, people=[mother, father], item=ConsentItem.TRAINING, day=today(), doing="mark this clip for training"
    )
    assert refusal.startswith("No current consent to use in training")
    assert "withdrew it on" in refusal and "you cannot mark this clip for training" in refusal
    assert filming_refusal(family) == ""
    supervisor = refusal_for_item(
        family, people=[mother], item=ConsentItem.SUPERVISOR_VIEWING, day=today(), doing="supervise"
    )
    assert supervisor == ""


def test_consent_given_after_the_filming_date_does_not_cover_it(family, practitioner):
    give_consent(family, practitioner, given_on=days_ago(5))
    refusal = filming_refusal(family, day=days_ago(6))
    assert f"agreed only on {days_ago(5):%-d %B %Y}" in refusal
    assert filming_refusal(family, day=days_ago(5)) == ""


def test_withdrawal_reaches_an_earlier_consent_of_the_same_person(family, practitioner):
    """A second, later form cannot leave the first one covering what the parent took back."""
    give_consent(family, practitioner, given_on=days_ago(40))
    later = give_consent(family, practitioner, given_on=days_ago(30))
    actions.withdraw_consent(consent=later, withdrawn_on=days_ago(3), reason="No more filming", by=practitioner)
    assert filming_refusal(family, day=days_ago(1)) != ""


def test_agreeing_again_after_a_withdrawal_covers_from_the_new_date(family, practitioner):
    first = give_consent(family, practitioner, given_on=days_ago(30))
    actions.withdraw_consent(consent=first, withdrawn_on=days_ago(20), reason="Unwell", by=practitioner)
    give_consent(family, practitioner, given_on=days_ago(10))
    assert filming_refusal(family, day=days_ago(15)) != ""
    assert filming_refusal(family, day=days_ago(10)) == ""


def test_summary_lists_who_currently_agrees_to_each_item(family, practitioner):
    mother, father, _, _ = people(family)
    give_consent(family, practitioner, who=[mother], agreed=ALL_ITEMS)
    give_consent(family, practitioner, who=[father], agreed=[ConsentItem.FILMING])
    summary = current_summary(family, today())
    assert summary[ConsentItem.FILMING] == ["Jane Example", "John Example"]
    assert summary[ConsentItem.TRAINING] == ["Jane Example"]
