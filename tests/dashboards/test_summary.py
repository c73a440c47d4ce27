"""The dashboard's summary, its data-quality item, its charts and its plurals, read from the page a manager sees:
each summary figure agrees with the figure in its section; a contradictory record never makes an impossible
figure; every month of the period is drawn, readably; "1 family", never "1 families"."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dashboards import summaries
from dashboards.charts import bar_chart
from dashboards.reads import Scope, counted, referrals_in, summary
from governance.models import RetentionReview, SubjectAccessRequest
from referrals.models import Referral
from tests.conftest import verify_session
from tests.dashboards.helpers_dashboards import caught_up, dashboard_url, days_ago, filmed_family
from tests.referrals.allocation_helpers import accepted_referral


def _text(body: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:p|dd|a|span|td|ul)>', body, re.S)
    assert match, element_id
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def _number(text: str) -> str:
    return re.match(r"-?[\d.]+", text)[0]


def test_every_summary_figure_agrees_with_its_section(client, service, manager, busy_service):
    verify_session(client, manager)
    response = client.get(dashboard_url(service))
    body = response.content.decode()
    figures, top = response.context["figures"], response.context["summary"]

    # Context: each summary figure is its section's figure.
    assert top == summary(figures, escalated=1)
    assert (top["waiting"], top["longest_wait_days"]) == (figures["waiting"]["total"], 364) == (3, 364)
    assert top["median_days_to_filming"] == figures["waiting"]["median_days_allocation_to_filming"] == 15
    assert top["risk_not_acted_on"] == figures["risk_alerts"]["open"] == 1 and top["risk_escalated"] == 1
    assert (top["retention_reviews_overdue"], top["subject_access_overdue"]) == (1, 1)

    # The page: the summary sits above every section, and shows the number its section shows.
    assert body.index('id="summary"') < body.index('id="referrals-in"')
    assert _text(body, "summary-waiting") == "3 families"
    assert _text(body, "waiting-total").startswith("3 families waiting")
    assert _text(body, "summary-longest-wait") == "The longest has waited 364 days."
    assert _text(body, "longest-wait") == "364 days"
    rows = figures["caseloads"]["practitioners"]
    in_section = f"{sum(r['open'] for r in rows)} of {sum(r['capacity'] for r in rows)}"
    assert _text(body, "summary-open-against-capacity") == _text(body, "open-against-capacity") == in_section
    assert _text(body, "summary-median-to-filming") == "15.0 days"
    assert _number(_text(body, "median-to-filming")) == "15.0"
    assert _text(body, "summary-risk-open") == _text(body, "risk-open").split()[0] == "1"
    assert "1 escalated" in _text(body, "summary-risk-escalated") and 'id="escalations"' in body
    parts = [_number(_text(body, i)) for i in ("footage-past", "retention-reviews-overdue", "subject-access-overdue")]
    assert _text(body, "summary-data-protection") == str(sum(int(p) for p in parts)) == "2"
    for m in figures["outcomes"]["measures"]:
        if m["percent_reliably_improved"] is not None and m["pairs"]:
            cell = _text(body, f"improved-{m['instrument']}-{m['scale']}")
            assert f"{cell} on {m['name']}" in _text(body, "summary-reliably-improved")
    # Each card links down to its section, and the section is there.
    for anchor in ["waiting", "caseloads", "median-to-filming", "outcomes", "risk-alerts", "data-protection"]:
        assert f'class="nhsuk-card__link" href="#{anchor}"' in body and f'id="{anchor}"' in body


def test_a_contradictory_record_is_left_out_and_listed_to_correct(client, service, manager, busy_service):
    bad = busy_service["contradictory"]
    verify_session(client, manager)
    response = client.get(dashboard_url(service))
    body = response.content.decode()
    waiting = response.context["figures"]["waiting"]
    assert waiting["median_days_allocation_to_filming"] == 15  # 10 and 20: not (10, 20, −30)
    assert waiting["contradictory"] == 1 and waiting["allocated_in_period"] == 4  # with the known service's one
    assert not re.search(r"[−-]\d", _text(body, "median-to-filming"))
    (row,) = response.context["data_quality"]
    assert row["reference"] == bad.reference and row["family"]["parent"]
    table = body[body.index('id="contradictory-records"') :]
    table = table[: table.index("</table>")]
    assert bad.reference in table and row["family"]["parent"] in table and row["family"]["child"] in table
    assert f"First filmed on {days_ago(30).day} " in table and "before the first allocation" in table
    assert "1 family first allocated in the period has dates that cannot all be right" in body
    listed = client.get(f"{response.context['list_url']}?{response.context['query']}&figure=contradictory")
    assert list(listed.context["rows"]) == [bad]


def test_a_family_allocated_before_it_was_received_is_contradictory_too(client, service, manager, busy_service):
    good = busy_service["filmed_10"]
    Referral.objects.filter(pk=good.pk).update(date_received=days_ago(1))  # allocated 40 days ago
    verify_session(client, manager)
    response = client.get(dashboard_url(service))
    problems = {row["reference"]: row["problems"] for row in response.context["data_quality"]}
    assert "before the referral was received" in " ".join(problems[good.reference])
    assert response.context["figures"]["waiting"]["median_days_to_allocation"] >= 0


def test_someone_who_may_not_open_the_family_sees_its_reference_only(
    client, service, manager, busy_service, monkeypatch
):
    from dashboards.views import dashboard as view

    monkeypatch.setattr(view, "family_labels", lambda user, ids: {})
    verify_session(client, manager)
    body = client.get(dashboard_url(service)).content.decode()
    table = body[body.index('id="contradictory-records"') :]
    assert busy_service["contradictory"].reference in table and "Not a family you may open" in table


def test_query_count_stays_the_same_with_more_contradictory_families(
    client, service, coordinator, manager, practitioner, busy_service, django_assert_max_num_queries
):
    verify_session(client, manager)
    client.get(dashboard_url(service))  # warm what is cached for the process
    with django_assert_max_num_queries(200) as first:
        assert client.get(dashboard_url(service)).status_code == 200
    for _ in range(3):
        filmed_family(service, coordinator, practitioner, allocated_days_ago=0, filmed_days_ago=30)
        accepted_referral(service, coordinator)
    caught_up()
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(dashboard_url(service))
    assert len(response.context["data_quality"]) == 4


# --- Plurals -------------------------------------------------------------------------------------------------------

SINGULAR_WRONG = re.compile(
    r"(?<![\d.,–])1 (families|referrals|days|practitioners|visits|hours|weeks|rows|trainees)\b(?! in all)"
)


def test_counted():
    assert [counted(n, "family", "families") for n in (0, 1, 2)] == ["0 families", "1 family", "2 families"]


@pytest.mark.parametrize("waiting", [1, 2])
def test_the_page_says_1_family_and_2_families(client, service, coordinator, manager, peterborough, waiting):
    for n in range(waiting):
        referral = accepted_referral(service, coordinator, site=peterborough)
        Referral.objects.filter(pk=referral.pk).update(date_received=days_ago(1 if n == 0 else 9))
    verify_session(client, manager)
    body = client.get(dashboard_url(service)).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    noun = "family" if waiting == 1 else "families"
    assert _text(body, "summary-waiting") == f"{waiting} {noun}"
    assert _text(body, "waiting-total") == f"{waiting} {noun} waiting for allocation"
    assert f"{waiting} referral{'s' * (waiting != 1)} received" in text
    assert not SINGULAR_WRONG.search(text), SINGULAR_WRONG.search(text)
    if waiting == 1:
        assert "The longest has waited 1 day." in text


# --- Charts --------------------------------------------------------------------------------------------------------


def _svg(body: str, chart_id: str):
    match = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title".*?</svg>', body, re.S)
    return ET.fromstring(match[0]) if match else None


def test_every_month_is_drawn_readably_and_a_two_row_chart_is_not(client, service, coordinator, manager, peterborough):
    for days in (3, 100):  # two months with referrals, months between with none
        referral = accepted_referral(service, coordinator, site=peterborough)
        Referral.objects.filter(pk=referral.pk).update(date_received=days_ago(days))
    verify_session(client, manager)
    response = client.get(dashboard_url(service))
    body = response.content.decode()
    by_month = response.context["figures"]["referrals_in"]["by_month"]
    scope = response.context["scope"]
    months = (scope.end.year - scope.start.year) * 12 + scope.end.month - scope.start.month + 1
    assert len(by_month) == months == 13 and sum(n for _m, n in by_month) == 2
    assert [n for _m, n in by_month].count(0) == 11  # a month with none is a 0, not a gap
    svg = _svg(body, "chart-by-month")
    ns = "{http://www.w3.org/2000/svg}"
    rects = svg.findall(f"{ns}rect") or svg.findall("rect")
    texts = svg.findall(f"{ns}text") or svg.findall("text")
    assert len(rects) == 13 and [t.text for t in texts[::2]] == [m for m, _n in by_month]
    assert [t.text for t in texts[1::2]] == [str(n) for _m, n in by_month]
    assert all(int(t.get("font-size")) >= 16 for t in texts)
    assert all(float(r.get("height")) >= 24 for r in rects)
    widths = sorted(float(r.get("width")) for r in rects)
    assert widths[0] == 0 and widths[-1] >= 250  # the longest bar is long enough to compare against
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"  # drawn at its own size
    # One source only: its chart would repeat a one-row table, so there is the table alone.
    assert _svg(body, "chart-by-source") is None and "Referrals received by source" in body


def test_a_chart_needs_three_rows_and_something_to_draw():
    assert bar_chart([("0", 4), ("1", 2)]) is None
    assert bar_chart([("a", 0), ("b", 0), ("c", 0)]) is None
    chart = bar_chart([("A very long referral source name indeed", 3), ("b", 0), ("c", 1)])
    assert len(chart["bars"]) == 3 and chart["bars"][0]["label"].endswith("…") and len(chart["bars"][0]["label"]) == 24


# --- Data protection overdue ---------------------------------------------------------------------------------------


def test_a_subject_access_request_is_overdue_the_day_after_its_month():
    """Checked day by day over four years (leap years, 31st of the month) against the rule itself."""
    from datetime import date

    from governance.reads.deadlines import answers_overdue_if_received_by, respond_by

    assert respond_by(date(2026, 1, 31)) == date(2026, 2, 28)
    assert answers_overdue_if_received_by(date(2026, 3, 1)) == date(2026, 1, 31)
    for i in range(4 * 366):
        today = date(2025, 1, 1) + timedelta(days=i)
        cutoff = answers_overdue_if_received_by(today)
        for back in range(25, 40):
            received = today - timedelta(days=back)
            assert (respond_by(received) < today) == (received <= cutoff), (today, received)


def test_overdue_governance_work_is_counted_at_its_edges(service, coordinator, manager, practitioner, peterborough):
    from dashboards.reads import data_protection, figure_lists
    from governance.reads.deadlines import respond_by
    from tests.dashboards.test_more_figures import scope_for

    referral = accepted_referral(service, coordinator, site=peterborough)
    parent = referral.parents.first()
    today = timezone.localdate()
    # The oldest request still inside its month (answer due today, or later), and the one received the day before.
    last_in_time = next(
        today - timedelta(days=d) for d in range(40, 0, -1) if respond_by(today - timedelta(days=d)) >= today
    )
    for received in (last_in_time, last_in_time - timedelta(days=1)):
        SubjectAccessRequest.objects.create(referral=referral, parent=parent, created_by=manager, received_on=received)
    RetentionReview.objects.create(referral=referral, service=service, due_on=today)  # due today: not overdue yet
    figures = data_protection(scope_for(manager, service))
    assert (figures["subject_access_overdue"], figures["retention_reviews_overdue"], figures["overdue"]) == (1, 0, 1)
    lists = figure_lists(scope_for(manager, service))
    assert list(lists["subject_access_overdue"][1]()) == [referral]
    assert list(lists["retention_reviews_overdue"][1]()) == []


def test_the_page_shows_the_first_records_to_correct_and_links_to_them_all(
    client, service, coordinator, manager, practitioner, busy_service, monkeypatch
):
    """A messy import of thousands of contradictory records must not make the dashboard grow with it."""
    from dashboards.reads import page

    filmed_family(service, coordinator, practitioner, allocated_days_ago=0, filmed_days_ago=30)
    monkeypatch.setattr(page, "DATA_QUALITY_SHOWN", 1)
    verify_session(client, manager)
    response = client.get(dashboard_url(service))
    assert len(response.context["data_quality"]) == 1
    assert response.context["figures"]["waiting"]["contradictory"] == 2
    text = " ".join(response.content.decode().split())
    assert "2 families first allocated in the period have dates" in text and "The first 1 are shown here." in text
    assert "all of them: list and CSV" in text


def test_referrals_fall_in_the_month_of_their_day_at_every_edge(service, coordinator, manager, peterborough):
    """Months are grouped in the database (`FirstOfMonth`): the first and last days of a month, a leap day and the
    turn of the year each land in their own month, whatever the session's time zone."""
    received = [date(2024, 1, 31), date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 1), date(2024, 12, 31)]
    received += [date(2025, 1, 1), date(2025, 1, 1)]
    for day in received:
        referral = accepted_referral(service, coordinator, site=peterborough)
        Referral.objects.filter(pk=referral.pk).update(date_received=day)
    summaries.rebuild(service.pk)
    scope = Scope(user=manager, service=service, site=None, start=date(2024, 1, 31), end=date(2025, 1, 1))
    by_month = dict(referrals_in(scope)["by_month"])
    assert len(by_month) == 13 and sum(by_month.values()) == len(received)
    assert (by_month["Jan 2024"], by_month["Feb 2024"], by_month["Mar 2024"]) == (1, 2, 1)
    assert (by_month["Dec 2024"], by_month["Jan 2025"]) == (1, 2)
