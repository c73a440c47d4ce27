"""The dashboard's discharge and outcome tables drawn in Python (`dashboard_tags.discharge_reason_rows`,
`against_plan_rows`, `outcome_measure_rows`) give byte for byte what the template's loops drew (kept beside this
test), for hostile text, one family and many, decimals, and nothing to show."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from dashboards.templatetags import dashboard_tags as tags

HOSTILE = "<script>alert(\"x\")</script> & 'q'"

HERE = Path(__file__).parent


def _loop(name: str) -> str:
    """One of the template's loops as it was (kept beside this test), without the file's last line break."""
    return (HERE / name).read_text(encoding="utf-8").removesuffix("\n")


BY_REASON_LOOP = _loop("discharge_reasons_before.html")
AGAINST_PLAN_LOOP = _loop("against_plan_before.html")
OUTCOMES_LOOP = _loop("outcome_measures_before.html")

LINK = ("/dashboards/list/", "service=a&b=<c>")


def _old(loop: str, **context) -> str:
    return Template(loop).render(Context(context))


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("completed", "Completed", 1)],
        [("completed", "Completed", 12), ("moved", HOSTILE, 0), (HOSTILE, "Moved & away", 1234567)],
    ],
)
def test_discharges_by_reason_as_the_loop_drew_them(rows):
    list_url, query = LINK
    old = _old(BY_REASON_LOOP, d={"by_reason": rows}, list_url=list_url, query=query)
    assert old == "        " + tags.discharge_reason_rows(rows, list_url, query)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [("fewer", "Fewer than planned", 1), ("as_planned", "As PLANNED", 0), ("more", HOSTILE, 31)],
    ],
)
def test_cycles_against_plan_as_the_loop_drew_them(rows):
    list_url, query = LINK
    old = _old(AGAINST_PLAN_LOOP, d={"against_plan": rows}, list_url=list_url, query=query)
    assert old == "        " + tags.against_plan_rows(rows, list_url, query)


def _measure(**overrides) -> dict:
    measure = {
        "instrument": "pss",
        "name": "PSS",
        "scale": "total",
        "scale_label": "Total",
        "pairs": 7,
        "mean_change": Decimal("-1.50"),
        "percent_reliably_improved": Decimal("42.9"),
    }
    return {**measure, **overrides}


@pytest.mark.parametrize(
    "measures",
    [
        [],
        [_measure()],
        [
            _measure(mean_change=None, percent_reliably_improved=None, pairs=0),
            _measure(name=HOSTILE, scale_label=HOSTILE, instrument="a<b", scale="c&d", mean_change=Decimal("0E-2")),
            _measure(mean_change=Decimal("12345.67"), percent_reliably_improved=Decimal("0.0"), pairs=1),
        ],
    ],
)
def test_outcome_measures_as_the_loop_drew_them(measures):
    old = _old(OUTCOMES_LOOP, figures={"outcomes": {"measures": measures}})
    assert old == "    " + tags.outcome_measure_rows(measures)
