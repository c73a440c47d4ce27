"""What keeps search, lists and caseloads fast with 100,000 referrals: the shape of the SQL they run.

The timings themselves come from `manage.py benchmark` on scale data; these tests pin the query shapes that made
the difference, and (on PostgreSQL) that an index can serve each one.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import Referral
from referrals.reads.caseloads import practitioners_in
from tests.referrals.allocation_helpers import allocated_referral, set_details
from tests.referrals.helpers import TEST_NHS_NUMBERS, make_referral, parent
from tests.services import require_postgres

LIST_URL = "/api/v1/referrals/"


def sql_of(queryset) -> str:
    return str(queryset.query)


def test_search_by_nhs_number_has_no_or_or_distinct_across_parents(db):
    sql = sql_of(Referral.objects.search(nhs_number=TEST_NHS_NUMBERS[0]))
    assert "DISTINCT" not in sql
    assert " OR " not in sql
    assert "UNION" in sql


def test_search_by_name_has_no_or_or_distinct_across_parents(db):
    sql = sql_of(Referral.objects.search(name="example"))
    assert "DISTINCT" not in sql
    assert " OR " not in sql


def test_search_finds_child_or_parent_by_nhs_number_and_name(coordinator, service):
    by_parent = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0], name="Ann Oak")])
    by_child = make_referral(service, coordinator, child_nhs_number=TEST_NHS_NUMBERS[1], child_name="Kit Ash")
    assert list(Referral.objects.search(nhs_number=TEST_NHS_NUMBERS[0])) == [by_parent]
    assert list(Referral.objects.search(nhs_number=TEST_NHS_NUMBERS[1])) == [by_child]
    assert list(Referral.objects.search(name="oak")) == [by_parent]
    assert list(Referral.objects.search(name="ASH")) == [by_child]


def test_postcode_district_matches_exactly(coordinator, service):
    pe1 = make_referral(service, coordinator, parents=[parent(postcode="PE1 1AA")])
    pe13 = make_referral(service, coordinator, parents=[parent(postcode="PE13 1AA")])
    assert list(Referral.objects.search(postcode="pe1")) == [pe1]
    assert list(Referral.objects.search(postcode="PE13")) == [pe13]
    assert list(Referral.objects.search(postcode="pe131aa")) == [pe13]
    assert list(Referral.objects.search(postcode="PE1 1AB")) == []
    assert set(Referral.objects.search(postcode="PE")) == {pe1, pe13}


def test_postcode_search_never_matches_a_confidential_address(coordinator, service):
    make_referral(service, coordinator, confidential_address=True, parents=[parent(postcode="PE1 1AA")])
    assert list(Referral.objects.search(postcode="PE1 1AA")) == []


def test_api_list_runs_no_count(login, coordinator, service):
    make_referral(service, coordinator)
    client = login(coordinator)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]


def test_api_search_runs_no_count(login, coordinator, service):
    make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0])])
    client = login(coordinator)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL, {"nhs_number": TEST_NHS_NUMBERS[0]})
    assert len(response.json()["results"]) == 1
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]


def test_api_list_pages_with_next_and_previous_but_no_count(login, coordinator, service):
    made = [make_referral(service, coordinator) for _ in range(3)]
    client = login(coordinator)
    first = client.get(LIST_URL, {"limit": 2}).json()
    assert "count" not in first
    assert [r["id"] for r in first["results"]] == [r.pk for r in made[:2]]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [made[2].pk]
    assert second["next"] is None
    assert second["previous"] is not None


def test_api_schema_documents_the_list_without_count(login, coordinator):
    schema = login(coordinator).get("/api/v1/schema/", {"format": "json"}).json()
    page = schema["components"]["schemas"]["PaginatedReferralListOutList"]
    assert set(page["properties"]) == {"next", "previous", "results"}


def test_open_cases_counted_without_joining_every_allocation(coordinator, service, practitioner):
    set_details(practitioner, service, coordinator, capacity=6)
    allocated_referral(service, coordinator, practitioner)
    with CaptureQueriesContext(connection) as captured:
        (membership,) = practitioners_in([service.pk])
    assert membership.open_cases == 1
    membership_sql = next(q["sql"] for q in captured if 'FROM "accounts_membership"' in q["sql"])
    assert 'LEFT OUTER JOIN "referrals_allocation"' not in membership_sql
    assert "GROUP BY" not in membership_sql.split("(SELECT", 1)[0]


def test_coordinator_home_counts_only_open_statuses(login, coordinator, service):
    make_referral(service, coordinator)
    with CaptureQueriesContext(connection) as captured:
        login(coordinator).get("/")
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and 'FROM "referrals_referral"' in q["sql"]]
    assert counts
    assert all('"status" IN' in sql for sql in counts)


# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL: with sequential scans discouraged, each query can be answered from an index (tiny tables would
# otherwise always be scanned).
# ---------------------------------------------------------------------------------------------------------------


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_postgres_nhs_number_search_uses_indexes(coordinator, service):
    require_postgres()
    plan = explain(Referral.objects.filter(service=service).search(nhs_number=TEST_NHS_NUMBERS[0]))
    assert "Seq Scan" not in plan, plan


@pytest.mark.postgres
def test_postgres_postcode_search_uses_an_index(coordinator, service):
    require_postgres()
    plan = explain(Referral.objects.filter(service=service).search(postcode="PE1"))
    assert "Seq Scan on referrals_parent" not in plan, plan


@pytest.mark.postgres
def test_postgres_name_search_uses_trigram_indexes(coordinator, service):
    """Within the searcher's services, a name is found by the `(service_id, name)` trigram indexes: the service is a
    condition inside the index, so a common name's matches in other services are never read (migration 0014)."""
    require_postgres()
    found = Referral.objects.filter(service=service).search(name="example", service_ids=[service.pk])
    plan = explain(found)
    assert "parent_service_name_key_trgm" in plan, plan  # a tiny table: the child side may use the service's btree
    # The service goes in as bigint, the type btree_gin's operator class takes (an integer would be checked row by
    # row after the name): on the 1,000,000-referral database the parents' part read 93 buffers, not 28,000.
    sql, _params = found.query.sql_with_params()
    assert sql.count("service_id = ANY(%s::bigint[])") == 2, sql


