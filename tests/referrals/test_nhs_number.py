import pytest

from referrals import nhs_number


@pytest.mark.parametrize("value", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "])
def test_nhs_number_valid_in_any_layout(value):
    assert nhs_number.validate(value) == "9434765919"


def test_nhs_number_wrong_check_digit_invalid():
    with pytest.raises(nhs_number.InvalidNHSNumber, match="not a valid NHS number"):
        nhs_number.validate("943 476 5918")


def test_nhs_number_whose_check_digit_would_be_ten_invalid():
    assert nhs_number.check_digit("999000000") is None
    for last in "0123456789":
        assert not nhs_number.is_valid(f"999000000{last}")


@pytest.mark.parametrize("value", ["", "12345", "94347659190", "94347659I9"])
def test_nhs_number_wrong_length_or_letters_invalid(value):
    with pytest.raises(nhs_number.InvalidNHSNumber, match="10 digits"):
        nhs_number.validate(value)


def test_nhs_number_check_digit_eleven_becomes_zero():
    digits = next(f"{n}" for n in range(999000000, 999010000) if nhs_number.check_digit(str(n)) == 0)
    assert nhs_number.is_valid(digits + "0")


def test_nhs_number_display_three_three_four():
    assert nhs_number.display("9434765919") == "943 476 5919"


def test_test_data_uses_the_999_range_only():
    from tests.referrals.helpers import TEST_NHS_NUMBERS

    assert all(nhs_number.is_valid(n) and nhs_number.is_test_range(n) for n in TEST_NHS_NUMBERS)
