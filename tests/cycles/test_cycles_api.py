"""The cycles API: the same actions and refusals as the pages, the schema's rules, and scope by family."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cycles.models import Clip, ConsentItem, Cycle, Filming, SharedReview
from tests.cycles.helpers_cycles import consent, days_ago, family, helping_question, run_cycle, today, withdraw


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def cycle_url(name: str, cycle) -> str:
    return reverse(f"api:cycle-{name}", kwargs={"pk": cycle.pk})


def list_url(referral) -> str:
    return reverse("api:cycle-list", kwargs={"pk": referral.pk})


@pytest.fixture
def referral(service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    consent(referral, practitioner)
    return referral


@pytest.fixture
def question(referral, practitioner):
    return helping_question(referral, practitioner)


def test_practitioner_runs_a_cycle_through_the_api(login, referral, practitioner, question):
    client = login(practitioner)
    response = post(client, list_url(referral), {})
    assert response.status_code == 201, response.content
    cycle = Cycle.objects.get(pk=response.json()["id"])
    assert response.json()["stage"] == "to_film" and response["Location"] == cycle_url("detail", cycle)
    parent = referral.parents.get()
    filming = {
        "filmed_on": str(days_ago(9)),
        "activity": "feeding",
        "filmed_parents": [parent.pk],
        "length_seconds": 400,
    }
    response = post(client, cycle_url("filming", cycle), filming)
    assert response.status_code == 201, response.content
    assert response.json()["filming"]["filmed_parents"] == [parent.pk]
    for start in (10, 100):
        clip = {
            "start_seconds": start,
            "end_seconds": start + 8,
            "principles": [2, 3],
            "helping_question": question.pk,
            "description": "Baby babbles; dad answers.",
        }
        assert post(client, cycle_url("clips", cycle), clip).status_code == 201
    clip_ids = list(Clip.objects.values_list("pk", flat=True))
    review = {"reviewed_on": str(days_ago(2)), "clips_watched": clip_ids, "parent_reflections": "He answers me."}
    response = post(client, cycle_url("shared-review", cycle), review)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "reviewed" and sorted(body["shared_review"]["clips_watched"]) == sorted(clip_ids)
    listing = client.get(list_url(referral)).json()
    assert (listing["next"], listing["previous"]) == (None, None)
    assert [c["number"] for c in listing["results"]] == [1]
    plan = client.get(reverse("api:cycle-plan", kwargs={"pk": referral.pk})).json()
    assert plan["planned_cycles"] == 3 and plan["can_start"] and plan["next_number"] == 2
    assert plan["cycles_started"] == 1 and plan["start_refused_because"] == ""


def test_api_filming_without_consent_is_409_naming_who(login, service, coordinator, practitioner):
    referral = family(service, coordinator, practitioner)
    client = login(practitioner)
    cycle_id = post(client, list_url(referral), {}).json()["id"]
    data = {
        "filmed_on": str(days_ago(3)),
        "activity": "play",
        "filmed_parents": [referral.parents.get().pk],
        "length_seconds": 300,
    }
    response = post(client, reverse("api:cycle-filming", kwargs={"pk": cycle_id}), data)
    assert response.status_code == 409
    assert "Jane Example has not given consent" in response.json()["detail"]
    assert not Filming.objects.exists()


def test_api_training_mark_after_training_withdrawal_is_409(login, referral, practitioner, question):
    withdraw(referral, referral.parents.get(), ConsentItem.TRAINING, on=days_ago(40), by=practitioner)
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(9), clips=0, review=False)
    data = {
        "start_seconds": 0,
        "end_seconds": 5,
        "principles": [1],
        "helping_question": question.pk,
        "description": "x",
        "marked_for_training": True,
    }
    response = post(login(practitioner), cycle_url("clips", cycle), data)
    assert response.status_code == 409 and "use in training" in response.json()["detail"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"end_seconds": 421}, "end_seconds"),
        ({"start_seconds": -1}, "start_seconds"),
        ({"principles": [7]}, "principles"),
        ({"principles": []}, "principles"),
    ],
)
def test_api_clip_bad_values_are_400(login, referral, practitioner, question, change, field):
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(9), clips=0, review=False)
    data = {
        "start_seconds": 0,
        "end_seconds": 5,
        "principles": [1],
        "helping_question": question.pk,
        "description": "x",
    }
    response = post(login(practitioner), cycle_url("clips", cycle), {**data, **change})
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Clip.objects.exists()


def test_api_shared_review_before_filming_is_409_and_future_date_400(login, referral, practitioner, question):
    client = login(practitioner)
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(9), clips=0, review=False)
    second = Cycle.objects.create(referral=referral, number=2, created_by=practitioner)
    response = post(
        client,
        cycle_url("shared-review", second),
        {"reviewed_on": str(today()), "clips_watched": [1], "parent_reflections": "x"},
    )
    assert response.status_code == 409 and "no filming recorded" in response.json()["detail"]
    run_clip = {
        "start_seconds": 0,
        "end_seconds": 5,
        "principles": [1],
        "helping_question": question.pk,
        "description": "x",
    }
    post(client, cycle_url("clips", cycle), run_clip)
    clip = Clip.objects.get()
    tomorrow = today().toordinal() + 1
    from datetime import date

    response = post(
        client,
        cycle_url("shared-review", cycle),
        {"reviewed_on": str(date.fromordinal(tomorrow)), "clips_watched": [clip.pk], "parent_reflections": "x"},
    )
    assert response.status_code == 400 and "reviewed_on" in response.json()
    assert not SharedReview.objects.exists()


def test_api_another_practitioners_family_and_cycle_are_404(
    login, referral, practitioner, other_practitioner, question
):
    cycle = run_cycle(referral, practitioner, question, filmed_on=days_ago(9), review=False)
    client = login(other_practitioner)
    assert client.get(list_url(referral)).status_code == 404
    assert post(client, list_url(referral), {}).status_code == 404
    assert client.get(cycle_url("detail", cycle)).status_code == 404
    for name in ("filming", "clips", "shared-review"):
        assert post(client, cycle_url(name, cycle), {}).status_code == 404
    assert Cycle.objects.count() == 1


def test_api_another_familys_records_by_id_are_400(login, referral, practitioner, question, service, coordinator):
    stranger = family(service, coordinator, practitioner)
    cycle = actions_start(referral, practitioner)
    data = {
        "filmed_on": str(days_ago(3)),
        "activity": "play",
        "filmed_parents": [stranger.parents.get().pk],
        "length_seconds": 300,
    }
    response = post(login(practitioner), cycle_url("filming", cycle), data)
    assert response.status_code == 400 and "filmed_parents" in response.json()


def actions_start(referral, by):
    from cycles import actions

    return actions.start_cycle(referral=referral, by=by)


@pytest.mark.parametrize("reader", ["supervisor", "manager"])
def test_api_supervisor_and_manager_read_only(login, service, coordinator, trainee, supervisor, reader, request):
    referral = family(service, coordinator, trainee, supervisor=supervisor)
    consent(referral, trainee)
    question = helping_question(referral, trainee)
    cycle = run_cycle(referral, trainee, question, filmed_on=days_ago(9), review=False)
    client = login(request.getfixturevalue(reader))
    assert client.get(list_url(referral)).status_code == 200
    assert client.get(cycle_url("detail", cycle)).json()["stage"] == "clips_chosen"
    assert post(client, list_url(referral), {}).status_code == 403
    for name in ("filming", "clips", "shared-review"):
        assert post(client, cycle_url(name, cycle), {}).status_code == 403


def test_api_cycle_list_costs_the_same_for_5_and_50_cycles(login, referral, practitioner, question):
    client = login(practitioner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(list_url(referral)).status_code == 200
        return len(queries)

    for n in range(5):
        run_cycle(referral, practitioner, question, filmed_on=days_ago(59 - n), reviewed_on=days_ago(59 - n))
    few = count()
    for n in range(5, 50):
        run_cycle(referral, practitioner, question, filmed_on=days_ago(59 - n), reviewed_on=days_ago(59 - n))
    assert count() == few


def test_schema_states_the_rules(login, practitioner):
    schema = login(practitioner).get("/api/v1/schema/?format=json").json()
    clip = schema["components"]["schemas"]["ClipInRequest"]["properties"]
    assert clip["start_seconds"]["minimum"] == 0
    assert clip["principles"]["items"]["minimum"] == 1 and clip["principles"]["items"]["maximum"] == 6
    assert clip["principles"]["minItems"] == 1
    assert "/api/v1/cycles/{id}/shared-review/" in schema["paths"]
