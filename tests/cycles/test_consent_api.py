"""Consent through the API: JSON or multipart, the same actions, JSON errors, scoping, logged download."""

import json

import pytest

from accounts.models import AccessAction, AccessEvent
from cycles.models import Consent
from tests.cycles.helpers_consent import (
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


def body(family, **overrides) -> dict:
    mother, _, older, _ = people(family)
    data = {
        "given_on": today().isoformat(),
        "givers": [
            {"parent": mother.pk, "items": {"filming": True, "supervisor_viewing": True}},
            {"other_child": older.pk, "items": {"filming": True}},
        ],
        "written_agreement_given": True,
    }
    data.update(overrides)
    return data


def test_record_consent_as_json(login, family, practitioner):
    response = login(practitioner).post(
        f"/api/v1/referrals/{family.pk}/consents/", body(family), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Location"] == f"/api/v1/consents/{data['id']}/"
    assert [g["name"] for g in data["givers"]] == ["Jane Example", "Sam Example"]
    filming = next(d for d in data["givers"][1]["decisions"] if d["item"] == "filming")
    assert filming["agreed"] is True and data["signed_form"] is None


def test_record_consent_multipart_with_signed_form(login, family, practitioner):
    data = body(family)
    data["givers"] = json.dumps(data["givers"])
    data["signed_form"] = upload()
    response = login(practitioner).post(f"/api/v1/referrals/{family.pk}/consents/", data)
    assert response.status_code == 201, response.content
    assert response.json()["signed_form"] == f"/api/v1/consents/{response.json()['id']}/signed-form/"


def test_executable_renamed_pdf_is_400_naming_the_field(login, family, practitioner):
    data = body(family)
    data["givers"] = json.dumps(data["givers"])
    data["signed_form"] = upload(EXE_BYTES, name="form.pdf")
    response = login(practitioner).post(f"/api/v1/referrals/{family.pk}/consents/", data)
    assert response.status_code == 400
    assert "must be a PDF, JPEG or PNG" in response.json()["signed_form"][0]
    assert not Consent.objects.exists()


def test_unknown_item_and_stranger_are_400(login, family, practitioner, service, coordinator, other_practitioner):
    client = login(practitioner)
    url = f"/api/v1/referrals/{family.pk}/consents/"
    bad_item = body(family, givers=[{"parent": people(family)[0].pk, "items": {"flying": True}}])
    response = client.post(url, bad_item, content_type="application/json")
    assert response.status_code == 400 and "Unknown consent item" in json.dumps(response.json())
    stranger = people(make_family(service, coordinator, other_practitioner))[0]
    response = client.post(
        url, body(family, givers=[{"parent": stranger.pk, "items": {}}]), content_type="application/json"
    )
    assert response.status_code == 400 and "givers" in response.json()


def test_future_date_is_400(login, family, practitioner):
    from tests.cycles.helpers_consent import days_ago

    response = login(practitioner).post(
        f"/api/v1/referrals/{family.pk}/consents/",
        body(family, given_on=days_ago(-1).isoformat()),
        content_type="application/json",
    )
    assert response.status_code == 400 and "given_on" in response.json()


def test_another_practitioners_family_is_404_everywhere(login, family, practitioner, other_practitioner):
    consent = give_consent(family, practitioner, signed_form=upload())
    client = login(other_practitioner)
    for url in (
        f"/api/v1/referrals/{family.pk}/consents/",
        f"/api/v1/consents/{consent.pk}/",
        f"/api/v1/consents/{consent.pk}/signed-form/",
    ):
        response = client.get(url)
        assert response.status_code == 404 and "detail" in response.json(), url
    posted = client.post(f"/api/v1/referrals/{family.pk}/consents/", body(family), content_type="application/json")
    assert posted.status_code == 404
    withdrawn = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": today().isoformat(), "reason": "x"},
        content_type="application/json",
    )
    assert withdrawn.status_code == 404


def test_manager_reads_but_may_not_record_or_withdraw(login, family, practitioner, manager):
    consent = give_consent(family, practitioner)
    client = login(manager)
    assert client.get(f"/api/v1/consents/{consent.pk}/").status_code == 200
    assert (
        client.post(
            f"/api/v1/referrals/{family.pk}/consents/", body(family), content_type="application/json"
        ).status_code
        == 403
    )
    response = client.post(
        f"/api/v1/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": today().isoformat(), "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_withdraw_one_item_for_one_person(login, family, practitioner):
    consent = give_consent(family, practitioner)
    mother = consent.givers.get(parent__name="Jane Example")
    on = today().isoformat()  # once: a run across midnight would otherwise compare two days
    response = login(practitioner).post(
        f"/api/v1/consents/{consent.pk}/withdraw/",
        {"givers": [mother.pk], "items": ["training"], "withdrawn_on": on, "reason": "Private"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    giver = next(g for g in response.json()["givers"] if g["id"] == mother.pk)
    training = next(d for d in giver["decisions"] if d["item"] == "training")
    assert training["agreed"] is True and training["withdrawn_on"] == on
    filming = next(d for d in giver["decisions"] if d["item"] == "filming")
    assert filming["withdrawn_on"] is None


def test_withdraw_twice_is_400_and_bad_item_is_400(login, family, practitioner):
    consent = give_consent(family, practitioner)
    client = login(practitioner)
    url = f"/api/v1/consents/{consent.pk}/withdraw/"
    payload = {"withdrawn_on": today().isoformat(), "reason": "Stopping"}
    assert client.post(url, payload, content_type="application/json").status_code == 200
    assert client.post(url, payload, content_type="application/json").status_code == 400
    bad = client.post(url, {**payload, "items": ["flying"]}, content_type="application/json")
    assert bad.status_code == 400 and "items" in bad.json()


def test_download_through_the_api_is_logged(login, family, practitioner):
    consent = give_consent(family, practitioner, signed_form=upload())
    response = login(practitioner).get(f"/api/v1/consents/{consent.pk}/signed-form/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")
    assert AccessEvent.objects.filter(action=AccessAction.DOWNLOAD, object_id=str(consent.pk)).count() == 1


def test_schema_documents_items_and_score_limits(login, practitioner):
    schema = login(practitioner).get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    assert components["ConsentItemEnum"]["enum"][0] == "filming"
    score = components["RatingInRequest"]["properties"]["score"]
    assert (score["minimum"], score["maximum"]) == (0, 10)
    assert "/api/v1/consents/{consent_id}/signed-form/" in schema["paths"]
