"""Checks a referral's dates and identifiers against each other.

Shared by the page form, the API serializer and the actions, so bad data is refused the same way everywhere.
Errors are keyed by field name, as Django's ValidationError dict, so they appear next to the field or in a 400.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_MONTHS_TO_EXPECTED_DELIVERY = 10


def referral_date_errors(
    *,
    date_received: date | None,
    child_unborn: bool,
    child_date_of_birth: date | None,
    expected_delivery_date: date | None,
    parent_dates_of_birth: list[date | None],
    today: date | None = None,
) -> dict[str, str]:
    """Return {field: message} for impossible or implausible dates; empty when all is well."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if date_received and date_received > today:
        errors["date_received"] = "Date received must be today or in the past"
    if child_unborn:
        if child_date_of_birth:
            errors["child_date_of_birth"] = "An unborn baby has no date of birth: record the birth later"
        if not expected_delivery_date:
            errors["expected_delivery_date"] = "Enter the expected date of delivery"
        elif date_received:
            latest = date_received + relativedelta(months=MAX_MONTHS_TO_EXPECTED_DELIVERY)
            if expected_delivery_date > latest:
                errors["expected_delivery_date"] = (
                    "Expected date of delivery must be within 10 months of the date received"
                )
    else:
        if not child_date_of_birth:
            errors["child_date_of_birth"] = "Enter the child's date of birth, or say the baby is not born yet"
        elif child_date_of_birth > today:
            errors["child_date_of_birth"] = "Child's date of birth must be today or in the past"
        elif date_received and child_date_of_birth > date_received:
            errors["child_date_of_birth"] = "Child's date of birth must be on or before the date received"
    child_born = child_date_of_birth if not child_unborn else None
    for parent_dob in parent_dates_of_birth:
        if parent_dob and parent_dob > today:
            errors.setdefault("parent_date_of_birth", "Parent's date of birth must be in the past")
        elif parent_dob and child_born and child_born <= parent_dob:
            errors.setdefault("child_date_of_birth", "Child's date of birth must be after the parent's date of birth")
    return errors


def validate_referral_dates(**kwargs) -> None:
    """Raise ValidationError({field: message}) when `referral_date_errors` finds anything."""
    errors = referral_date_errors(**kwargs)
    if errors:
        raise ValidationError(errors)


def birth_date_errors(*, date_of_birth: date | None, referral_date_received: date, today: date | None = None) -> str:
    """The birth of an unborn baby, recorded later: not in the future, not long before the referral."""
    today = today or timezone.localdate()
    if date_of_birth is None:
        return "Enter the date of birth"
    if date_of_birth > today:
        return "Date of birth must be today or in the past"
    if date_of_birth < referral_date_received - relativedelta(months=1):
        return "Date of birth is long before the referral, when the baby was unborn: check it"
    return ""
