"""Consent pages: recording with a checkbox per person and item, the upload checked beside its field, detail and
withdrawal, the access-checked logged download, and who sees which links."""

import pytest
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from cycles.models import Consent, ConsentDecision, ConsentItem
from tests.cycles.helpers_consent import (
    ELF_BYTES,
    EXE_BYTES,
    give_consent,
    make_family,
    people,
    today,
    upload,
    use_private_folder,
)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    return use_private_folder(settings, tmp_path)


@pytest.fixture
def family(service, coordinator, practitioner):
    return make_family(service, coordinator, practitioner)


def post_consent(family, **overrides) -> dict:
    mother, father, older, _ = people(family)
    data = {
        "given_on": today().isoformat(),
        f"gave_parent_{mother.pk}": "on",
        f"items_parent_{mother.pk}": [ConsentItem.FILMING, ConsentItem.SUPERVISOR_VIEWING],
        f"gave_parent_{father.pk}": "on",
        f"items_parent_{father.pk}": [ConsentItem.FILMING],
        f"gave_other_child_{older.pk}": "on",
        f"items_other_child_{older.pk}": [ConsentItem.FILMING],
        "written_agreement_given": "on",
        "sharing_with": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_consent_form_has_a_checkbox_group_per_person(login, family, practitioner):
    content = login(practitioner).get(reverse("cycles:consent_record", args=[family.pk])).content.decode()
    assert content.count("<h1") == 1
    assert "Jane Example (Mother)" in content and "Sam Example (aged 12 or over" in content
    assert "Ivy Example (under 12)" in content
    assert content.count('value="training"') == 4  # one per person
    assert 'enctype="multipart/form-data"' in content


def test_practitioner_records_consent_with_a_signed_form(login, family, practitioner):
    client = login(practitioner)
    data = post_consent(family, signed_form=upload())
    response = client.post(reverse("cycles:consent_record", args=[family.pk]), data)
    assert response.status_code == 302
    consent = Consent.objects.get(referral=family)
    assert consent.givers.count() == 3 and consent.signed_form_content_type == "application/pdf"
    older = people(family)[2]
    assert ConsentDecision.objects.get(giver__other_child=older, item="filming").agreed
    assert not ConsentDecision.objects.get(giver__other_child=older, item="training").agreed


@pytest.mark.parametrize("content", [EXE_BYTES, ELF_BYTES])
def test_executable_renamed_pdf_is_refused_beside_the_field(login, family, practitioner, content):
    client = login(practitioner)
    data = post_consent(family, signed_form=upload(content, name="consent.pdf"))
    response = client.post(reverse("cycles:consent_record", args=[family.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "must be a PDF, JPEG or PNG file" in page
    assert 'href="#id_signed_form"' in page  # the error summary links to the field
    assert not Consent.objects.exists()


def test_oversized_upload_is_refused_beside_the_field(login, family, practitioner, settings):
    settings.CONSENT_FORM_MAX_BYTES = 2 * 1024 * 1024
    data = post_consent(family, signed_form=upload(b"%PDF-" + b"0" * (3 * 1024 * 1024)))
    response = login(practitioner).post(reverse("cycles:consent_record", args=[family.pk]), data)
    assert response.status_code == 400 and "must be 2 MB or smaller" in response.content.decode()


def test_items_ticked_for_someone_who_did_not_give_consent_is_an_error(login, family, practitioner):
    mother = people(family)[0]
    data = post_consent(family)
    del data[f"gave_parent_{mother.pk}"]
    response = login(practitioner).post(reverse("cycles:consent_record", args=[family.pk]), data)
    assert response.status_code == 400 and "Tick that Jane Example gave consent" in response.content.decode()


def test_future_date_is_refused_by_the_page(login, family, practitioner):
    from tests.cycles.helpers_consent import days_ago

    data = post_consent(family, given_on=days_ago(-2).isoformat())
    response = login(practitioner).post(reverse("cycles:consent_record", args=[family.pk]), data)
    assert response.status_code == 400 and "today or in the past" in response.content.decode()


def test_supervisor_and_manager_may_read_but_not_record(login, family, practitioner, manager, supervisor, coordinator):
    consent = give_consent(family, practitioner, signed_form=upload())
    for who in (manager, coordinator):
        client = login(who)
        assert client.get(reverse("cycles:consents", args=[family.pk])).status_code == 200
        detail = client.get(reverse("cycles:consent_detail", args=[consent.pk])).content.decode()
        assert "Download the signed form" in detail and "Record a withdrawal" not in detail
        assert client.get(reverse("cycles:consent_record", args=[family.pk])).status_code == 403
        assert client.post(reverse("cycles:consent_withdraw", args=[consent.pk]), {}).status_code == 403
        record = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
        assert "View consent" in record and "Record consent" not in record
    # not this family's supervisor (the practitioner is accredited): not found
    assert login(supervisor).get(reverse("cycles:consents", args=[family.pk])).status_code == 404


def test_another_practitioners_family_is_not_found(login, family, practitioner, other_practitioner):
    consent = give_consent(family, practitioner, signed_form=upload())
    client = login(other_practitioner)
    for url in (
        reverse("cycles:consents", args=[family.pk]),
        reverse("cycles:consent_record", args=[family.pk]),
        reverse("cycles:consent_detail", args=[consent.pk]),
        reverse("cycles:consent_withdraw", args=[consent.pk]),
        reverse("cycles:consent_signed_form", args=[consent.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("cycles:consent_record", args=[family.pk]), post_consent(family)).status_code == 404
    assert Consent.objects.count() == 1


def test_signed_form_download_is_an_attachment_and_logged(login, family, practitioner, coordinator):
    consent = give_consent(family, practitioner, signed_form=upload())
    response = login(coordinator).get(reverse("cycles:consent_signed_form", args=[consent.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Jane" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")
    assert AccessEvent.objects.filter(
        action=AccessAction.DOWNLOAD, user_id=coordinator.pk, object_type="cycles.consent", object_id=str(consent.pk)
    ).exists()


def test_no_signed_form_is_not_found(login, family, practitioner):
    consent = give_consent(family, practitioner)
    assert login(practitioner).get(reverse("cycles:consent_signed_form", args=[consent.pk])).status_code == 404


def test_private_files_have_no_media_url(family, practitioner, client):
    consent = give_consent(family, practitioner, signed_form=upload())
    assert client.get(f"/media/{consent.signed_form.name}").status_code in (302, 404)


def test_withdraw_page_withdraws_one_item_and_detail_shows_it(login, family, practitioner):
    consent = give_consent(family, practitioner)
    mother = consent.givers.get(parent__name="Jane Example")
    client = login(practitioner)
    response = client.post(
        reverse("cycles:consent_withdraw", args=[consent.pk]),
        {"givers": [mother.pk], "items": ["training"], "withdrawn_on": today().isoformat(), "reason": "Private"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("cycles:consent_detail", args=[consent.pk])).content.decode()
    assert "Withdrawn</strong> on" in detail and "Private" in detail
    record = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    assert "Consent withdrawn for some items" in record


def test_withdraw_page_without_reason_is_refused(login, family, practitioner):
    consent = give_consent(family, practitioner)
    response = login(practitioner).post(
        reverse("cycles:consent_withdraw", args=[consent.pk]), {"withdrawn_on": today().isoformat(), "reason": ""}
    )
    assert response.status_code == 400
    assert not ConsentDecision.objects.filter(withdrawn_on__isnull=False).exists()


def test_record_warns_while_filming_consent_is_missing(login, family, practitioner):
    client = login(practitioner)
    page = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    assert "No consent recorded" in page and "Record consent" in page
    give_consent(family, practitioner, who=people(family)[:1])
    page = client.get(reverse("referrals:detail", args=[family.pk])).content.decode()
    assert "No current consent to filming" in page and "John Example has not given consent" in page
    assert "Sam Example has not given consent (aged 12 or over: if filmed)" in page
