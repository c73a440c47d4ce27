"""Property tests (hypothesis) for the validators every referral passes through: NHS numbers and dates.

Any valid input is accepted and comes back in one canonical form; any invalid one is refused with a message, never
an exception of another kind.
"""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from referrals import nhs_number
from referrals.validation import birth_date_errors, referral_date_errors

TODAY = date(2026, 11, 25)
nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@settings(max_examples=300, deadline=None)
@given(nine_digits, st.sampled_from(["", " ", "-"]))
def test_a_number_with_its_check_digit_is_accepted_however_it_is_spaced(first_nine, separator):
    digit = nhs_number.check_digit(first_nine)
    if digit is None:
        return  # no valid number starts with these nine digits
    digits = f"{first_nine}{digit}"
    typed = separator.join([digits[:3], digits[3:6], digits[6:]])
    assert nhs_number.validate(typed) == digits
    assert nhs_number.display(digits).replace(" ", "") == digits


@settings(max_examples=300, deadline=None)
@given(nine_digits, st.integers(min_value=0, max_value=9))
def test_any_other_check_digit_is_refused(first_nine, last):
    if nhs_number.check_digit(first_nine) == last:
        return
    assert not nhs_number.is_valid(f"{first_nine}{last}")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_any_text_is_either_a_valid_number_or_refused_with_words(text):
    try:
        digits = nhs_number.validate(text)
    except nhs_number.InvalidNHSNumber as refusal:
        assert str(refusal)
    else:
        assert len(digits) == 10 and digits.isdigit()


days = st.integers(min_value=-3650, max_value=3650).map(lambda n: TODAY + timedelta(days=n))


@settings(max_examples=300, deadline=None)
@given(received=days, born=days, parent=days)
def test_referral_dates_are_refused_exactly_when_impossible(received, born, parent):
    errors = referral_date_errors(
        date_received=received,
        child_unborn=False,
        child_date_of_birth=born,
        expected_delivery_date=None,
        parent_dates_of_birth=[parent],
        today=TODAY,
    )
    impossible = received > TODAY or born > TODAY or born > received or parent > TODAY or born <= parent
    assert bool(errors) == impossible
    assert all(isinstance(message, str) and message for message in errors.values())


@settings(max_examples=300, deadline=None)
@given(born=days, received=days)
def test_a_recorded_birth_is_never_in_the_future(born, received):
    message = birth_date_errors(date_of_birth=born, referral_date_received=received, today=TODAY)
    if born > TODAY:
        assert message
    assert isinstance(message, str)
