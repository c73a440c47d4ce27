"""Making referrals in tests, always through the actions (never .save()).

NHS numbers come from the 999 test range only.
"""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Service
from referrals import actions
from referrals.models import Referral

# Valid Modulus 11 numbers in the 999 test range.
TEST_NHS_NUMBERS = ["9990000018", "9990000026", "9990000034", "9990000042", "9990000050", "9990000069"]


def today() -> date:
    return timezone.localdate()


def months_ago(months: int, days: int = 0) -> date:
    from dateutil.relativedelta import relativedelta

    return today() - relativedelta(months=months) - timedelta(days=days)


def parent(**overrides) -> dict:
    data = {
        "name": "Jane Example",
        "relationship": "Mother",
        "date_of_birth": date(1992, 5, 17),
        "nhs_number": "",
        "address": "1 Test Street, Peterborough",
        "postcode": "PE1 1AA",
        "phone": "01234 567890",
        "preferred_language": "English",
        "interpreter_needed": False,
        "communication_format": "",
        "communication_support": "",
        "ethnic_category": "Z",
    }
    data.update(overrides)
    return data


def referral_data(service: Service, **overrides) -> dict:
    """A referral that seed 000 (Cambridgeshire and Peterborough) finds eligible."""
    site = overrides.pop("site", None) or service.sites.order_by("name").last()
    source = overrides.pop("referral_source", None) or service.referral_sources.order_by("name").first()
    data = {
        "site": site,
        "date_received": today() - timedelta(days=3),
        "referral_source": source,
        "referrer_name": "Helen Visitor",
        "referrer_role": "Health visitor",
        "referrer_organisation": "Test health visiting team",
        "referrer_contact": "01234 000000",
        "child_unborn": False,
        "child_name": "Baby Example",
        "child_date_of_birth": months_ago(2),
        "expected_delivery_date": None,
        "child_nhs_number": "",
        "child_send": False,
        "child_send_details": "",
        "gp_practice": "Test Surgery",
        "named_health_visitor": "Helen Visitor",
        "named_health_visitor_team": "Test health visiting team",
        "named_health_visitor_address": "Test Clinic\n2 Clinic Road\nPeterborough PE1 2BB",
        "named_health_visitor_contact": "01234 000000",
        "concerns": ["bonding"],
        "reason_details": "",
        "attachment_concerns": "Mother finds it hard to read her baby's cues.",
        "mental_health_concerns": "Postnatal depression.",
        "hoped_for_change": "",
        "change_agreed_with_parent": "unknown",
        "impact_on_child": "",
        "parent_consented_to_referral": True,
        "prfq_completed": False,
        "question_answers": {},
        "safeguarding_status": "none_known",
        "risks_to_staff": "",
        "confidential_address": False,
        "bereavement": False,
    }
    data.update(overrides)
    return data


def make_referral(service: Service, by, *, parents=None, other_children=(), **overrides) -> Referral:
    return actions.create_referral(
        service=service,
        data=referral_data(service, **overrides),
        parents=parents or [parent()],
        other_children=list(other_children),
        by=by,
        confirmed_not_duplicate=True,  # most tests record the same made-up family many times
    )


def make_unborn_referral(service: Service, by, *, due: date, **overrides) -> Referral:
    """A referral for a baby not born yet, due on `due`: no name and no date of birth, as a referrer sends it."""
    return make_referral(
        service,
        by,
        child_unborn=True,
        child_name="",
        child_date_of_birth=None,
        expected_delivery_date=due,
        **overrides,
    )


def post_data(service: Service, **overrides) -> dict:
    """The same referral as a browser would post the page form (dates as ISO strings)."""
    data = referral_data(service)
    form = {
        "service": service.slug,
        "site": data["site"].pk,
        "referral_source": data["referral_source"].pk,
        "date_received": data["date_received"].isoformat(),
        "child_unborn": "no",
        "child_date_of_birth": data["child_date_of_birth"].isoformat(),
        "concerns": data["concerns"],
        "safeguarding_status": "none_known",
        "change_agreed_with_parent": "unknown",
        "parent_consented_to_referral": "on",
    }
    for name in (
        "referrer_name",
        "referrer_role",
        "referrer_organisation",
        "referrer_contact",
        "child_name",
        "gp_practice",
        "named_health_visitor",
        "named_health_visitor_contact",
        "attachment_concerns",
        "mental_health_concerns",
    ):
        form[name] = data[name]
    for name, value in parent().items():
        form[f"parent1_{name}"] = value.isoformat() if isinstance(value, date) else ("" if value is False else value)
    form.pop("parent1_interpreter_needed")
    form["parent2_ethnic_category"] = "Z"
    form["parent2_preferred_language"] = ""
    form.update(overrides)
    return form
