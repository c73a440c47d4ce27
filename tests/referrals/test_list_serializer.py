"""The API list row and the list pages' tags are built by hand for speed (issue 20): they must say exactly what the
declared fields and the old includes said."""

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse

from referrals import actions
from referrals.models import Referral
from referrals.reads.caseloads import CaseloadRow
from referrals.serializers import ReferralListOut
from tests.referrals.helpers import make_referral, make_unborn_referral, parent, today


def _families(service, coordinator):
    """Referrals that between them take every branch of a row: no parents' postcode shown, several flags,
    eligibility checked or not, unborn child, two parents."""
    plain = make_referral(service, coordinator)
    flagged = make_referral(
        service,
        coordinator,
        parents=[
            parent(name="Ann <Other>", nhs_number="9990000026", interpreter_needed=True),
            parent(name="Bea Second", nhs_number="9990000034", postcode="PE2 2BB"),
        ],
        confidential_address=True,
        risks_to_staff="Dog at the address.",
        safeguarding_status="child_protection",
        bereavement=True,
    )
    unborn = make_unborn_referral(
        service,
        coordinator,
        due=today() + timedelta(days=60),
        parents=[parent(name="Cat Third", nhs_number="9990000042", postcode="")],
    )
    Referral.objects.filter(pk=unborn.pk).update(eligible=None)
    Referral.objects.filter(pk=plain.pk).update(eligible=False)
    return [plain, flagged, unborn]


def test_list_row_is_what_the_declared_fields_say(service, coordinator):
    _families(service, coordinator)
    rows = list(Referral.objects.with_list_details().order_by("pk"))
    serializer = ReferralListOut()
    assert {r.eligible for r in rows} == {None, False, True}
    for referral in rows:
        fast = serializer.to_representation(referral)
        slow = serializer.field_by_field(referral)
        assert list(fast) == list(slow)
        assert fast == slow
        # And the same without the list's prefetch (a referral read alone).
        alone = Referral.objects.get(pk=referral.pk)
        assert serializer.to_representation(alone) == slow


def test_api_list_answers_the_declared_fields(login, service, coordinator):
    _families(service, coordinator)
    body = login(coordinator).get(reverse("api:referral-list")).json()
    by_id = {r.pk: r for r in Referral.objects.with_list_details()}
    assert len(body["results"]) == 3
    for row in body["results"]:
        assert row == ReferralListOut().field_by_field(by_id[row["id"]])


