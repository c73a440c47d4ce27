"""NHS numbers: ten digits, the last a Modulus 11 check digit.

People type them with spaces or dashes; we store ten digits and show them 3-3-4.
"""

import re

WEIGHTS = range(10, 1, -1)
FORMAT_MESSAGE = "NHS number must be 10 digits, like 943 476 5919"


class InvalidNHSNumber(ValueError):
    """The text is not a valid NHS number; the message says why in words a coordinator understands."""


def normalise(value: str) -> str:
    """Digits only: '943 476 5919' and '943-476-5919' are the same number."""
    return re.sub(r"[\s-]", "", value or "")


def check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when the remainder gives 10 (no valid number)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, WEIGHTS, strict=True))
    digit = 11 - (total % 11)
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def validate(value: str) -> str:
    """Return the ten-digit form, or raise InvalidNHSNumber."""
    digits = normalise(value)
    if not digits.isdigit() or len(digits) != 10:
        raise InvalidNHSNumber(FORMAT_MESSAGE)
    expected = check_digit(digits[:9])
    if expected is None or expected != int(digits[9]):
        raise InvalidNHSNumber("This is not a valid NHS number. Check it has been copied correctly")
    return digits


def is_valid(value: str) -> bool:
    """A yes/no check for places that only need to know, not why."""
    try:
        validate(value)
    except InvalidNHSNumber:
        return False
    return True


def display(digits: str) -> str:
    """'9434765919' → '943 476 5919'; anything else is returned as it is."""
    if digits and len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits or ""


def is_test_range(digits: str) -> bool:
    """Synthetic numbers for demos and tests start with 999 (never issued to a person)."""
    return digits.startswith("999")
