"""Cycle pages and the "VIG cycles" section of the family's record: who sees what, refusals by the form, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessEvent
from cycles import actions
from cycles.models import Clip, ConsentItem, Cycle, Filming, SharedReview
from tests.cycles.helpers_cycles import consent, days_ago, family, helping_question, run_cycle


@pytest.fixture
def referral(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    return referral


@pytest.fixture
def question(referral, practitioner):
    return helping_question(referral, practitioner)


def _record(client, referral):
    return client.get(reverse("referrals:detail", kwargs={"pk": referral.pk}))


def test_practitioner_runs_a_cycle_from_the_record(login, referral, practitioner, question):
    client = login(practitioner)
    page = _record(client, referral).content.decode()
    assert "VIG cycles" in page and "The service plans 3 cycles" in page and "Start cycle 1" in page
    response = client.post(reverse("cycles:cycle_start", kwargs={"pk": referral.pk}), {})
    cycle = Cycle.objects.get(referral=referral)
    assert response.status_code == 302 and response.url == reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk})
    parent = referral.parents.get()
    response = client.post(
        reverse("cycles:cycle_filming", kwargs={"pk": cycle.pk}),
        {
            "filmed_on": days_ago(10).isoformat(),
            "activity": "bath",
            "filmed_parents": [parent.pk],
            "length_seconds": "6:30",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Filming.objects.get(cycle=cycle).length_seconds == 390
    for start, end in (("0:30", "0:38"), ("2:05", "2:12")):
        response = client.post(
            reverse("cycles:cycle_clip_add", kwargs={"pk": cycle.pk}),
            {
                "start_seconds": start,
                "end_seconds": end,
                "principles": ["1", "4"],
                "helping_question": question.pk,
                "description": "Baby reaches out; mum names it.",
            },
        )
        assert response.status_code == 302, response.content.decode()
    clips = list(Clip.objects.filter(filming__cycle=cycle))
    response = client.post(
        reverse("cycles:cycle_shared_review", kwargs={"pk": cycle.pk}),
        {
            "reviewed_on": days_ago(3).isoformat(),
            "clips_watched": [c.pk for c in clips],
            "parent_reflections": "I see her looking for me.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert SharedReview.objects.get(cycle=cycle).clips_watched.count() == 2
    page = client.get(reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk})).content.decode()
    assert "I see her looking for me." in page and "Being attentive, Developing attuned interactions" in page
    assert "Start cycle 2" in _record(client, referral).content.decode()


def test_filming_page_without_consent_says_who_and_saves_nothing(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)  # no consent recorded
    cycle = actions.start_cycle(referral=referral, by=practitioner)
    response = login(practitioner).post(
        reverse("cycles:cycle_filming", kwargs={"pk": cycle.pk}),
        {
            "filmed_on": days_ago(5).isoformat(),
            "activity": "play",
            "filmed_parents": [referral.parents.get().pk],
            "length_seconds": "5:00",
        },
    )
    assert response.status_code == 409
    assert "Jane Example has not given consent" in response.content.decode()
    assert not Filming.objects.exists()


def test_clip_page_puts_a_time_beyond_the_film_by_its_field(login, referral, practitioner, question):
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(10), clips=0, review=False)
    response = login(practitioner).post(
        reverse("cycles:cycle_clip_add", kwargs={"pk": cycle.pk}),
        {
            "start_seconds": "6:55",
            "end_seconds": "7:05",
            "principles": ["2"],
            "helping_question": question.pk,
            "description": "x",
        },
    )
    assert response.status_code == 400
    assert "The clip must end within the film" in response.content.decode()


def test_review_page_before_the_previous_review_refused(login, referral, practitioner, question):
    run_cycle(referral, practitioner, question, filmed_on=days_ago(30), review=False)
    second = Cycle.objects.create(referral=referral, number=2, created_by=practitioner)
    response = login(practitioner).post(
        reverse("cycles:cycle_shared_review", kwargs={"pk": second.pk}),
        {"reviewed_on": days_ago(1).isoformat(), "parent_reflections": "x"},
    )
    assert response.status_code in (400, 409)
    assert not SharedReview.objects.filter(cycle=second).exists()


def test_start_page_beyond_the_maximum_asks_for_a_reason(login, referral, practitioner, question, service):
    for n in range(service.max_cycles):
        run_cycle(referral, practitioner, question, filmed_on=days_ago(50 - 8 * n))
    client = login(practitioner)
    url = reverse("cycles:cycle_start", kwargs={"pk": referral.pk})
    response = client.post(url, {})
    assert response.status_code == 400 and "enter why this family needs cycle 5" in response.content.decode()
    assert client.post(url, {"beyond_maximum_reason": "Second carer joins"}).status_code == 302


def test_another_practitioners_family_and_cycle_are_404(login, referral, practitioner, other_practitioner, question):
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(10), review=False)
    client = login(other_practitioner)
    for url in (
        reverse("cycles:cycle_start", kwargs={"pk": referral.pk}),
        reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk}),
        reverse("cycles:cycle_filming", kwargs={"pk": cycle.pk}),
        reverse("cycles:cycle_clip_add", kwargs={"pk": cycle.pk}),
        reverse("cycles:cycle_shared_review", kwargs={"pk": cycle.pk}),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert AccessEvent.objects.filter(user_id=other_practitioner.pk, action="permission_denied").exists()


@pytest.mark.parametrize("reader", ["supervisor", "manager", "coordinator"])
def test_supervisor_manager_and_coordinator_read_without_links(
    login, service, coordinator, trainee, supervisor, reader, request
):
    referral = family(service, coordinator, trainee, supervisor=supervisor)
    consent(referral, trainee)
    question = helping_question(referral, trainee)
    cycle = run_cycle(referral, trainee, question, filmed_on=days_ago(10), review=False)
    client = login(request.getfixturevalue(reader))
    record = _record(client, referral).content.decode()
    assert "Cycle 1" in record and "Start cycle" not in record
    page = client.get(reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk}))
    assert page.status_code == 200
    assert "Add a clip" not in page.content.decode() and "Record the shared review" not in page.content.decode()
    for name in ("cycles:cycle_filming", "cycles:cycle_clip_add", "cycles:cycle_shared_review"):
        assert client.get(reverse(name, kwargs={"pk": cycle.pk})).status_code == 403
    assert client.post(reverse("cycles:cycle_start", kwargs={"pk": referral.pk}), {}).status_code == 403
    assert not Cycle.objects.filter(number=2).exists()


def test_cycle_page_view_is_logged(login, referral, practitioner, question):
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(10), review=False)
    login(practitioner).get(reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk}))
    assert AccessEvent.objects.filter(
        user_id=practitioner.pk, action="view", object_type="cycles.cycle", object_id=str(cycle.pk)
    ).exists()


def test_overdue_review_shows_on_the_record(login, referral, practitioner, question):
    run_cycle(referral, practitioner, question, filmed_on=days_ago(12), review=False)
    page = _record(login(practitioner), referral).content.decode()
    assert "Review overdue" in page and "Cycle 1 has no shared review yet" in page


def _record_queries(client, referral) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert _record(client, referral).status_code == 200
    return len(queries)


def test_record_section_costs_the_same_for_5_and_50_cycles(login, referral, practitioner, question):
    client = login(practitioner)
    for n in range(5):
        run_cycle(referral, practitioner, question, filmed_on=days_ago(59 - n), reviewed_on=days_ago(59 - n))
    few = _record_queries(client, referral)
    for n in range(5, 50):
        run_cycle(referral, practitioner, question, filmed_on=days_ago(59 - n), reviewed_on=days_ago(59 - n))
    assert Cycle.objects.filter(referral=referral).count() == 50
    assert _record_queries(client, referral) == few


def test_withdrawing_training_consent_unmarks_the_clips_and_says_so(login, referral, practitioner, question):
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(10), clips=0, review=False)
    actions.add_clip(
        filming=cycle.filming,
        by=practitioner,
        start_seconds=0,
        end_seconds=6,
        principles=[1],
        helping_question=question,
        description="Shared smile",
        marked_for_training=True,
    )
    client = login(practitioner)
    url = reverse("cycles:cycle_detail", kwargs={"pk": cycle.pk})
    assert "Training consent withdrawn" not in client.get(url).content.decode()
    assert cycle.filming.clips.get().marked_for_training
    actions.withdraw_consent(
        consent=referral.consents.get(),
        items=[ConsentItem.TRAINING],
        withdrawn_on=days_ago(0),
        reason="Changed their mind about training",
        by=practitioner,
    )
    assert not cycle.filming.clips.get().marked_for_training  # nobody can pick it for training from a stale mark
    event = referral.events.get(kind="consent_withdrawn")
    assert event.changes["clips marked for training"] == [None, "1 no longer marked (consent to training withdrawn)"]
    page = client.get(url).content.decode()
    assert "cannot use the clips marked for training" not in page  # nothing marked is left to warn about
