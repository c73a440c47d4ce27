"""The audit viewer's CSV export (and its own log row) and its keyset pagination."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessAction, AccessEvent
from audit.reads import Filters, timeline
from tests.audit.helpers_audit import family, viewed


@pytest.fixture
def mine(coordinator, service):
    return family(service, coordinator)


def test_csv_export_holds_the_rows_and_is_logged(login, mine, practitioner, manager):
    viewed(practitioner, mine)
    response = login(manager).post("/audit/export/", {"family": mine.reference})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    views = [row for row in rows if row["action"] == AccessAction.VIEW]
    assert views and views[0]["staff"] == "practitioner" and views[0]["family"] == mine.reference
    assert any(row["source"] == "history" and row["family"] == mine.reference for row in rows)
    logged = AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.EXPORT).get()
    assert logged.object_type == "referrals.referral" and logged.object_id == str(mine.pk)
    assert logged.detail["export"] == "audit" and logged.detail["rows"] == len(rows)
    assert logged.detail["ids_shown"] == [mine.pk]


def test_export_refuses_another_services_family(login, mine, other_coordinator, other_service, manager):
    theirs = family(other_service, other_coordinator)
    response = login(manager).post("/audit/export/", {"family": theirs.reference})
    assert response.status_code == 400
    assert not AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.EXPORT).exists()


def test_export_needs_post(login, manager, mine):
    assert login(manager).get("/audit/export/").status_code == 405


def _views(user, referral, count):
    for _ in range(count):
        viewed(user, referral)


def _page_queries(client, params) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/audit/", params)
    assert response.status_code == 200
    return len(queries), response


def test_page_query_count_does_not_grow_with_rows(login, mine, practitioner, manager):
    client = login(manager)
    _views(practitioner, mine, 5)
    few, response = _page_queries(client, {"family": mine.reference})
    assert len(response.context["rows"]) >= 5
    _views(practitioner, mine, 60)
    many, response = _page_queries(client, {"family": mine.reference})
    assert len(response.context["rows"]) == 50 and response.context["next_url"]
    assert many == few


def test_keyset_pages_walk_every_row_once(mine, practitioner, manager):
    _views(practitioner, mine, 23)
    seen, cursor = [], None
    while True:
        rows, cursor = timeline(manager, Filters(referral=mine), cursor=cursor, limit=5)
        seen += [(row.source, row.id) for row in rows]
        if cursor is None:
            break
    expected = timeline(manager, Filters(referral=mine), limit=1000)[0]
    assert seen == [(row.source, row.id) for row in expected]
    assert len(seen) == len(set(seen)) >= 23


def test_next_page_link_follows_on(login, mine, practitioner, manager):
    _views(practitioner, mine, 55)
    client = login(manager)
    first = client.get("/audit/", {"family": mine.reference})
    second = client.get("/audit/" + first.context["next_url"])
    assert second.status_code == 200 and second.context["first_url"]
    first_ids = {(r.source, r.id) for r in first.context["rows"]}
    assert second.context["rows"] and not first_ids & {(r.source, r.id) for r in second.context["rows"]}
