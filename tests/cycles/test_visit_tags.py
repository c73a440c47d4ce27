"""The visits section's lists drawn in Python (`cycles.templatetags.visit_tags`, issue 20) are what the template
loops drew, byte for byte: planned visits in the future and overdue, with and without activities, for those who
may record and those who may not; recorded visits with every outcome, one minute and many; times either side of
the change to summer time."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from cycles.models import Visit
from cycles.reads.visits import family_visits
from tests.cycles.helpers_visits import attended, book, family_fixture, ready_fixture  # noqa: F401

# The section as its template drew it before the lists moved into visit_tags (issue 20), kept beside this test.
OLD_SECTION = (Path(__file__).parent / "visits_section_before.html").read_text(encoding="utf-8")


def _at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def visits(family, practitioner):
    """Two planned visits (one overdue, one with two activities), five recorded ones and one with no activity."""
    future = book(family, practitioner, days=5, activities=("shared_review", "filming"))
    overdue = book(family, practitioner, days=1, activities=())
    Visit.objects.filter(pk=overdue.pk).update(planned_at=timezone.now() - timezone.timedelta(hours=3))
    recorded = []
    for n, (when, outcome, minutes) in enumerate(
        [
            (_at(2026, 3, 28, 23, 30), "attended", 1),  # Saturday 23:30 GMT
            (_at(2026, 3, 29, 9, 5), "attended", 60),  # Sunday 10:05 BST
            (_at(2026, 7, 1, 8, 0), "did_not_attend", None),
            (_at(2026, 10, 25, 0, 30), "cancelled_by_family", None),
            (_at(2026, 11, 2, 14, 45), "cancelled_by_service", None),
        ]
    ):
        visit = book(family, practitioner, days=1 + n, activities=("filming",) if n % 2 else ())
        data = {"outcome": outcome, "duration_minutes": minutes}
        if outcome != "attended":
            data.update(present="", notes="", outcome_reason="Unwell")
        Visit.objects.filter(pk=visit.pk).update(planned_at=when)
        recorded.append(attended(Visit.objects.get(pk=visit.pk), practitioner, **data))
    return future, overdue, recorded


@pytest.mark.parametrize("can_record", [True, False])
def test_the_visits_lists_are_the_old_loops_byte_for_byte(family, visits, can_record):
    found = family_visits(family)
    assert len(found.planned) == 2 and len(found.recent) == 5
    context = {"referral": family, "section": {"visits": found, "can_record": can_record, "now": timezone.now()}}
    old = Template(OLD_SECTION).render(Context(context))
    new = Template(open_section()).render(Context(context))
    assert new == old
    assert "Not yet recorded" in new and "1 minute," not in new and ("Record<span" in new) == can_record


def open_section() -> str:
    from django.template.loader import get_template

    return get_template("cycles/_visits_section.html").template.source