def test_api_list_rows_read_no_field_they_did_not_load(login, service, coordinator):
    """The list reads only the columns its rows show (`with_api_row_details`): a row touching any other field would
    load it with a query of its own, so the list and a search cost the same queries for one family as for three."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(coordinator)
    make_referral(service, coordinator)
    counts = []
    for families in (1, 4):
        while Referral.objects.count() < families:
            _families(service, coordinator)
        for params in ({}, {"name": "Example"}):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(reverse("api:referral-list"), params).json()
            assert len(body["results"]) >= min(families, 1)
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


OLD_TAG = (
    '{% load nhsuk %}{% with tag_colour=colour|nhsuk_tag_colour %}<strong class="nhsuk-tag{% if tag_colour %} '
    'nhsuk-tag--{{ tag_colour }}{% endif %}{% if classes %} {{ classes }}{% endif %}">{{ text }}</strong>'
    "{% endwith %}\n"
)
OLD_ELIGIBILITY = (
    "{% if referral.eligible is None %}\n  TAG:Not checked:grey\n{% elif referral.eligible %}\n"
    "  TAG:Eligible:green\n{% else %}\n  TAG:Outside criteria:orange\n{% endif %}\n"
)


def _old_eligibility(referral) -> str:
    """What `_eligibility.html` drew through `includes/tag.html` before the filters, byte for byte."""
    tag = Template(OLD_TAG)
    outline = Template(OLD_ELIGIBILITY).render(Context({"referral": referral}))
    for text, colour in (("Not checked", "grey"), ("Eligible", "green"), ("Outside criteria", "orange")):
        outline = outline.replace(f"TAG:{text}:{colour}", tag.render(Context({"text": text, "colour": colour})))
    return outline


def _old_flags(referral) -> str:
    tag = Template(OLD_TAG)
    return (
        "".join(
            tag.render(Context({"text": f, "colour": "red", "classes": "app-flag"})) + " " for f in referral.flags()
        )
        + "\n"
    )


def test_row_tags_are_the_old_includes_byte_for_byte(service, coordinator):
    _families(service, coordinator)
    new = Template("{% load referral_tags %}{{ referral|eligibility_tag }}|{{ referral|flag_tags }}")
    include = Template('{% include "referrals/_eligibility.html" %}|{% include "referrals/_flags.html" %}')
    flagged = 0
    for referral in Referral.objects.with_list_details():
        expected = f"{_old_eligibility(referral)}|{_old_flags(referral)}"
        assert new.render(Context({"referral": referral})) == expected
        assert include.render(Context({"referral": referral})) == expected
        flagged += len(referral.flags())
    assert flagged >= 5  # the flagged family's flags, its name escaped, were all drawn


# The triage queue's row as its template drew it before `triage_row` (issue 20), kept beside this test.
OLD_TRIAGE_ROW = (Path(__file__).parent / "triage_row_before.html").read_text(encoding="utf-8")


def test_triage_row_is_the_old_row_template_byte_for_byte(service, coordinator):
    families = _families(service, coordinator)
    actions.triage_referral(
        referral=families[0], decision="request_information", by=coordinator, missing_information="GP"
    )
    Referral.objects.filter(pk=families[0].pk).update(awaiting_information_since=today() - timedelta(days=1200))
    old = Template("{% load referral_tags %}" + OLD_TRIAGE_ROW)
    new = Template("{% load referral_tags %}{% triage_row referral many_services %}")
    given_today = Template("{% load referral_tags %}{% triage_row referral many_services today %}")
    rows = list(Referral.objects.with_list_details())
    assert any(r.total_days_awaiting_information() > 1000 for r in rows)  # thousands are shown as the page shows
    for referral in rows:
        for many_services in (False, True):
            context = {"referral": referral, "many_services": many_services, "today": today()}
            assert new.render(Context(context)) == old.render(Context(context))
            assert given_today.render(Context(context)) == old.render(Context(context))
    # The page's today is the one the waits are counted to.
    later = {"referral": rows[0], "many_services": False, "today": today() + timedelta(days=3)}
    assert given_today.render(Context(later)) != old.render(Context(later))


SEARCH_ROW_BEFORE = (Path(__file__).parent / "search_row_before.html").read_text(encoding="utf-8")


def test_search_row_is_the_old_row_template_byte_for_byte(service, coordinator):
    _families(service, coordinator)
    old = Template("{% load referral_tags %}" + SEARCH_ROW_BEFORE)
    new = Template("{% load referral_tags %}{% search_row referral %}")
    rows = list(Referral.objects.with_list_details()) + list(Referral.objects.all())  # listed, and read alone
    assert any(r.confidential_address for r in rows) and any(len(r.parent_list) == 2 for r in rows)
    for referral in rows:
        assert new.render(Context({"referral": referral})) == old.render(Context({"referral": referral}))


# The caseload table as its template drew it before `caseload_row` (issue 20), kept beside this test.
CASELOAD_TABLE_BEFORE = (Path(__file__).parent / "caseload_table_before.html").read_text(encoding="utf-8")


def test_caseload_row_is_the_old_row_template_byte_for_byte(service, coordinator, practitioner):
    families = [r.pk for r in _families(service, coordinator)]
    referrals = list(Referral.objects.with_list_details().filter(pk__in=families))
    rows = [
        CaseloadRow(
            referral=referral,
            allocation=SimpleNamespace(practitioner=practitioner),
            status=status,
            days_since_allocation=days,
            flags=referral.flags(),
            referrer="Dr <Who> & Partners",
            last_contact=contact,
            next_visit=visit,
            overdue_reasons=reasons,
            liaison_done=liaison,
        )
        for referral, status, days, contact, visit, reasons, liaison in zip(
            referrals,
            ["Allocated", "Filming <cycle 2>", "Shared review"],
            [0, 1, 1234],
            [None, date(2026, 9, 7), date(2027, 1, 30)],
            [date(2026, 12, 24), None, None],
            [[], ["No contact for 4 weeks", "Liaison <not> done"], ["Visit not recorded"]],
            [None, True, False],
            strict=True,
        )
    ]
    assert sum(len(row.flags) for row in rows) >= 5
    for show_practitioner in (False, True):
        context = {"rows": rows, "caption": "Open families", "show_practitioner": show_practitioner, "table_id": "t"}
        old = Template(CASELOAD_TABLE_BEFORE).render(Context(context))
        assert get_template("referrals/_caseload_table.html").render(context) == old
        assert ("Practitioner </span>" in old) == show_practitioner and "<Who>" not in old


# The caseloads page as its template drew it before `practitioner_row` (issue 20), kept beside this test.
CASELOADS_BEFORE = (Path(__file__).parent / "caseloads_before.html").read_text(encoding="utf-8")


def test_practitioner_row_is_the_old_row_byte_for_byte(service, coordinator, practitioner, trainee, supervisor):
    from accounts.models import Membership, PractitionerDetails, Role
    from referrals.reads.caseloads import practitioners_in
    from tests.referrals.allocation_helpers import set_details

    set_details(trainee, service, coordinator, capacity=4, supervisor=supervisor, training_stage=2)

    PractitionerDetails.objects.filter(membership__user=practitioner).delete()  # never saved: "Not set"
    trainee.first_name = "Tom <Trainee> & Co"
    trainee.save()
    members = practitioners_in([service.pk])
    assert any(m.details_or_none is None for m in members)
    assert any(m.details_or_none is not None and m.details_or_none.training_stage for m in members)
    old, new = Template(CASELOADS_BEFORE), get_template("referrals/caseloads.html")
    for can_open, can_manage in ((True, True), (False, False), (True, False)):
        for m in members:
            m.can_open, m.can_manage = can_open, can_manage
        context = {"practitioners": members, "services": [], "can_see_waiting_list": False}
        assert new.render(context) == old.render(Context(context))
    assert Membership.objects.filter(role=Role.PRACTITIONER, service=service).count() == len(members) >= 2
