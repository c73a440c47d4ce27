"""The evaluation export: no direct identifier in any column, only consented families, permission-checked, logged;
and the service-level figures."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from outcomes.export import HEADER
from outcomes.reads import service_figures
from referrals import actions as referral_actions
from tests.outcomes.helpers_outcomes import EPDS_13, family, give_consent, goal_ratings, record
from tests.referrals.helpers import TEST_NHS_NUMBERS, parent

pytestmark = pytest.mark.django_db

ALLOWED_COLUMNS = {
    "family": r"[0-9a-f]{12}",
    "instrument": r"[a-z0-9]+",
    "instrument_version": r"[\w .()-]+",
    "time_point": r"baseline|mid|end|follow_up",
    "month_completed": r"\d{4}-\d{2}",
    "child_age_months": r"\d{0,3}",
    "scale": r"[a-z_0-9]+",
    "score": r"[\d.]*",
    "band": r"[\w ()–,;-]*",
    "scorable": r"yes|no",
    "prorated": r"yes|no",
}


def export(client, service):
    response = client.post(reverse("outcomes:evaluation_export"), {"service": service.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def consented_family(service, coordinator, practitioner, nhs_number, name="Jane Example"):
    referral = family(service, coordinator, practitioner, parents=[parent(name=name, nhs_number=nhs_number)])
    record(referral, practitioner, days_ago=40)
    record(referral, practitioner, time_point="end", values=EPDS_13)
    goal_ratings(referral, practitioner, [(2, 7)])
    return referral


def test_export_has_no_direct_identifier_in_any_column(login, service, coordinator, practitioner):
    referral = consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[0], name="Zoë Uniquename")
    give_consent(referral, coordinator)
    rows = export(login(coordinator), service)
    assert rows and list(rows[0]) == HEADER == list(ALLOWED_COLUMNS)
    person = referral.parents.first()
    forbidden = [
        person.name,
        "Uniquename",
        person.nhs_number,
        person.postcode,
        person.address,
        person.phone,
        str(person.date_of_birth),
        referral.child_name,
        str(referral.child_date_of_birth),
        referral.reference,
        referral.referrer_name,
        "What am I doing well",
    ]
    for row in rows:
        for column, value in row.items():
            assert re.fullmatch(ALLOWED_COLUMNS[column], value), (column, value)
            for identifier in forbidden:
                assert identifier not in value, (column, value)
        assert row["family"] != str(referral.pk)
    assert {r["instrument"] for r in rows} == {"epds", "gbo"}


def test_family_ids_are_new_in_every_export(login, service, coordinator, practitioner):
    referral = consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[0])
    give_consent(referral, coordinator)
    client = login(coordinator)
    assert export(client, service)[0]["family"] != export(client, service)[0]["family"]


def test_families_without_evaluation_consent_are_left_out(login, service, coordinator, practitioner):
    consented = consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[0])
    give_consent(consented, coordinator)
    refused = consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[1])
    give_consent(refused, coordinator, evaluation=False)
    withdrawn = consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[2])
    from tests.referrals.helpers import today

    give_consent(withdrawn, coordinator, withdrawn_on=today())
    consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[3])  # no consent recorded at all
    rows = export(login(coordinator), service)
    assert len({r["family"] for r in rows}) == 1


def test_one_parent_saying_no_leaves_the_family_out(login, service, coordinator, practitioner):
    referral = family(
        service,
        coordinator,
        practitioner,
        parents=[parent(nhs_number=TEST_NHS_NUMBERS[0]), parent(name="John Example", nhs_number=TEST_NHS_NUMBERS[1])],
    )
    record(referral, practitioner)
    mother, father = referral.parents.all()
    give_consent(referral, coordinator, parents=[mother])
    give_consent(referral, coordinator, parents=[father], evaluation=False)
    assert export(login(coordinator), service) == []


def test_export_is_permission_checked_and_logged(login, service, coordinator, practitioner, manager):
    assert login(practitioner).get(reverse("outcomes:evaluation_export")).status_code == 403
    referral = consented_family(service, coordinator, practitioner, TEST_NHS_NUMBERS[0])
    give_consent(referral, coordinator)
    export(login(manager), service)
    event = AccessEvent.objects.get(action=AccessAction.EXPORT)
    assert event.user_id == manager.pk and event.detail["families"] == 1 and event.detail["service"] == service.pk


def test_other_service_cannot_export_our_service(login, service, other_coordinator):
    response = login(other_coordinator).post(reverse("outcomes:evaluation_export"), {"service": service.pk})
    assert response.status_code == 400


def test_service_figures_pairs_mean_change_reliable_change_and_closed_cases(service, coordinator, practitioner):
    improved = family(service, coordinator, practitioner)
    record(improved, practitioner, values=[3, 3, 0, 3, 0, 0, 0, 0, 0, 3], days_ago=60)  # 27
    record(improved, practitioner, time_point="end", values=EPDS_13)  # 13: reliably improved
    same = family(service, coordinator, practitioner)
    record(same, practitioner, days_ago=60)  # 13
    record(same, practitioner, time_point="end", values=[1, 1, 1, 2, 2, 1, 2, 1, 3, 3])  # 12: no reliable change
    baseline_only = family(service, coordinator, practitioner)
    record(baseline_only, practitioner, days_ago=60)
    goal_ratings(improved, practitioner, [(2, 7), (3, 5)])
    referral_actions.withdraw_referral(referral=same, reason="Family moved away", by=coordinator)
    referral_actions.withdraw_referral(referral=baseline_only, reason="Family moved away", by=coordinator)
    figures = service_figures(service=service)
    epds = next(m for m in figures["measures"] if m["instrument"] == "epds")
    assert epds["pairs"] == 2 and epds["mean_change"] == Decimal("-7.50")
    assert epds["percent_reliably_improved"] == Decimal("50.0")
    assert epds["percent_no_reliable_change"] == Decimal("50.0")
    assert epds["percent_reliably_deteriorated"] == Decimal("0.0")
    gbo = next(m for m in figures["measures"] if m["instrument"] == "gbo")
    assert gbo["pairs"] == 2 and gbo["mean_change"] == Decimal("3.50") and gbo["percent_reliably_improved"] == 50
    assert figures["closed_cases"] == 2 and figures["closed_with_baseline_and_end"] == 1
    assert figures["percent_closed_with_baseline_and_end"] == Decimal("50.0")
