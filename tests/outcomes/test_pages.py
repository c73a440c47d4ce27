"""The outcomes pages: completing a measure from the form, the warning on save and on the family's record, the
change shown, another practitioner's family by id, and constant queries at 5 vs 50 measures."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notices.actions import acknowledge_notice
from notices.models import Notice
from outcomes.models import InstrumentWording, Measure, MeasureConfig
from tests.outcomes.helpers_outcomes import EPDS_13, EPDS_RISK, family, goal_ratings, record
from tests.referrals.helpers import today

pytestmark = pytest.mark.django_db


def form_data(values, *, time_point="baseline", on=None, **extra) -> dict:
    on = on or today()
    data = {"time_point": time_point, "completed_on": on.isoformat(), **extra}
    data.update({f"item_{n}": "" if v is None else str(v) for n, v in enumerate(values, start=1)})
    return data


def test_practitioner_completes_epds_on_the_form_and_sees_the_score(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    url = reverse("outcomes:record", args=[referral.pk, "epds"])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Item 10" in page.content and b"licensed copy" in page.content  # neutral labels, no EPDS wording
    response = client.post(url, form_data(EPDS_13), follow=True)
    measure = Measure.objects.get()
    assert response.redirect_chain[-1][0] == reverse("outcomes:measure", args=[measure.pk])
    assert b"Probable depression" in response.content and b"13" in response.content


def test_out_of_range_answer_on_the_form_is_refused(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    response = login(practitioner).post(
        reverse("outcomes:record", args=[referral.pk, "epds"]), form_data([1, 1, 1, 2, 2, 1, 2, 1, 2, 7])
    )
    assert response.status_code == 400 and not Measure.objects.exists()
    assert b"nhsuk-error-summary" in response.content


def test_risk_answer_warning_on_save_and_on_the_familys_record_until_acted_on(
    login, service, coordinator, practitioner
):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    response = client.post(reverse("outcomes:record", args=[referral.pk, "epds"]), form_data(EPDS_RISK), follow=True)
    assert b"Risk answer needs action" in response.content
    assert b"nhsuk-warning-callout" in response.content
    notice = Notice.objects.get(recipient=practitioner)
    assert reverse("notices:acknowledge", args=[notice.pk]).encode() in response.content
    record_page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert b"Risk answer needs action" in record_page.content
    acknowledge_notice(notice=notice, action_taken="Phoned the parent and the GP; safety plan made", by=practitioner)
    record_page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert b"Risk answer needs action" not in record_page.content
    assert b"Risk answers acted on" in record_page.content
    assert b"safety plan made" in record_page.content


def test_service_wording_replaces_the_neutral_labels(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    InstrumentWording.objects.create(
        service=service,
        instrument="epds",
        items_text="\n".join(f"Licensed wording of item {n}" for n in range(1, 11)),
        options_text="First | Second | Third | Fourth",
        copyright_notice="© Test licensed copy",
        licence_note="Permission from RCPsych, test",
    )
    page = login(practitioner).get(reverse("outcomes:record", args=[referral.pk, "epds"]))
    assert b"Licensed wording of item 10" in page.content and b"Fourth" in page.content
    assert "© Test licensed copy".encode() in page.content


def test_shipped_core10_wording_shows_its_copyright_line(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    MeasureConfig.objects.create(service=service, instrument="core10", time_points=["baseline", "end"])
    page = login(practitioner).get(reverse("outcomes:record", args=[referral.pk, "core10"]))
    assert b"I made plans to end my life" in page.content
    assert "© CORE System Trust: https://www.coresystemtrust.org.uk/copyright.pdf".encode() in page.content


def test_outcomes_page_shows_change_reliable_change_goals_and_chart(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    record(referral, practitioner, values=[3, 3, 0, 3, 0, 0, 0, 0, 0, 3], days_ago=60)  # 9 items at 3, item 10 at 0
    record(referral, practitioner, time_point="end", values=EPDS_13)
    goal_ratings(referral, practitioner, [(2, 7), (3, 5)])
    page = login(practitioner).get(reverse("outcomes:family", args=[referral.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert Measure.objects.get(time_point="baseline").primary_value == 27
    assert "-14" in content  # 27 → 13
    assert "Reliably improved" in content and "No reliable change" in content  # EPDS fall ≥ 4; goal 2 +2
    assert "<svg" in content and "<table" in content


def test_other_practitioners_family_by_id_is_404_on_every_page(
    login, service, coordinator, practitioner, other_practitioner
):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner)
    client = login(other_practitioner)
    for url in (
        reverse("outcomes:family", args=[referral.pk]),
        reverse("outcomes:record", args=[referral.pk, "epds"]),
        reverse("outcomes:measure", args=[measure.pk]),
        reverse("outcomes:correct", args=[measure.pk]),
        reverse("api:referral-measure-list", args=[referral.pk]),
        reverse("api:measure-detail", args=[measure.pk]),
        reverse("api:measure-correct", args=[measure.pk]),
    ):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {}).status_code in (404, 405), url


def test_supervisor_and_manager_may_read_but_not_record(login, service, coordinator, practitioner, manager):
    referral = family(service, coordinator, practitioner)
    client = login(manager)
    assert client.get(reverse("outcomes:family", args=[referral.pk])).status_code == 200
    assert client.get(reverse("outcomes:record", args=[referral.pk, "epds"])).status_code == 403


def test_correction_page_keeps_the_original_and_shows_both_versions(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    measure = record(referral, practitioner)
    client = login(practitioner)
    url = reverse("outcomes:correct", args=[measure.pk])
    assert client.post(url, form_data(EPDS_13)).status_code == 400  # no reason
    response = client.post(url, form_data([0] * 9 + [3], reason="Keyed on the wrong row"), follow=True)
    assert b"Keyed on the wrong row" in response.content and b"Versions" in response.content
    assert Measure.objects.count() == 2 and Measure.objects.current().count() == 1


def _fill(referral, by, count):
    """`count` measures on one family: EPDS/feedback current, plus corrections (each kept) to reach the count."""
    first = record(referral, by, days_ago=90)
    from outcomes import actions
    from tests.outcomes.helpers_outcomes import answers

    latest = first
    for index in range(count - 1):
        latest = actions.correct_measure(
            measure=latest,
            answers=answers(EPDS_13),
            completed_on=today() - timedelta(days=90),
            reason=f"Correction {index}",
            by=by,
        )


@pytest.mark.parametrize("page", ["outcomes:family", "referrals:detail"])
def test_query_count_does_not_grow_from_5_to_50_measures(login, service, coordinator, practitioner, page):
    small = family(service, coordinator, practitioner)
    large = family(service, coordinator, practitioner)
    _fill(small, practitioner, 5)
    _fill(large, practitioner, 50)
    goal_ratings(small, practitioner, [(1, 4)])
    goal_ratings(large, practitioner, [(1, 4), (2, 9), (5, 6)])
    client = login(practitioner)
    counts = []
    for referral in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page, args=[referral.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
