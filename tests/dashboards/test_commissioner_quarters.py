"""The commissioner return in NHS financial quarters (Q1 is April to June, "2026/27 Q3"), never holding figures
for dates still to come: boundaries at 31 March / 1 April and at the year's turn, the quarter in progress to date,
a quarter to come refused."""

import csv
import io
from datetime import date
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from dashboards.reads import Quarter, quarter_bounds, recent_quarters
from dashboards.views import commissioner
from referrals.models import Referral
from tests.conftest import verify_session
from tests.referrals.allocation_helpers import accepted_referral

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2026, 3, 31), "2025/26 Q4"),
        (date(2026, 4, 1), "2026/27 Q1"),
        (date(2026, 6, 30), "2026/27 Q1"),
        (date(2026, 7, 1), "2026/27 Q2"),
        (date(2026, 12, 31), "2026/27 Q3"),
        (date(2027, 1, 1), "2026/27 Q4"),
        (date(1999, 12, 31), "1999/00 Q3"),
    ],
)
def test_a_day_falls_in_its_financial_quarter(day, label):
    quarter = Quarter.of(day)
    assert quarter.label == label
    start, end = quarter.bounds
    assert start <= day <= end


def test_financial_quarter_bounds():
    assert quarter_bounds(2026, 1) == (date(2026, 4, 1), date(2026, 6, 30))
    assert quarter_bounds(2026, 3) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds(2026, 4) == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_bounds(2025, 4) == (date(2026, 1, 1), date(2026, 3, 31))


def test_the_quarter_in_progress_stops_at_today_and_a_quarter_to_come_has_not_begun():
    q3 = Quarter(2026, 3)
    assert q3.counted(TODAY) == (date(2026, 10, 1), TODAY, True)
    assert Quarter(2026, 2).counted(TODAY) == (date(2026, 7, 1), date(2026, 9, 30), False)
    assert q3.counted(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31), False)  # its last day: whole
    assert not Quarter(2026, 4).has_begun(TODAY) and Quarter(2026, 4).has_begun(date(2027, 1, 1))
    assert [q.label for q in recent_quarters(TODAY, 5)] == [
        "2026/27 Q3",
        "2026/27 Q2",
        "2026/27 Q1",
        "2025/26 Q4",
        "2025/26 Q3",
    ]


@pytest.mark.parametrize("value", ["", "2026", "2026-Q5", "2026-Q0", "26-Q1", "2026/27 Q3", "\x00", "99999-Q1"])
def test_only_a_quarter_from_the_list_is_read(value):
    assert Quarter.parse(value) is None


@pytest.fixture
def on_today(monkeypatch):
    monkeypatch.setattr(commissioner, "today", lambda: TODAY)


@pytest.fixture
def manager_client(client, manager):
    verify_session(client, manager)
    return client


def _received_on(service, coordinator, site, day):
    referral = accepted_referral(service, coordinator, site=site)
    Referral.objects.filter(pk=referral.pk).update(date_received=day)
    return referral


def _csv(client, service, quarter: str):
    url = f"{reverse('dashboards:commissioner_csv')}?{urlencode({'service': service.pk, 'quarter': quarter})}"
    response = client.get(url)
    return response, dict(csv.reader(io.StringIO(response.content.decode()))) if response.status_code == 200 else {}


def test_31_march_and_1_april_fall_in_different_years(manager_client, on_today, service, coordinator, peterborough):
    _received_on(service, coordinator, peterborough, date(2026, 3, 31))
    _received_on(service, coordinator, peterborough, date(2026, 4, 1))
    _received_on(service, coordinator, peterborough, date(2026, 4, 1))
    response, q4 = _csv(manager_client, service, "2025-Q4")
    assert response.status_code == 200
    assert q4["Quarter"] == "2025/26 Q4" and q4["Referrals received"] == "1"
    assert (q4["Period start"], q4["Period end"]) == ("2026-01-01", "2026-03-31")
    assert response["Content-Disposition"].endswith('commissioner-return-2025-26-Q4.csv"')
    _response, q1 = _csv(manager_client, service, "2026-Q1")
    assert q1["Quarter"] == "2026/27 Q1" and q1["Referrals received"] == "2"


