"""Whatever is typed into a dashboard URL's filter (hazard I18-07c): a field error or a 400 naming the field, or a
404, on every dashboard URL — never a 500, and never a file of a different service, site or period than asked."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dashboards.models import DashboardExport
from tests.conftest import verify_session

BAD = [
    ("service", "abc"),
    ("service", "\x00"),
    ("service", "1\x00"),
    ("service", "-1"),
    ("service", "99999999999999999999999"),
    ("service", "1.0"),
    ("site", "abc"),
    ("site", "\x00"),
    ("site", "99999999999999999999999"),
    ("start", "31-02-2026"),
    ("start", "\x00"),
    ("end", "9999-99-99"),
    ("end", "abc"),
    ("weeks", "\x00"),
]


def _query(service, field, value, **extra) -> str:
    params = {"service": service.pk, "figure": "received", **extra}
    params[field] = value
    return urlencode(params)


@pytest.fixture
def manager_client(client, manager):
    verify_session(client, manager)
    return client


@pytest.mark.parametrize(("field", "value"), BAD)
def test_dashboard_page_names_the_bad_field(manager_client, service, field, value):
    response = manager_client.get(f"{reverse('dashboards:dashboard')}?{_query(service, field, value)}")
    assert response.status_code == 200, (field, value)
    assert field in response.context["form"].errors
    assert 'class="nhsuk-error-summary"' in response.content.decode()


@pytest.mark.parametrize(("field", "value"), BAD)
@pytest.mark.parametrize("name", ["figure_list", "figure_csv", "commissioner_csv"])
def test_figure_lists_and_downloads_refuse_a_bad_filter(manager_client, service, field, value, name):
    response = manager_client.get(f"{reverse(f'dashboards:{name}')}?{_query(service, field, value)}")
    assert response.status_code == 400, (name, field, value, response.status_code)
    assert "filter is not valid" in response.content.decode()


@pytest.mark.parametrize(("field", "value"), BAD)
def test_export_request_refuses_a_bad_filter_and_makes_nothing(manager_client, service, field, value):
    response = manager_client.post(f"{reverse('dashboards:export_request')}?{_query(service, field, value)}", {})
    assert response.status_code == 400, (field, value)
    assert not DashboardExport.objects.exists()


@pytest.mark.parametrize("quarter", ["0", "99999-Q1", "-5", "abc", "\x00", "2026-Q5"])
def test_commissioner_return_with_an_impossible_quarter_is_never_a_500(manager_client, service, quarter):
    url = f"{reverse('dashboards:commissioner_csv')}?{urlencode({'service': service.pk, 'quarter': quarter})}"
    assert manager_client.get(url).status_code in (400, 404)


@pytest.mark.parametrize("figure", ["", "abc", "\x00", "received\x00"])
@pytest.mark.parametrize("name", ["figure_list", "figure_csv"])
def test_an_unknown_figure_is_a_404(manager_client, service, figure, name):
    url = f"{reverse(f'dashboards:{name}')}?{urlencode({'service': service.pk, 'figure': figure})}"
    assert manager_client.get(url).status_code == 404


def test_a_good_filter_still_downloads(manager_client, service):
    response = manager_client.get(f"{reverse('dashboards:figure_csv')}?{_query(service, 'weeks', '6')}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
