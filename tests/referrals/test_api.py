"""The referral API: same actions, scoping, refusals and access logging as the pages."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from referrals import actions
from referrals.models import Referral, ReferralEvent
from tests.referrals.helpers import (
    TEST_NHS_NUMBERS,
    make_referral,
    make_unborn_referral,
    months_ago,
    parent,
    referral_data,
    today,
)

LIST_URL = "/api/v1/referrals/"


def url(name: str, referral: Referral) -> str:
    return reverse(f"api:referral-{name}", kwargs={"pk": referral.pk})


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def body(service, *, parents=None, other_children=(), **overrides) -> dict:
    """A referral as an API client would send it (ids for site and source, ISO dates)."""
    data = referral_data(service, **overrides)
    out = {k: _json_value(v) for k, v in data.items()}
    out["service"] = service.slug
    out["parents"] = [{k: _json_value(v) for k, v in p.items()} for p in (parents or [parent()])]
    out["other_children"] = [{k: _json_value(v) for k, v in c.items()} for c in other_children]
    return out


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def put(client, path, data):
    return client.put(path, data, content_type="application/json")


# --- create --------------------------------------------------------------------------------------------------------


def test_create_records_referral_with_parents(login, coordinator, service):
    data = body(
        service,
        child_nhs_number="999 000 0018",
        parents=[parent(nhs_number="999-000-0026"), parent(name="John Example", relationship="Father")],
        other_children=[{"name": "Older Sibling", "date_of_birth": date(2010, 1, 1), "consent_to_filming": "yes"}],
    )
    response = post(login(coordinator), LIST_URL, data)
    assert response.status_code == 201, response.json()
    out = response.json()
    referral = Referral.objects.get(pk=out["id"])
    assert response["Location"] == url("detail", referral)
    assert referral.created_by == coordinator
    assert [p.name for p in referral.parents.all()] == ["Jane Example", "John Example"]
    assert referral.parents.first().nhs_number == TEST_NHS_NUMBERS[1]
    assert referral.other_children.get().consent_to_filming == "yes"
    assert out["reference"] == referral.reference
    assert out["service"] == service.slug
    assert out["site"] == {"id": referral.site_id, "name": referral.site.name}
    assert out["child_nhs_number"] == "9990000018"
    assert out["child_nhs_number_display"] == "999 000 0018"
    assert out["parents"][0]["nhs_number_display"] == "999 000 0026"
    assert out["status"] == "received"
    assert out["eligible"] is True
    assert out["allowed_transitions"] == ["request_information", "accept", "decline", "withdraw"]
    assert out["user_can"] == {"update": True, "triage": True, "withdraw": True, "allocate": True}
    assert ReferralEvent.objects.filter(referral=referral, kind="created").exists()


def test_create_with_invalid_nhs_number_is_400_and_saves_nothing(login, coordinator, service):
    client = login(coordinator)
    response = post(client, LIST_URL, body(service, child_nhs_number="9434765918"))
    assert response.status_code == 400
    assert "not a valid NHS number" in response.json()["child_nhs_number"][0]
    response = post(client, LIST_URL, body(service, parents=[parent(nhs_number="9434765918")]))
    assert response.status_code == 400
    assert "not a valid NHS number" in response.json()["parents"]["0"]["nhs_number"][0]
    assert not Referral.objects.exists()


def test_child_born_before_parent_is_400(login, coordinator, service):
    data = body(service, parents=[parent(date_of_birth=months_ago(1))], child_date_of_birth=months_ago(2))
    response = post(login(coordinator), LIST_URL, data)
    assert response.status_code == 400
    assert response.json()["child_date_of_birth"] == ["Child's date of birth must be after the parent's date of birth"]
    assert not Referral.objects.exists()


def test_parent_born_in_future_is_reported_against_that_parent(login, coordinator, service):
    data = body(service, parents=[parent(), parent(name="John Example", date_of_birth=today() + timedelta(days=1))])
    response = post(login(coordinator), LIST_URL, data)
    assert response.status_code == 400
    assert response.json()["parents"] == {"1": {"date_of_birth": ["Parent's date of birth must be in the past"]}}


def test_referral_dated_in_future_is_400(login, coordinator, service):
    response = post(login(coordinator), LIST_URL, body(service, date_received=today() + timedelta(days=1)))
    assert response.status_code == 400
    assert response.json()["date_received"] == ["Date received must be today or in the past"]
    assert not Referral.objects.exists()


def test_site_or_source_of_another_service_is_400(login, coordinator, service, other_service):
    client = login(coordinator)
    response = post(client, LIST_URL, body(service, site=other_service.sites.first()))
    assert response.status_code == 400
    assert response.json()["site"] == ["Choose a site of this service"]
    response = post(client, LIST_URL, body(service, referral_source=other_service.referral_sources.first()))
    assert response.status_code == 400
    assert response.json()["referral_source"] == ["Choose a referral source of this service"]
    assert not Referral.objects.exists()


def test_create_needs_parents_and_known_questions(login, coordinator, service):
    client = login(coordinator)
    data = body(service)
    data["parents"] = []
    assert "parents" in post(client, LIST_URL, data).json()
    response = post(client, LIST_URL, body(service, question_answers={"made_up": "x"}))
    assert response.status_code == 400
    assert "made_up" in response.json()["question_answers"][0]


def test_create_in_service_without_create_permission_is_refused(
    login, coordinator, manager, other_coordinator, other_service
):
    response = post(login(coordinator), LIST_URL, body(other_service))
    assert response.status_code == 400
    assert response.json()["service"] == ["You cannot record referrals for this service"]
    assert post(login(manager), LIST_URL, body(other_service)).status_code == 403
    assert not Referral.objects.exists()


def test_site_coordinator_cannot_create_at_another_site(login, site_coordinator, service, cambridgeshire):
    data = body(service, site=cambridgeshire, parents=[parent(postcode="CB1 1AA")])
    assert post(login(site_coordinator), LIST_URL, data).status_code == 403
    assert not Referral.objects.exists()


# --- possible duplicates -------------------------------------------------------------------------------------------


def test_duplicate_in_same_service_is_409_until_confirmed(login, coordinator, service):
    existing = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0])])
    client = login(coordinator)
    data = body(service, parents=[parent(name="Someone Else", nhs_number="999 000 0018")])
    response = post(client, LIST_URL, data)
    assert response.status_code == 409
    out = response.json()
    assert "confirm_not_duplicate" in out["detail"]
    assert out["possible_duplicates"] == [
        {
            "id": existing.pk,
            "reference": existing.reference,
            "child_name": existing.child_display_name,
            "child_date_of_birth": existing.child_date_of_birth and existing.child_date_of_birth.isoformat(),
            "expected_delivery_date": existing.expected_delivery_date and existing.expected_delivery_date.isoformat(),
            "parent_names": [p.name for p in existing.parents.all()],
            "date_received": existing.date_received.isoformat(),
            "status": "received",
        }
    ]
    assert Referral.objects.count() == 1
    shown = AccessEvent.objects.filter(action=AccessAction.LIST).last()
    assert shown.detail["ids_shown"] == [existing.pk]

    response = post(client, LIST_URL, {**data, "confirm_not_duplicate": True})
    assert response.status_code == 201
    assert Referral.objects.count() == 2


def test_same_family_in_other_service_is_not_a_duplicate(login, coordinator, other_coordinator, service, other_service):
    make_referral(
        other_service,
        other_coordinator,
        parents=[parent(nhs_number=TEST_NHS_NUMBERS[0], postcode="L20 1AA")],
        child_nhs_number=TEST_NHS_NUMBERS[1],
    )
    data = body(service, parents=[parent(nhs_number=TEST_NHS_NUMBERS[0])], child_nhs_number=TEST_NHS_NUMBERS[1])
    response = post(login(coordinator), LIST_URL, data)
    assert response.status_code == 201, response.json()


# --- retrieve and scoping ------------------------------------------------------------------------------------------


def test_retrieve_logs_the_view(login, coordinator, service):
    referral = make_referral(service, coordinator, child_nhs_number=TEST_NHS_NUMBERS[2])
    response = login(coordinator).get(url("detail", referral))
    assert response.status_code == 200
    out = response.json()
    assert out["id"] == referral.pk
    assert out["child_nhs_number_display"] == "999 000 0034"
    assert out["days_waiting"] == 3
    assert out["days_awaiting_information"] == 0
    assert out["referral_source"]["id"] == referral.referral_source_id
    assert out["eligibility_reasons"][0].keys() == {"rule", "passed", "message"}
    event = AccessEvent.objects.get(action=AccessAction.VIEW, object_id=str(referral.pk))
    assert event.user_id == coordinator.pk
    assert event.detail == {}


def test_other_service_coordinator_gets_404_and_nothing_changes(login, coordinator, other_coordinator, service):
    referral = make_referral(service, coordinator)
    client = login(other_coordinator)
    assert client.get(url("detail", referral)).status_code == 404
    assert post(client, url("triage", referral), {"decision": "decline", "reason": "No"}).status_code == 404
    assert post(client, url("withdraw", referral), {"reason": "No"}).status_code == 404
    assert put(client, url("detail", referral), body(service)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "received"
    assert not referral.triage_decisions.exists()
    assert not AccessEvent.objects.filter(action=AccessAction.VIEW).exists()


def test_practitioner_without_allocation_cannot_see_referral(login, coordinator, practitioner, service):
    referral = make_referral(service, coordinator)
    client = login(practitioner)
    assert client.get(url("detail", referral)).status_code == 404
    assert client.get(LIST_URL).json()["results"] == []


def test_manager_can_view_but_not_triage(login, coordinator, manager, service):
    referral = make_referral(service, coordinator)
    client = login(manager)
    response = client.get(url("detail", referral))
    assert response.status_code == 200
    assert response.json()["user_can"] == {"update": False, "triage": False, "withdraw": False, "allocate": False}
    assert post(client, url("triage", referral), {"decision": "accept"}).status_code == 403
    assert put(client, url("detail", referral), body(service)).status_code == 403
    referral.refresh_from_db()
    assert referral.status == "received"
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, user_id=manager.pk).count() == 2


# --- triage --------------------------------------------------------------------------------------------------------


def test_accept_then_decide_again_is_409(login, coordinator, service):
    referral = make_referral(service, coordinator)
    client = login(coordinator)
    response = post(client, url("triage", referral), {"decision": "accept"})
    assert response.status_code == 200
    out = response.json()
    assert out["status"] == "accepted"
    assert out["triage_decisions"][0]["decision"] == "accept"
    assert out["triage_decisions"][0]["decided_by"] == {"id": coordinator.pk, "name": coordinator.display_name}
    response = post(client, url("triage", referral), {"decision": "accept"})
    assert response.status_code == 409
    assert "cannot accept this referral because it is accepted" in response.json()["detail"]
    assert referral.triage_decisions.count() == 1


def test_decline_without_reason_is_400(login, coordinator, service):
    referral = make_referral(service, coordinator)
    response = post(login(coordinator), url("triage", referral), {"decision": "decline", "reason": "  "})
    assert response.status_code == 400
    assert response.json() == {"reason": ["Enter why the referral is declined"]}
    referral.refresh_from_db()
    assert referral.status == "received"


def test_unknown_decision_is_400(login, coordinator, service):
    referral = make_referral(service, coordinator)
    response = post(login(coordinator), url("triage", referral), {"decision": "maybe"})
    assert response.status_code == 400
    assert "decision" in response.json()


def test_accept_ineligible_needs_override_reason(login, coordinator, service):
    referral = make_referral(service, coordinator, child_date_of_birth=months_ago(13))
    assert referral.eligible is False
    client = login(coordinator)
    response = post(client, url("triage", referral), {"decision": "accept"})
    assert response.status_code == 400
    assert list(response.json()) == ["override_reason"]
    response = post(client, url("triage", referral), {"decision": "accept", "override_reason": "Agreed by panel"})
    assert response.status_code == 200
    assert response.json()["triage_decisions"][0]["override_reason"] == "Agreed by panel"


def test_request_information_then_information_received(login, coordinator, service):
    referral = make_referral(service, coordinator)
    client = login(coordinator)
    response = post(client, url("triage", referral), {"decision": "request_information"})
    assert response.json() == {"missing_information": ["Enter what information is missing"]}
    response = post(
        client, url("triage", referral), {"decision": "request_information", "missing_information": "GP details"}
    )
    assert response.json()["status"] == "awaiting_information"
    assert response.json()["allowed_transitions"] == ["information_received", "withdraw"]
    response = post(client, url("information-received", referral), {"note": "Phoned the referrer"})
    assert response.status_code == 200
    assert response.json()["status"] == "received"
    response = post(client, url("information-received", referral), {"note": "Again"})
    assert response.status_code == 409


def test_information_received_needs_a_note(login, coordinator, service):
    referral = make_referral(service, coordinator)
    response = post(login(coordinator), url("information-received", referral), {})
    assert response.status_code == 400
    assert "note" in response.json()


# --- withdraw, birth, update ---------------------------------------------------------------------------------------


def test_withdraw(login, coordinator, service):
    referral = make_referral(service, coordinator)
    client = login(coordinator)
    assert post(client, url("withdraw", referral), {"reason": ""}).json() == {
        "reason": ["This field may not be blank."]
    }
    response = post(client, url("withdraw", referral), {"reason": "Family moved away"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["closed_reason"] == "Family moved away"
    assert post(client, url("withdraw", referral), {"reason": "Again"}).status_code == 409


def test_record_birth(login, coordinator, service):
    referral = make_unborn_referral(service, coordinator, due=today())
    client = login(coordinator)
    future = {"date_of_birth": (today() + timedelta(days=1)).isoformat()}
    assert post(client, url("birth", referral), future).json() == {
        "date_of_birth": ["Date of birth must be today or in the past"]
    }
    bad_number = {"date_of_birth": today().isoformat(), "child_nhs_number": "9434765918"}
    assert "child_nhs_number" in post(client, url("birth", referral), bad_number).json()
    data = {"date_of_birth": today().isoformat(), "name": "Ada", "child_nhs_number": "999 000 0042"}
    response = post(client, url("birth", referral), data)
    assert response.status_code == 200
    out = response.json()
    assert (out["child_unborn"], out["child_name"], out["child_nhs_number"]) == (False, "Ada", TEST_NHS_NUMBERS[3])
    assert post(client, url("birth", referral), data).status_code == 409


def test_full_update(login, coordinator, service):
    referral = make_referral(service, coordinator)
    client = login(coordinator)
    data = body(service, referrer_name="Corrected Name", parents=[parent(name="Jane Corrected")])
    data.pop("service")
    response = put(client, url("detail", referral), data)
    assert response.status_code == 200, response.json()
    assert response.json()["referrer_name"] == "Corrected Name"
    assert response.json()["parents"][0]["name"] == "Jane Corrected"
    referral.refresh_from_db()
    assert referral.referrer_name == "Corrected Name"
    assert ReferralEvent.objects.filter(referral=referral, kind="updated").exists()

    response = put(
        client, url("detail", referral), {**data, "date_received": (today() + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 400
    assert "date_received" in response.json()

    post(client, url("withdraw", referral), {"reason": "Moved"})
    assert put(client, url("detail", referral), data).status_code == 409


# --- list and search -----------------------------------------------------------------------------------------------


def test_list_shows_only_visible_referrals(
    login, coordinator, site_coordinator, other_coordinator, service, other_service, cambridgeshire
):
    peterborough_referral = make_referral(service, coordinator)
    cambridge_referral = make_referral(service, coordinator, site=cambridgeshire, parents=[parent(postcode="CB1 1AA")])
    make_referral(other_service, other_coordinator, parents=[parent(postcode="L20 1AA")])

    response = login(coordinator).get(LIST_URL)
    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {peterborough_referral.pk, cambridge_referral.pk}
    event = AccessEvent.objects.filter(action=AccessAction.LIST, user_id=coordinator.pk).last()
    assert sorted(event.detail["ids_shown"]) == sorted([peterborough_referral.pk, cambridge_referral.pk])

    results = login(site_coordinator).get(LIST_URL).json()["results"]
    assert [r["id"] for r in results] == [peterborough_referral.pk]


def test_list_filters(login, coordinator, service, cambridgeshire):
    first = make_referral(service, coordinator)
    second = make_referral(service, coordinator, site=cambridgeshire, parents=[parent(postcode="CB1 1AA")])
    client = login(coordinator)
    post(client, url("triage", first), {"decision": "accept"})

    def ids(query):
        return [r["id"] for r in client.get(LIST_URL, query).json()["results"]]

    assert ids({"status": "accepted"}) == [first.pk]
    assert ids({"site": cambridgeshire.pk}) == [second.pk]
    assert ids({"service": "mersey-care-building-attachment-and-bonds"}) == []
    assert client.get(LIST_URL, {"status": "nonsense"}).status_code == 400


def test_list_row_omits_confidential_postcode(login, coordinator, service):
    open_family = make_referral(service, coordinator)
    hidden = make_referral(service, coordinator, confidential_address=True, parents=[parent(name="Hidden Parent")])
    client = login(coordinator)
    rows = {r["id"]: r for r in client.get(LIST_URL).json()["results"]}
    assert rows[open_family.pk]["postcode"] == "PE1 1AA"
    assert rows[hidden.pk]["postcode"] is None
    assert rows[hidden.pk]["first_parent_name"] == "Hidden Parent"
    assert "Confidential address" in rows[hidden.pk]["flags"]
    assert "PE1" not in str(rows[hidden.pk]) and "Test Street" not in str(rows[hidden.pk])

    detail = client.get(url("detail", hidden)).json()
    assert detail["parents"][0]["postcode"] == "PE1 1AA"
    event = AccessEvent.objects.get(action=AccessAction.VIEW, object_id=str(hidden.pk))
    assert event.detail == {"confidential_address_shown": True}


def test_search_by_nhs_number_is_logged_without_the_number(login, coordinator, service):
    found = make_referral(service, coordinator, parents=[parent(nhs_number=TEST_NHS_NUMBERS[4])])
    make_referral(service, coordinator, parents=[parent(name="Other Person", date_of_birth=date(1990, 1, 1))])
    response = login(coordinator).get(LIST_URL, {"nhs_number": "999 000 0050"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [found.pk]
    event = AccessEvent.objects.get(action=AccessAction.SEARCH)
    assert event.user_id == coordinator.pk
    assert event.detail["ids_shown"] == [found.pk]
    assert event.detail["fields"] == ["nhs_number"]
    assert len(event.detail["terms_hashed"]["nhs_number"]) == 32
    logged = str(event.detail)
    assert TEST_NHS_NUMBERS[4] not in logged and "999 000 0050" not in logged
    assert not AccessEvent.objects.filter(action=AccessAction.LIST).exists()


def test_search_by_name_and_postcode_never_matches_confidential_address(login, coordinator, service):
    make_referral(service, coordinator, confidential_address=True, parents=[parent(name="Hidden Parent")])
    client = login(coordinator)
    assert len(client.get(LIST_URL, {"name": "hidden"}).json()["results"]) == 1
    assert client.get(LIST_URL, {"postcode": "pe1"}).json()["results"] == []


def test_search_needs_search_permission_and_valid_terms(login, coordinator, practitioner, service):
    assert login(practitioner).get(LIST_URL, {"name": "Jane"}).status_code == 403
    response = login(coordinator).get(LIST_URL, {"nhs_number": "9434765918"})
    assert response.status_code == 400
    assert "nhs_number" in response.json()


def test_list_query_count_does_not_grow_with_rows(login, coordinator, service):
    client = login(coordinator)

    def list_queries(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST_URL)
        assert len(response.json()["results"]) == expected_rows
        return len(captured)

    for _ in range(5):
        make_referral(service, coordinator, safeguarding_status="child_in_need", risks_to_staff="Dog")
    few = list_queries(5)
    for _ in range(45):
        make_referral(service, coordinator, parents=[parent(), parent(name="Second Parent", interpreter_needed=True)])
    assert list_queries(50) == few


# --- schema --------------------------------------------------------------------------------------------------------


def test_schema_lists_the_referral_endpoints(login, coordinator):
    schema = login(coordinator).get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/referrals/:",
        "/api/v1/referrals/{id}/:",
        "/api/v1/referrals/{id}/triage/:",
        "/api/v1/referrals/{id}/information-received/:",
        "/api/v1/referrals/{id}/withdraw/:",
        "/api/v1/referrals/{id}/birth/:",
    ):
        assert path in schema
    for operation in ("referrals_create", "referrals_update", "referrals_triage", "referrals_record_birth"):
        assert f"operationId: {operation}" in schema
    assert "ReferralInRequest" in schema and "PossibleDuplicatesOut" in schema


def test_allocated_practitioner_sees_and_updates_their_family_but_cannot_triage(
    login, coordinator, practitioner, service
):
    referral = make_referral(service, coordinator)
    actions.triage_referral(referral=referral, decision="accept", by=coordinator)
    actions.allocate_referral(
        referral=referral, practitioner=practitioner, by=coordinator, over_capacity_reason="No capacity set in tests"
    )
    make_referral(service, coordinator, parents=[parent(name="Not Theirs")])
    client = login(practitioner)
    assert [r["id"] for r in client.get(LIST_URL).json()["results"]] == [referral.pk]
    out = client.get(url("detail", referral)).json()
    assert out["status"] == "allocated"
    assert out["user_can"] == {"update": True, "triage": False, "withdraw": False, "allocate": False}
    assert post(client, url("withdraw", referral), {"reason": "No"}).status_code == 403
    data = body(service, gp_practice="New Surgery")
    data.pop("service")
    response = put(client, url("detail", referral), data)
    assert response.status_code == 200, response.json()
    assert response.json()["gp_practice"] == "New Surgery"
