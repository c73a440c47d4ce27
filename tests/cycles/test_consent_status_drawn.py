"""Consent at a glance drawn in Python (`cycle_tags.consent_status`) gives byte for byte what
`cycles/_consent_status.html` drew (kept beside this test): filming consent missing or not, hostile labels,
names and reasons, no one agreeing, nothing recorded. Then through the record and the consent page."""

from pathlib import Path

import pytest
from django.template import Context, Template

from cycles.templatetags.cycle_tags import consent_status, rating_progress

OLD = Template((Path(__file__).parent / "consent_status_before.html").read_text(encoding="utf-8"))
HOSTILE = "<script>alert(\"x\")</script> & 'q'"


@pytest.mark.parametrize(
    ("summary", "missing"),
    [
        ([], []),
        ([("Filming", ["Ann Parent"]), ("Sharing clips with the family", [])], []),
        ([("Filming", ["Ann Parent", HOSTILE]), (HOSTILE, ["Bea & Co"])], ["Ann Parent has not agreed", HOSTILE]),
        ([("Filming", [])], ["Child aged 12 or over: Cal"]),
        ([], [HOSTILE]),
    ],
)
def test_consent_status_as_the_template_drew_it(summary, missing):
    assert consent_status(summary, missing) == OLD.render(Context({"summary": summary, "missing": missing}))


def test_the_comparison_sees_a_difference():
    with_names = [("Filming", ["Ann Parent"])]
    assert consent_status(with_names, []) != OLD.render(Context({"summary": with_names, "missing": ["x"]}))


OLD_PROGRESS = Template((Path(__file__).parent / "rating_progress_before.html").read_text(encoding="utf-8"))


def _rating(point, score, day):
    from datetime import date

    from cycles.models import HelpingQuestionRating

    return HelpingQuestionRating(point=point, score=score, rated_on=date(2026, 9, day))


def test_rating_progress_as_the_include_drew_it():
    """`cycle_tags.rating_progress`: not rated, a start alone, start → latest at every point, scores 0 and 10."""
    from types import SimpleNamespace

    from cycles.models import RatingPoint

    cases = [
        SimpleNamespace(start=None, latest=None),
        SimpleNamespace(start=_rating(RatingPoint.START, 0, 1), latest=None),
    ]
    cases += [
        SimpleNamespace(start=_rating(RatingPoint.START, 3, 7), latest=_rating(point, score, 30))
        for point in RatingPoint
        for score in (0, 10)
    ]
    for question in cases:
        assert rating_progress(question) == OLD_PROGRESS.render(Context({"question": question}))
    assert rating_progress(cases[2]) != rating_progress(cases[3])
