"""The dashboard's tables and charts drawn in Python (`dashboards.templatetags.dashboard_tags`): every value
escaped, links only where the reader may follow them, and the same numbers in the chart and its table."""

from types import SimpleNamespace

from dashboards.charts import bar_chart
from dashboards.templatetags import dashboard_tags as tags

HOSTILE = '<script>alert("x")</script>'


def test_figure_table_escapes_labels_and_links_each_count_to_its_list():
    html = tags.figure_table([(HOSTILE, 3), ("0–2 weeks", 1)], "Families & bands", "Band", "band:", "/l/", "a=1&b=2")
    assert HOSTILE not in html
    assert "&lt;script&gt;" in html
    assert 'href="/l/?a=1&amp;b=2&amp;figure=band%3A0%E2%80%932%20weeks">1' in html
    assert '1<span class="nhsuk-u-visually-hidden"> family: Families &amp; bands, 0–2 weeks</span>' in html
    assert '3<span class="nhsuk-u-visually-hidden"> families:' in html


def test_figure_table_without_a_prefix_has_no_links_and_says_when_empty():
    assert "<a " not in tags.figure_table([("Health visitor", 4)], "By source", "Source")
    assert "None in this period" in tags.figure_table([], "By source", "Source")
    assert "(none)" in tags.figure_table([(None, 2)], "By source", "Source")


def test_chart_names_every_bar_in_its_title_and_escapes_them():
    rows = [("Jan 2026", 4), (HOSTILE, 0), ("Mar 2026", 8)]
    html = tags.chart_and_table(bar_chart(rows), rows, "Referrals by month", "Month", "chart-x")
    assert HOSTILE not in html
    assert '<title id="chart-x-title">Referrals by month: Jan 2026 4, &lt;script&gt;' in html
    assert html.count("<rect ") == 3
    assert 'width="300.0"' in html  # the largest bar is full width


def test_chart_left_out_where_it_would_repeat_a_short_table():
    rows = [("0", 1), ("1", 2)]
    html = tags.chart_and_table(bar_chart(rows), rows, "Cycles", "Cycles", "chart-c")
    assert "<svg" not in html and "<table" in html


class _Person:
    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


def _row(name, pk=7):
    membership = SimpleNamespace(pk=pk, user=_Person(name))
    return {
        "membership": membership,
        "open": 5,
        "capacity": 4,
        "protected": {"days": "Mon", "visits": 3, "on_protected": 2},
    }


def test_caseload_rows_link_only_for_someone_who_may_open_caseloads():
    allowed = tags.caseload_rows([_row(HOSTILE)], True)
    assert HOSTILE not in allowed and "&lt;script&gt;" in allowed
    assert 'href="/' in allowed and "/7/" in allowed
    refused = tags.caseload_rows([_row("Ann Lee")], False)
    assert "<a " not in refused and "Ann Lee" in refused and "2 of 3" in refused
    assert "No practitioners" in tags.caseload_rows([], True)


def test_trainee_rows_show_a_dash_where_there_is_no_target():
    progress = SimpleNamespace(
        membership=SimpleNamespace(user=HOSTILE),
        stage=2,
        cycles_done=1,
        cycles_required=None,
        supervised_hours=1.5,
        hours_required=10,
    )
    html = tags.trainee_rows([{"progress": progress, "period_hours": 0.5}])
    assert HOSTILE not in html
    assert "1 / –" in html and "1.5 / 10" in html and ">0.5<" in html
    assert "No trainees" in tags.trainee_rows([])