def test_the_year_turn_splits_q3_from_q4(manager_client, service, coordinator, peterborough, monkeypatch):
    monkeypatch.setattr(commissioner, "today", lambda: date(2027, 2, 1))
    _received_on(service, coordinator, peterborough, date(2026, 12, 31))
    _received_on(service, coordinator, peterborough, date(2027, 1, 1))
    _r, q3 = _csv(manager_client, service, "2026-Q3")
    _r, q4 = _csv(manager_client, service, "2026-Q4")
    assert q3["Referrals received"] == "1" and q3["Quarter"] == "2026/27 Q3"
    assert q4["Referrals received"] == "1" and q4["Quarter"] == "2026/27 Q4 to date"
    assert q4["Period end"] == "2027-02-01"


def test_the_quarter_in_progress_says_to_date_and_stops_at_today(
    manager_client, on_today, service, coordinator, peterborough
):
    _received_on(service, coordinator, peterborough, date(2026, 11, 1))
    response, rows = _csv(manager_client, service, "2026-Q3")
    assert rows["Quarter"] == "2026/27 Q3 to date"
    assert (rows["Period start"], rows["Period end"]) == ("2026-10-01", "2026-12-06")
    assert response["Content-Disposition"].endswith('commissioner-return-2026-27-Q3-to-date.csv"')
    page = manager_client.get(
        f"{reverse('dashboards:commissioner_return')}?{urlencode({'service': service.pk, 'quarter': '2026-Q3'})}"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Commissioner return: 2026/27 Q3 to date" in body and "6 December 2026" in body
    assert '<option value="2026-Q3" selected>2026/27 Q3 (to date)</option>' in body
    assert '<option value="2026-Q2">2026/27 Q2</option>' in body and "2026-Q4" not in body
    shown = {label: "" if value is None else str(value) for label, value in page.context["rows"]}
    assert shown == {label: value for label, value in rows.items() if label != "Figure"}  # the page and its CSV agree


def test_with_no_quarter_named_the_return_is_the_quarter_in_progress(manager_client, on_today, service):
    _response, rows = _csv(manager_client, service, "")
    assert rows["Quarter"] == "2026/27 Q3 to date"


@pytest.mark.parametrize("value", ["2026-Q4", "2027-Q1", "2999-Q4"])
def test_a_quarter_to_come_is_refused(manager_client, on_today, service, value):
    response, _rows = _csv(manager_client, service, value)
    assert response.status_code == 400 and "has not begun yet" in response.content.decode()
    page = manager_client.get(
        f"{reverse('dashboards:commissioner_return')}?{urlencode({'service': service.pk, 'quarter': value})}"
    )
    assert page.status_code == 400 and 'class="nhsuk-error-summary"' in page.content.decode()
    assert "has not begun yet" in page.content.decode() and 'id="commissioner-return"' not in page.content.decode()


@pytest.mark.parametrize("value", ["2026", "2026-Q9", "abc", "\x00", "0-Q1"])
def test_a_quarter_not_in_the_list_is_refused_naming_the_field(manager_client, on_today, service, value):
    response, _rows = _csv(manager_client, service, value)
    assert response.status_code == 400 and response.content.decode().startswith("Quarter:")


def test_on_the_last_day_of_a_quarter_it_is_whole(manager_client, service, monkeypatch):
    monkeypatch.setattr(commissioner, "today", lambda: date(2026, 12, 31))
    _response, rows = _csv(manager_client, service, "2026-Q3")
    assert rows["Quarter"] == "2026/27 Q3" and rows["Period end"] == "2026-12-31"
    page = manager_client.get(f"{reverse('dashboards:commissioner_return')}?{urlencode({'service': service.pk})}")
    assert '<option value="2026-Q3" selected>2026/27 Q3</option>' in page.content.decode()