def test_a_name_search_keeps_to_the_services_given_and_finds_parents_and_children(
    coordinator, service, other_service, other_coordinator
):
    """`service_ids` narrows, never widens: a family of another service with the same name is not found, and a
    parent saved without a service given gets its referral's (the column every name search now reads)."""
    mine = make_referral(service, coordinator)
    theirs = make_referral(other_service, other_coordinator)
    assert all(p.service_id == service.pk for p in mine.parents.all())
    name = mine.parents.first().name.split()[-1]
    theirs.parents.update(name=f"Ann {name}")
    found = set(Referral.objects.all().search(name=name.upper(), service_ids=[service.pk]).values_list("pk", flat=True))
    assert mine.pk in found and theirs.pk not in found
    assert not Referral.objects.filter(service=service).search(name=name, service_ids=[other_service.pk]).exists()


@pytest.mark.postgres
def test_postgres_list_page_is_read_in_order_not_sorted(coordinator, service):
    require_postgres()
    # On an empty test table a sort costs nothing, so make sorting dear: only an index that serves the order
    # (service, date_received, id) then avoids a Sort node.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    plan = explain(Referral.objects.filter(service=service).order_by("date_received", "pk")[:51])
    assert "Sort" not in plan, plan


@pytest.mark.postgres
def test_postgres_open_cases_use_the_active_allocation_index(coordinator, service):
    from referrals.models import Allocation
    from referrals.states import ReferralStatus

    require_postgres()
    # The query `open_cases_by_practitioner` runs: active allocations of the service's allocated families, grouped.
    counted = (
        Allocation.objects.active()
        .filter(referral__service_id__in=[service.pk], referral__status=ReferralStatus.ALLOCATED)
        .order_by()
        .values("practitioner_id", "referral__service_id")
    )
    plan = explain(counted)
    # On a near-empty test table the planner may pick either partial index over active allocations, or reach each
    # allocated family's allocations by its key and drop the ended ones; at scale it joins the allocated families to
    # their active allocation (README, Performance). Never a walk of every allocation the service ever made.
    assert (
        "allocation_active_by_pract" in plan
        or "one_active_allocation_per_referral" in plan
        or ("Index Cond: (referral_id = referrals_referral.id)" in plan and "Filter: (ended_at IS NULL)" in plan)
    ), plan
    assert "Seq Scan on referrals_allocation" not in plan, plan


@pytest.mark.postgres
def test_postgres_triage_queue_and_waiting_list_read_their_partial_indexes(coordinator, service):
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
    queue = Referral.objects.filter(service=service).awaiting_triage().order_by("date_received", "pk")[:26]
    waiting = Referral.objects.filter(service=service, status="accepted").order_by("date_received", "pk")[:26]
    assert "referral_triage_order" in explain(queue)
    assert "referral_waiting_order" in explain(waiting)
