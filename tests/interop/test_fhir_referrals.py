"""Referrals in as FHIR R4 Bundles: each seed service's typical referral, every refusal by FHIR path, one referral
per Bundle, and only those who may record referrals in the service (issue 23, ADR 0029)."""

import copy

import pytest

from accounts.models import AccessAction, AccessEvent, Membership, Role, Service
from interop.models import ReferralReceipt
from referrals.models import Referral, ReferralEvent
from referrals.states import ReferralStatus
from tests.factories import UserFactory
from tests.interop.bundles import (
    CHILD_NHS,
    FHIR_URL,
    MOTHER_NHS,
    post_bundle,
    referral_bundle,
    resource,
)

pytestmark = pytest.mark.django_db

SEED_SLUGS = [
    "cpft-perinatal-vig",
    "cwpt-perinatal-mental-health",
    "haringey-through-each-others-eyes",
    "together-for-families-vig",
    "mersey-care-building-attachment-and-bonds",
]


def coordinator_of(service: Service):
    user = UserFactory()
    Membership.objects.create(user=user, service=service, role=Role.COORDINATOR)
    return user


def expressions(response) -> list[str]:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    return [path for issue in body["issue"] for path in issue.get("expression", [])]


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_each_seed_services_typical_referral_lands_in_triage_as_if_typed(services, login, slug):
    service = Service.objects.get(slug=slug)
    coordinator = coordinator_of(service)
    response = post_bundle(login(coordinator), referral_bundle(service, two_parents=True))
    assert response.status_code == 201, response.json()
    assert response["Content-Type"].startswith("application/fhir+json")
    answer = response.json()
    assert answer["resourceType"] == "Bundle" and answer["type"] == "transaction-response"
    referral = Referral.objects.get()
    assert answer["entry"][0]["response"]["location"] == response["Location"] == f"/api/v1/referrals/{referral.pk}/"
    assert referral.status == ReferralStatus.RECEIVED and referral in Referral.objects.awaiting_triage()
    assert referral.service == service and referral.site == service.sites.order_by("name").first()
    assert referral.referral_source == service.referral_sources.filter(is_active=True).order_by("name").first()
    assert referral.child_nhs_number == CHILD_NHS and referral.child_name == "Baby Example"
    assert [(p.name, p.nhs_number, p.relationship) for p in referral.parents.order_by("order")] == [
        ("Jane Example", MOTHER_NHS, "Mother"),
        ("John Example", "9990000034", "Father"),
    ]
    assert referral.referrer_name == "Helen Visitor" and referral.referrer_organisation == "Test health visiting team"
    assert referral.safeguarding_status == "none_known" and referral.concerns == ["bonding"]
    assert referral.eligible, referral.eligibility_reasons
    assert set(referral.question_answers) == set(service.referral_questions.values_list("key", flat=True))
    assert referral.created_by == coordinator
    assert ReferralEvent.objects.filter(referral=referral, kind="created").count() == 1
    assert AccessEvent.objects.filter(action=AccessAction.CREATE, object_id=str(referral.pk)).exists()
    assert ReferralReceipt.objects.get().referral == referral
    queue = login(coordinator).get("/referrals/triage/")
    assert queue.status_code == 200 and referral.reference in queue.content.decode()


def test_an_unborn_baby_with_the_expected_date(service, login, coordinator):
    response = post_bundle(login(coordinator), referral_bundle(service, unborn=True))
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.child_unborn and referral.expected_delivery_date and referral.child_date_of_birth is None


def test_the_same_bundle_twice_makes_one_referral(service, login, coordinator):
    client = login(coordinator)
    bundle = referral_bundle(service)
    first = post_bundle(client, bundle)
    second = post_bundle(client, copy.deepcopy(bundle))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first["Location"] == second["Location"]
    assert second.json()["entry"][0]["response"]["status"] == "200 OK"
    assert Referral.objects.count() == 1 and ReferralReceipt.objects.count() == 1


def test_the_bundles_own_identifier_is_the_key_when_given(service, login, coordinator):
    client = login(coordinator)
    bundle = referral_bundle(service)
    bundle["identifier"] = {"system": "https://hv-system.example/bundles", "value": "b-77"}
    assert post_bundle(client, bundle).status_code == 201
    receipt = ReferralReceipt.objects.get()
    assert (receipt.identifier_system, receipt.identifier_value) == ("https://hv-system.example/bundles", "b-77")


def test_one_identifier_with_different_content_is_refused(service, login, coordinator):
    client = login(coordinator)
    assert post_bundle(client, referral_bundle(service)).status_code == 201
    changed = referral_bundle(service)
    resource(changed, "RelatedPerson")["name"] = [{"text": "Someone Else"}]
    response = post_bundle(client, changed)
    assert response.status_code == 422 and expressions(response) == ["Bundle.identifier"]
    assert Referral.objects.count() == 1


