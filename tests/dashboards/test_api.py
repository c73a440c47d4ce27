"""The dashboard through the API: the page's figures and the families behind each, with the page's permission,
scoping and access log; a fixed number of queries whatever the number of families."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent, Role
from dashboards.api.dashboard import figure_keys
from dashboards.reads import Scope, default_period, figure_lists
from tests.dashboards.helpers_dashboards import NOTHING_TO_PROTECT, known_service
from tests.factories import staff
from tests.referrals.allocation_helpers import accepted_referral

DASHBOARD = reverse("api:dashboard")
FAMILIES = reverse("api:dashboard-families")


def test_manager_gets_the_figures_the_page_shows(
    login, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    response = login(manager).get(DASHBOARD)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"]["service"] == service.slug and body["scope"]["site"] is None
    assert body["referrals_in"]["total"] == 6
    assert body["waiting"]["total"] == 3
    assert {"label": "1–2 weeks", "count": 1} in body["waiting"]["bands"]
    assert body["triage"]["acceptance_rate"] == 80.0
    [row] = body["caseloads"]["practitioners"]
    assert row["practitioner"] == {"id": practitioner.pk, "name": practitioner.display_name}
    assert (row["open"], row["capacity"]) == (1, 4)
    assert body["data_protection"] == NOTHING_TO_PROTECT
    event = AccessEvent.objects.filter(user_id=manager.pk, object_type="dashboards.dashboard").get()
    assert event.object_id == str(service.pk) and event.detail["api"] == "dashboard"


def test_families_behind_a_figure_are_paged_and_logged(
    login, service, coordinator, manager, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    client = login(manager)
    response = client.get(FAMILIES, {"figure": "band:1–2 weeks"})
    assert response.status_code == 200, response.content
    assert [r["reference"] for r in response.json()["results"]] == [made["wait_7"].reference]
    event = AccessEvent.objects.filter(user_id=manager.pk, action=AccessAction.LIST).latest("pk")
    assert event.detail["ids_shown"] == [made["wait_7"].pk] and event.detail["figure"] == "band:1–2 weeks"
    first = client.get(FAMILIES, {"figure": "received", "limit": 2}).json()
    assert len(first["results"]) == 2 and first["previous"] is None and "offset=2" in first["next"]
    assert client.get(FAMILIES, {"figure": "nonsense"}).status_code == 400
    assert client.get(FAMILIES).status_code == 400


def test_every_figure_list_is_offered(service, manager):
    start, end = default_period()
    scope = Scope(user=manager, service=service, site=None, start=start, end=end)
    assert figure_keys() == list(figure_lists(scope))


def test_without_dashboard_view_is_403(login, service, practitioner, nobody):
    for user in (practitioner, nobody):
        client = login(user)
        assert client.get(DASHBOARD).status_code == 403
        assert client.get(FAMILIES, {"figure": "received"}).status_code == 403
    assert AccessEvent.objects.filter(user_id=practitioner.pk, action=AccessAction.PERMISSION_DENIED).exists()


def test_another_services_dashboard_is_404(
    login, service, coordinator, other_manager, practitioner, peterborough, cambridgeshire
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    client = login(other_manager)
    assert client.get(DASHBOARD, {"service": service.slug}).status_code == 404
    assert client.get(FAMILIES, {"service": service.slug, "figure": "received"}).status_code == 404
    assert client.get(DASHBOARD).json()["referrals_in"]["total"] == 0  # their own service


def test_a_site_limited_manager_cannot_choose_another_site(
    login, service, coordinator, practitioner, peterborough, cambridgeshire
):
    made = known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    client = login(staff("site_manager", service, Role.MANAGER, sites=[cambridgeshire]))
    assert client.get(DASHBOARD).json()["referrals_in"]["total"] == 1
    assert list(client.get(DASHBOARD, {"site": peterborough.pk}).json()) == ["site"]
    listed = client.get(FAMILIES, {"figure": "received"}).json()["results"]
    assert [r["id"] for r in listed] == [made["cambs_wait"].pk]


def test_bad_filter_values_are_400_naming_the_field(login, manager):
    client = login(manager)
    response = client.get(DASHBOARD, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 400 and list(response.json()) == ["end"]
    assert list(client.get(DASHBOARD, {"weeks": 99}).json()) == ["weeks"]
    assert list(client.get(DASHBOARD, {"start": "yesterday"}).json()) == ["start"]


def _queries(client, path, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_families(
    login, service, coordinator, manager, practitioner, peterborough, cambridgeshire, django_assert_max_num_queries
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    client = login(manager)
    figures = _queries(client, DASHBOARD, {})
    families = _queries(client, FAMILIES, {"figure": "received"})
    for _ in range(8):
        accepted_referral(service, coordinator, site=peterborough)
    with django_assert_max_num_queries(figures):
        client.get(DASHBOARD)
    with django_assert_max_num_queries(families):
        assert len(client.get(FAMILIES, {"figure": "received"}).json()["results"]) == 14


def test_the_api_gives_the_summary_and_the_contradictory_families_by_reference(login, manager, busy_service):
    body = login(manager).get(DASHBOARD).json()
    top = body["summary"]
    assert (top["waiting"], top["longest_wait_days"]) == (body["waiting"]["total"], body["waiting"]["longest_days"])
    assert top["median_days_to_filming"] == body["waiting"]["median_days_allocation_to_filming"] == 15
    assert top["risk_not_acted_on"] == body["risk_alerts"]["open"] and top["risk_escalated"] == 1
    assert top["data_protection_overdue"] == body["data_protection"]["overdue"] == 2
    bad = busy_service["contradictory"]
    assert [(row["id"], row["reference"]) for row in body["data_quality"]] == [(bad.pk, bad.reference)]
    assert "before the first allocation" in body["data_quality"][0]["problems"][0]
    assert bad.parents.first().name not in str(body)  # references only, as the figure lists
