from datetime import date

from referrals import actions
from tests.referrals.helpers import TEST_NHS_NUMBERS, make_referral, parent


def find(service, numbers=(), names=()):
    return list(
        actions.possible_duplicates(service=service, nhs_numbers=list(numbers), parent_names_and_dobs=list(names))
    )


def test_same_nhs_number_open_in_same_service_is_a_possible_duplicate(service, coordinator):
    existing = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0])])
    assert find(service, numbers=[TEST_NHS_NUMBERS[0]]) == [existing]


def test_same_parent_name_and_birth_date_is_a_possible_duplicate(service, coordinator):
    existing = make_referral(service, coordinator)
    assert find(service, names=[("jane example", date(1992, 5, 17))]) == [existing]
    assert find(service, names=[("Jane Example", date(1992, 5, 18))]) == []


def test_duplicates_never_cross_services(service, other_service, coordinator, other_coordinator):
    knowsley = other_service.sites.get(name="Knowsley")
    make_referral(
        other_service,
        other_coordinator,
        site=knowsley,
        parents=[parent(nhs_number=TEST_NHS_NUMBERS[1], postcode="L36 0UB")],
    )
    assert find(service, numbers=[TEST_NHS_NUMBERS[1]], names=[("Jane Example", date(1992, 5, 17))]) == []


def test_closed_referrals_are_not_duplicates(service, coordinator):
    existing = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[2])])
    actions.withdraw_referral(referral=existing, reason="Moved", by=coordinator)
    assert find(service, numbers=[TEST_NHS_NUMBERS[2]]) == []


def test_create_refuses_a_suspected_duplicate_until_confirmed(service, coordinator):
    import pytest

    from referrals.models import Referral
    from tests.referrals.helpers import referral_data

    existing = make_referral(service, coordinator)
    with pytest.raises(actions.DuplicateSuspected) as raised:
        actions.create_referral(service=service, data=referral_data(service), parents=[parent()], by=coordinator)
    assert raised.value.referrals == [existing]
    assert Referral.objects.count() == 1
    actions.create_referral(
        service=service, data=referral_data(service), parents=[parent()], by=coordinator, confirmed_not_duplicate=True
    )
    assert Referral.objects.count() == 2


def test_the_check_finds_each_identifier_through_its_own_index(service, coordinator):
    """No OR across the parents join and no DISTINCT over whole referral rows (which walk every open referral of a
    backlogged service): the matches are ids from each identifier's index, `pk IN (… UNION …)`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    existing = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[3])])
    with CaptureQueriesContext(connection) as queries:
        found = find(service, numbers=[TEST_NHS_NUMBERS[3]], names=[("  jane EXAMPLE ", date(1992, 5, 17))])
    assert found == [existing]
    statements = [q["sql"].upper() for q in queries.captured_queries]
    # The parents born that day (their index), the referrals, then the listed parents (`with_list_details`).
    assert len(statements) == 3
    assert "DATE_OF_BIRTH" in statements[0] and "UNION" in statements[1]
    assert all("DISTINCT" not in sql and " OR " not in sql for sql in statements)