def test_a_possible_duplicate_family_is_not_saved_and_says_so(service, login, coordinator):
    client = login(coordinator)
    assert post_bundle(client, referral_bundle(service, key="first")).status_code == 201
    response = post_bundle(client, referral_bundle(service, key="second"))
    assert response.status_code == 409
    issue = response.json()["issue"][0]
    assert issue["code"] == "duplicate" and Referral.objects.get().reference in issue["diagnostics"]
    assert Referral.objects.count() == 1


def test_with_an_idempotency_key_too_a_repeat_answers_the_same(service, login, coordinator):
    client = login(coordinator)
    key = {"Idempotency-Key": "6f0c1b2a-0d55-4c1e-9a61-7c2a1f0e3b10"}
    first = post_bundle(client, referral_bundle(service), **key)
    second = post_bundle(client, referral_bundle(service), **key)
    assert first.status_code == second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1


# --- who may send -------------------------------------------------------------------------------------------------


def test_anonymous_is_refused(client, service):
    response = post_bundle(client, referral_bundle(service))
    assert response.status_code in (401, 403)
    assert response.json()["resourceType"] == "OperationOutcome"
    assert not Referral.objects.exists()


def test_another_services_coordinator_is_refused(service, login, other_coordinator):
    response = post_bundle(login(other_coordinator), referral_bundle(service))
    assert response.status_code == 403 and response.json()["issue"][0]["code"] == "forbidden"
    assert not Referral.objects.exists()
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, user_id=other_coordinator.pk).exists()


def test_a_practitioner_who_may_not_record_referrals_is_refused(service, login, practitioner):
    response = post_bundle(login(practitioner), referral_bundle(service))
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_a_token_works_as_for_the_rest_of_the_api(client, service, coordinator, login):
    token = login(coordinator).post("/api/v1/auth/token/").json()["token"]
    client.logout()
    response = post_bundle(client, referral_bundle(service), Authorization=f"Token {token}")
    assert response.status_code == 201, response.json()


# --- every refusal, by FHIR path ----------------------------------------------------------------------------------


def _set(path):
    """A change to the typical Bundle: (kind, element, value) or a function."""
    return path


CHANGES = {
    "not a bundle": (lambda b: {"resourceType": "Patient"}, 400, ["Bundle"]),
    "an unknown element": (
        lambda b: resource(b, "Patient").update(colour="blue") or b,
        400,
        ["Bundle.entry[1].resource.colour"],
    ),
    "a malformed date": (
        lambda b: resource(b, "Patient").update(birthDate="17/05/2025") or b,
        400,
        ["Bundle.entry[1].resource.birthDate"],
    ),
    "no service request": (lambda b: {**b, "entry": b["entry"][1:]}, 422, None),
    "a wrong child nhs number": (
        lambda b: resource(b, "Patient")["identifier"][0].update(value="9990000019") or b,
        422,
        ["Bundle.entry[1].resource.identifier[0].value"],
    ),
    "a wrong parent nhs number": (
        lambda b: resource(b, "RelatedPerson")["identifier"][0].update(value="1234567890") or b,
        422,
        ["Bundle.entry[2].resource.identifier[0].value"],
    ),
    "no parent": (
        lambda b: {**b, "entry": [e for e in b["entry"] if e["resource"]["resourceType"] != "RelatedPerson"]},
        422,
        ["Bundle.entry"],
    ),
    "no parent name": (
        lambda b: resource(b, "RelatedPerson").update(name=[]) or b,
        422,
        ["Bundle.entry[2].resource.name"],
    ),
    "a parent born in the future": (
        lambda b: resource(b, "RelatedPerson").update(birthDate="2999-01-01") or b,
        422,
        ["Bundle.entry[2].resource.birthDate"],
    ),
    "a child born in the future": (
        lambda b: resource(b, "Patient").update(birthDate="2999-01-01") or b,
        422,
        ["Bundle.entry[1].resource.birthDate"],
    ),
    "no birth date and no expected date": (
        lambda b: resource(b, "Patient").pop("birthDate") and b,
        422,
        ["Bundle.entry[1].resource.birthDate"],
    ),
    "a control character in a name": (
        lambda b: resource(b, "RelatedPerson").update(name=[{"text": "Jane\u202eExample"}]) or b,
        422,
        ["Bundle.entry[2].resource.name"],
    ),
    "an unknown service": (
        lambda b: resource(b, "ServiceRequest")["performer"][0]["identifier"].update(value="nowhere") or b,
        422,
        ["Bundle.entry[0].resource.performer[0].identifier.value"],
    ),
    "no service named": (
        lambda b: resource(b, "ServiceRequest").pop("performer") and b,
        422,
        ["Bundle.entry[0].resource.performer"],
    ),
    "an unknown referral source": (
        lambda b: resource(b, "ServiceRequest").update(category=[{"text": "Postman"}]) or b,
        422,
        ["Bundle.entry[0].resource.category[0]"],
    ),
    "an unknown site": (
        lambda b: resource(b, "Location").update(name="Atlantis") or b,
        422,
        ["Bundle.entry[5].resource.name"],
    ),
    "a reference to nothing": (
        lambda b: resource(b, "ServiceRequest").update(requester={"reference": "urn:uuid:nobody"}) or b,
        422,
        ["Bundle.entry[0].resource.requester.reference"],
    ),
    "an unknown question": (
        lambda b: (
            resource(b, "QuestionnaireResponse")["item"].append(
                {"linkId": "shoe_size", "answer": [{"valueString": "4"}]}
            )
            or b
        ),
        422,
        ["Bundle.entry[6].resource.item[5].linkId"],
    ),
    "no safeguarding answer": (
        lambda b: (
            resource(b, "QuestionnaireResponse").update(item=resource(b, "QuestionnaireResponse")["item"][1:]) or b
        ),
        422,
        ["Bundle.entry"],
    ),
    "no identifier": (lambda b: resource(b, "ServiceRequest").pop("identifier") and b, 422, ["Bundle.identifier"]),
    "not active": (
        lambda b: resource(b, "ServiceRequest").update(status="completed") or b,
        422,
        ["Bundle.entry[0].resource.status"],
    ),
    "an overlong referrer name": (
        lambda b: resource(b, "Practitioner").update(name=[{"text": "H" * 500}]) or b,
        422,
        ["Bundle.entry[3].resource.name"],
    ),
}


