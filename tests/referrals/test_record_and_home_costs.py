"""What a family's record and the home pages cost (issue 20: CPU per busy page): a fixed, small number of queries
whatever the family's history or the person's notices, and the record's timeline rendered in Python (`timeline_items`)
exactly as the template did, every value escaped."""

from django.urls import reverse
from django.utils import timezone

from notices.actions import acknowledge_notice, raise_notice
from notices.models import NoticeKind
from referrals import actions as referral_actions
from referrals.models import ReferralEvent
from referrals.reads.events import timeline_of
from referrals.templatetags.referral_tags import timeline_items
from tests.cycles.helpers_visits import (  # noqa: F401
    attended,
    book,
    family_fixture,
    query_count,
    ready_fixture,
)

# The counts, tightened to what the pages cost now (with the tests' two-step sign-in). The record: the session, the
# user and their memberships, the family (with its parents, older children and allocations), the access-log row, each
# section's few queries, the service's referral questions and the timeline, the session saved; the API's extras
# (triage decisions, timeline models, who allocated) are no longer loaded for pages. The home page: the same
# per-request ones, the notices (escalated, open and handled: one query) and their families (one), the access-log
# row and the queue counts; trainee progress only for a trainee.
RECORD_QUERIES = 28
COORDINATOR_HOME_QUERIES = 12


def test_the_record_costs_a_fixed_number_of_queries(login, family, coordinator, practitioner, other_practitioner):
    for days in (-2, -1, 2, 5):
        visit = book(family, practitioner, days=days)
        if days < 0:
            attended(visit, practitioner)
    for n in range(4):
        to = other_practitioner if n % 2 == 0 else practitioner
        referral_actions.reallocate_referral(referral=family, practitioner=to, reason=f"Move {n}", by=coordinator)
    client = login(coordinator)
    count = query_count(client, reverse("referrals:detail", args=[family.pk]))
    assert count <= RECORD_QUERIES


def _risk_answer(recipients, referral, n):
    """The same risk answer told to several people (handled together: one acting closes everyone's)."""
    return [
        raise_notice(
            recipient=who,
            kind=NoticeKind.RISK_ANSWER,
            summary=f"Risk answer {n}",
            referral=referral,
            object_type="outcomes.measure",
            object_id=str(n),
        )
        for who in recipients
    ]


def test_the_coordinators_home_costs_a_fixed_number_of_queries(login, family, coordinator, practitioner):
    client = login(coordinator)
    _risk_answer([coordinator], family, 100)
    first = query_count(client, reverse("home"))
    for n in range(14):
        raise_notice(
            recipient=coordinator,
            kind=NoticeKind.VISIT_OVERDUE,
            summary=f"Visit {n} not recorded",
            referral=family,
            object_type="cycles.visit",
            object_id=str(n),
        )
        if n % 3 == 0:  # and some a colleague handled
            _, theirs = _risk_answer([coordinator, practitioner], family, n)
            acknowledge_notice(notice=theirs, action_taken="Phoned the parent", by=practitioner)
    page = client.get(reverse("home")).content.decode()
    assert "Handled by a colleague" in page and "All your notices" in page
    assert query_count(client, reverse("home")) == first <= COORDINATOR_HOME_QUERIES


def test_home_shows_open_notices_urgent_first_then_those_a_colleague_handled(login, family, coordinator, practitioner):
    for n, urgent in enumerate([False, True, False]):
        raise_notice(
            recipient=coordinator,
            kind=NoticeKind.VISIT_OVERDUE,
            summary=f"Open notice {n}",
            referral=family,
            urgent=urgent,
            object_type="cycles.visit",
            object_id=str(n),
        )
    for n in (7, 8):
        _, theirs = _risk_answer([coordinator, practitioner], family, n)
        acknowledge_notice(notice=theirs, action_taken=f"Action {n}", by=practitioner)
    page = login(coordinator).get(reverse("home")).content.decode()
    assert page.index("Open notice 1") < page.index("Open notice 2") < page.index("Open notice 0")
    assert page.index("Open notice 0") < page.index("Handled by a colleague") < page.index("Risk answer 8")
    assert page.index("Risk answer 8") < page.index("Risk answer 7")  # the latest handled first
    assert f"({family.reference})" in page


def test_timeline_renders_every_change_escaped(family, coordinator):
    ReferralEvent.objects.create(
        referral=family,
        actor=coordinator,
        kind="updated",
        summary="Changed <b>things</b>",
        changes={"referrer_name": ["Ann <Smith>", "Ann Jones"], "risks_to_staff": [None, "Dog"], "gp": ["X", None]},
        at=timezone.now(),
    )
    html = str(timeline_items(timeline_of(family)))
    assert "<li>referrer_name: Ann &lt;Smith&gt; → Ann Jones</li>" in html
    assert "<li>risks_to_staff: Dog</li>" in html
    assert "<li>gp: X → –</li>" in html
    assert "Changed &lt;b&gt;things&lt;/b&gt;" in html and "<b>" not in html
    assert f"– {coordinator.display_name}, " in html
    created = next(e for e in timeline_of(family) if e.kind == "created")
    assert "What changed" not in str(timeline_items([created]))


def test_the_timeline_gives_each_moment_in_uk_time_as_the_date_filter_does(family, coordinator):
    import datetime

    from django.template.defaultfilters import date as date_filter

    moments = [
        datetime.datetime(2026, 7, 1, 11, 30, tzinfo=datetime.UTC),  # British Summer Time: 12:30
        datetime.datetime(2026, 12, 1, 9, 5, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 29, 0, 59, tzinfo=datetime.UTC),  # the minute before the clocks go forward
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),
    ]
    for at in moments:
        ReferralEvent.objects.create(referral=family, actor=coordinator, kind="updated", summary="Moment", at=at)
    html = str(timeline_items(timeline_of(family)))
    for at in moments:
        assert f"{date_filter(timezone.localtime(at), 'j F Y H:i')}" in html
    assert "1 July 2026 12:30" in html and "29 March 2026 02:00" in html


def test_a_change_line_shows_every_kind_of_value_as_escaped_localised_text():
    """`_change_row` escapes text at once and anything else as `{{ value }}` would show it (`escaped(localized(…))`):
    the same line for every kind of value a change can hold (JSON: text, numbers, true/false, lists, objects)."""
    import itertools

    from django.utils.safestring import mark_safe

    from referrals.templatetags.referral_tags import _change_row
    from web.markup import escaped, localized

    values = ["Ann <Smith> & \"Co\" 'x'", "", "\u202eZoë", mark_safe("<em>kept</em>"), 3, 0, 2.5, True, False]
    values += [["a", "<b>"], {"k": "<v>"}, 12345678]

    def expected(field, old, new):
        if old is None:
            return f"<li>{escaped(field)}: {escaped(localized(new))}</li>"
        shown_new = escaped("–" if new is None else localized(new))
        return f"<li>{escaped(field)}: {escaped(localized(old))} → {shown_new}</li>"

    for old, new in itertools.product([None, *values], [None, *values]):
        for field in ("referrer_name", "<field> & 'x'"):
            assert _change_row(field, old, new) == expected(field, old, new), (field, old, new)
