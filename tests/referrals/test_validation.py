from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from referrals.validation import referral_date_errors
from tests.referrals.helpers import make_referral, parent, today


def errors(**overrides):
    kwargs = {
        "date_received": today(),
        "child_unborn": False,
        "child_date_of_birth": today() - timedelta(days=30),
        "expected_delivery_date": None,
        "parent_dates_of_birth": [date(1990, 1, 1)],
    }
    kwargs.update(overrides)
    return referral_date_errors(**kwargs)


def test_dates_all_well():
    assert errors() == {}


def test_referral_dated_in_future_is_an_error():
    assert errors(date_received=today() + timedelta(days=1)) == {
        "date_received": "Date received must be today or in the past"
    }


def test_child_born_before_parent_is_an_error():
    assert "child_date_of_birth" in errors(child_date_of_birth=date(1989, 1, 1), date_received=today())


def test_expected_delivery_more_than_ten_months_ahead_is_an_error():
    too_far = today() + relativedelta(months=10) + timedelta(days=1)
    ok = today() + relativedelta(months=10)
    unborn = {"child_unborn": True, "child_date_of_birth": None}
    assert "expected_delivery_date" in errors(expected_delivery_date=too_far, **unborn)
    assert errors(expected_delivery_date=ok, **unborn) == {}


def test_unborn_needs_expected_delivery_date():
    assert "expected_delivery_date" in errors(child_unborn=True, child_date_of_birth=None)


def test_child_born_after_referral_date_is_an_error():
    assert "child_date_of_birth" in errors(date_received=today() - timedelta(days=10), child_date_of_birth=today())


def test_action_refuses_bad_dates_and_saves_nothing(service, coordinator):
    from referrals.models import Referral

    with pytest.raises(ValidationError) as raised:
        make_referral(service, coordinator, parents=[parent(date_of_birth=today() + timedelta(days=2))])
    assert "parent_date_of_birth" in raised.value.message_dict
    assert not Referral.objects.exists()


def test_action_refuses_invalid_nhs_number(service, coordinator):
    with pytest.raises(ValidationError) as raised:
        make_referral(service, coordinator, child_nhs_number="943 476 5918")
    assert raised.value.message_dict["child_nhs_number"] == [
        "This is not a valid NHS number. Check it has been copied correctly"
    ]
