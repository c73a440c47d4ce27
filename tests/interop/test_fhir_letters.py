"""Letters out as FHIR R4 DocumentReferences: the PDF attached is the letter's own, to those who may read it."""

import base64
import hashlib

import pytest

from accounts.models import AccessAction, AccessEvent
from letters import actions as letter_actions
from letters.models import Letter
from tests.discharge.helpers_discharge import discharge, family
from tests.letters.helpers_letters import approve_now, decline_letter
from tests.referrals.helpers import TEST_NHS_NUMBERS

pytestmark = pytest.mark.django_db


def url(letter) -> str:
    return f"/api/fhir/R4/DocumentReference/{letter.pk}"


def pdf_of(letter) -> bytes:
    with letter.file.open("rb") as handle:
        return handle.read()


def ready_handover(service, coordinator, practitioner, capture):
    referral = family(service, coordinator, practitioner, child_nhs_number=TEST_NHS_NUMBERS[0])
    discharge(referral, practitioner, missing_measures_reason="Not collected.")
    letter = Letter.objects.get(referral=referral, kind="handover")
    with capture(execute=True):
        letter_actions.approve_letter(letter=letter, by=practitioner)
    letter.refresh_from_db()
    assert letter.status == "ready"
    return letter


def test_a_handover_letter_as_a_document_reference_with_its_own_pdf(
    service, coordinator, practitioner, login, django_capture_on_commit_callbacks
):
    letter = ready_handover(service, coordinator, practitioner, django_capture_on_commit_callbacks)
    response = login(practitioner).get(url(letter))
    assert response.status_code == 200, response.json()
    document = response.json()
    assert document["resourceType"] == "DocumentReference" and document["status"] == "current"
    assert document["type"]["coding"][0]["code"] == "handover"
    assert document["subject"]["identifier"] == {
        "system": "https://fhir.nhs.uk/Id/nhs-number",
        "value": TEST_NHS_NUMBERS[0],
    }
    assert document["author"][0]["display"] == practitioner.display_name
    assert document["date"].startswith(str(letter.approved_at.date()))
    attachment = document["content"][0]["attachment"]
    pdf = pdf_of(letter)
    assert attachment["contentType"] == "application/pdf"
    assert base64.b64decode(attachment["data"]) == pdf
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(pdf).digest()).decode()  # noqa: S324 - FHIR's hash
    assert attachment["size"] == len(pdf)
    download = login(practitioner).get(f"/api/v1/letters/{letter.pk}/download/")
    assert download.content == pdf
    assert AccessEvent.objects.filter(
        action=AccessAction.DOWNLOAD, object_id=str(letter.pk), detail__as="fhir DocumentReference"
    ).exists()  # a key lookup, not `contains`: SQLite (make test) has no JSON containment


def test_a_decline_letter_too(service, coordinator, login, django_capture_on_commit_callbacks):
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    document = login(coordinator).get(url(letter)).json()
    assert document["type"]["coding"][0]["code"] == "decline"
    assert base64.b64decode(document["content"][0]["attachment"]["data"]) == pdf_of(letter)


def test_another_service_or_nobody_may_not_read_it(
    service, coordinator, other_coordinator, client, login, django_capture_on_commit_callbacks
):
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    anonymous = client.get(url(letter))
    assert anonymous.status_code in (401, 403) and anonymous.json()["resourceType"] == "OperationOutcome"
    response = login(other_coordinator).get(url(letter))
    assert response.status_code == 404 and response.json()["issue"][0]["code"] == "not-found"
    assert "data" not in response.content.decode()


def test_a_letter_not_yet_ready_is_not_found(service, coordinator, login):
    letter = decline_letter(service, coordinator)
    response = login(coordinator).get(url(letter))
    assert response.status_code == 404 and response.json()["resourceType"] == "OperationOutcome"