@pytest.mark.parametrize("case", sorted(CHANGES))
def test_every_problem_is_named_by_its_fhir_path_and_nothing_is_saved(service, login, coordinator, case):
    change, status, paths = CHANGES[case]
    bundle = change(referral_bundle(service))
    response = post_bundle(login(coordinator), bundle)
    assert response.status_code == status, response.json()
    found = expressions(response)
    if paths is not None:
        assert set(paths) <= set(found), found
    assert all(issue["severity"] == "error" for issue in response.json()["issue"])
    assert not Referral.objects.exists() and not ReferralReceipt.objects.exists()


def test_several_problems_are_all_named_at_once(service, login, coordinator):
    bundle = referral_bundle(service)
    resource(bundle, "ServiceRequest").update(category=[{"text": "Postman"}])
    resource(bundle, "Location").update(name="Atlantis")
    found = expressions(post_bundle(login(coordinator), bundle))
    assert {"Bundle.entry[0].resource.category[0]", "Bundle.entry[5].resource.name"} <= set(found)


def test_a_body_that_is_not_json_is_an_operation_outcome(service, login, coordinator):
    response = login(coordinator).post(FHIR_URL, "{not json", content_type="application/fhir+json")
    assert response.status_code == 400 and response.json()["resourceType"] == "OperationOutcome"


def test_metadata_states_what_is_supported(client):
    statement = client.get(FHIR_URL + "metadata").json()
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"] == "4.0.1"
    rest = statement["rest"][0]
    assert [r["type"] for r in rest["resource"]] == ["DocumentReference"]
    assert [i["code"] for i in rest["resource"][0]["interaction"]] == ["read"]
    assert [i["code"] for i in rest["interaction"]] == ["transaction"]


def test_a_parent_as_a_patient_with_interpreter_ethnicity_and_language(service, login, coordinator):
    bundle = referral_bundle(service)
    mother = resource(bundle, "RelatedPerson")
    mother["resourceType"] = "Patient"
    for name in ("patient", "relationship"):
        mother.pop(name)
    mother["extension"] = [
        {"url": "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired", "valueBoolean": True},
        {
            "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
            "valueCodeableConcept": {"coding": [{"code": "H"}]},
        },
    ]
    mother["communication"] = [{"language": {"coding": [{"code": "pl"}], "text": "Polish"}}]
    response = post_bundle(login(coordinator), bundle)
    assert response.status_code == 201, response.json()
    parent = Referral.objects.get().parents.get()
    assert (parent.name, parent.nhs_number) == ("Jane Example", MOTHER_NHS)
    assert parent.interpreter_needed and parent.ethnic_category == "H"
    assert (parent.preferred_language, parent.letter_language) == ("Polish", "pl")
