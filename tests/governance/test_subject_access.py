"""A subject access export is per person: one parent's data, never the other's; redaction applied; release logged."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AccessEvent
from core.refusals import ActionRefused
from governance import actions
from tests.governance.helpers_governance import _private_files, family_with_files, people  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(service, coordinator, practitioner, django_capture_on_commit_callbacks):
    return family_with_files(service, coordinator, practitioner, django_capture_on_commit_callbacks)


def export(sar, by, redact=(), include=()):
    sar = actions.review_subject_access_request(sar=sar, redact=list(redact), include_family_text=list(include), by=by)
    content = actions.release_subject_access_request(sar=sar, by=by)
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, json.loads(archive.read("data.json"))


def test_export_holds_the_persons_data_and_not_the_other_parents(family, manager):
    referral, consent, letter = family
    mother, father, *_ = people(referral)
    sar = actions.open_subject_access_request(parent=mother, received_on=date.today(), by=manager)
    archive, data = export(sar, manager)
    text = json.dumps(data) + archive.read("summary.html").decode()
    assert data["items"]["parent.name"] == "Jane Example"
    assert f"consent.{consent.pk}" in data["items"]
    assert "John Example" not in text and "1990-01-02" not in text
    assert "Postnatal depression" not in text  # family mental-health text stays out unless included
    assert f"letters/letter-{letter.pk}.pdf" in archive.namelist()
    assert archive.read(f"letters/letter-{letter.pk}.pdf").startswith(b"%PDF")


def test_family_text_only_when_the_reviewer_includes_it(family, manager):
    mother = people(family[0])[0]
    sar = actions.open_subject_access_request(parent=mother, received_on=date.today(), by=manager)
    _, data = export(sar, manager, include=["mental_health_concerns"])
    assert data["items"]["family.mental_health_concerns"] == "Postnatal depression."


def test_redaction_is_applied(family, manager):
    mother = people(family[0])[0]
    sar = actions.open_subject_access_request(parent=mother, received_on=date.today(), by=manager)
    archive, data = export(sar, manager, redact=["parent.phone", "parent.address"])
    assert "parent.phone" not in data["items"] and "parent.address" not in data["items"]
    assert data["withheld"] == ["parent.address", "parent.phone"]
    assert "01234 567890" not in archive.read("summary.html").decode()


def test_unknown_redaction_key_is_refused(family, manager):
    sar = actions.open_subject_access_request(parent=people(family[0])[0], received_on=date.today(), by=manager)
    with pytest.raises(ValidationError):
        actions.review_subject_access_request(sar=sar, redact=["parent.secret"], include_family_text=[], by=manager)


def test_a_draft_cannot_be_released(family, manager):
    sar = actions.open_subject_access_request(parent=people(family[0])[0], received_on=date.today(), by=manager)
    with pytest.raises(ActionRefused, match="Review"):
        actions.release_subject_access_request(sar=sar, by=manager)


def test_release_is_logged(family, manager):
    sar = actions.open_subject_access_request(parent=people(family[0])[0], received_on=date.today(), by=manager)
    export(sar, manager)
    event = AccessEvent.objects.get(action="export", object_type="governance.subjectaccessrequest")
    assert event.user_id == manager.pk and event.object_id == str(sar.pk)
    sar.refresh_from_db()
    assert sar.status == "released" and sar.released_by == manager


def test_only_the_services_managers_and_admins_handle_requests(family, practitioner, other_manager, manager):
    mother = people(family[0])[0]
    for user in (practitioner, other_manager):
        with pytest.raises(PermissionDenied):
            actions.open_subject_access_request(parent=mother, received_on=date.today(), by=user)
    sar = actions.open_subject_access_request(parent=mother, received_on=date.today(), by=manager)
    with pytest.raises(PermissionDenied):
        actions.review_subject_access_request(sar=sar, redact=[], include_family_text=[], by=other_manager)
