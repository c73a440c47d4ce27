"""Private files in an S3-compatible bucket (core/storage.py, ADR 0015), against a real S3 API server the tests start
(moto's, `s3_server` in tests/conftest.py): letters, signed consent forms and dashboard exports go in and come back
through the access-checked, logged views byte for byte; the objects are private (an unsigned GET is refused, no
grant to everyone), have no URL, and their keys carry ids and random names only, never a family's details."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from cycles.models import Consent
from dashboards.models import ExportStatus
from letters.models import LetterStatus
from tests.conftest import verify_session
from tests.cycles.helpers_consent import make_family, png_bytes, upload
from tests.cycles.test_consent_pages import post_consent
from tests.dashboards.helpers_dashboards import known_service
from tests.dashboards.test_exports import prepare
from tests.letters.helpers_letters import approve_now, decline_letter
from tests.referrals.helpers import TEST_NHS_NUMBERS

ROOT = Path(__file__).resolve().parents[2]
EVERYONE = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


def family_details(referral) -> list[str]:
    """What must never be in an object key: names, NHS numbers (with and without spaces), dates of birth."""
    details = [referral.child_name, *referral.parents.values_list("name", flat=True)]
    details += [part for name in list(details) for part in name.split() if len(part) > 2]
    for number in {referral.child_nhs_number, *TEST_NHS_NUMBERS} - {""}:
        details += [number, f"{number[:3]} {number[3:6]} {number[6:]}"]
    if referral.child_date_of_birth:
        details += [referral.child_date_of_birth.isoformat(), referral.child_date_of_birth.strftime("%d%m%Y")]
    return [d for d in details if d]


def assert_private(store, key: str) -> None:
    assert store.anonymous_get(key) == 403
    grants = store.client.get_object_acl(Bucket=store.bucket, Key=key)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in EVERYONE]
    head = store.client.head_object(Bucket=store.bucket, Key=key)
    assert head["CacheControl"] == "private, no-store"


def test_letter_goes_to_the_bucket_and_back_through_the_logged_views(
    client, object_store, service, coordinator, django_capture_on_commit_callbacks
):
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    assert letter.status == LetterStatus.READY
    (key,) = object_store.object_keys()
    assert key == f"letters/{letter.file.name}" and key.endswith(".pdf")
    assert not [d for d in family_details(letter.referral) if d.lower() in key.lower()]
    stored = object_store.read(key)
    assert stored.startswith(b"%PDF-")
    assert_private(object_store, key)
    with pytest.raises(ValueError, match="no URL"):
        letter.file.url  # noqa: B018 - asking is the test

    verify_session(client, coordinator)
    page = client.get(reverse("letters:download", args=[letter.pk]))
    api = client.get(reverse("api:letter-download", args=[letter.pk]))
    assert page.status_code == api.status_code == 200
    assert page.content == api.content == stored
    assert "private" in page["Cache-Control"]
    assert not page.has_header("Location")
    assert AccessEvent.objects.filter(action=AccessAction.DOWNLOAD, object_id=str(letter.pk)).count() == 2


def test_letter_missing_from_the_bucket_offers_make_again_not_a_500(
    client, object_store, service, coordinator, django_capture_on_commit_callbacks
):
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    (key,) = object_store.object_keys()
    object_store.client.delete_object(Bucket=object_store.bucket, Key=key)
    assert letter.file_is_missing()
    verify_session(client, coordinator)
    page = client.get(reverse("letters:download", args=[letter.pk]))
    assert page.status_code == 302 and page.url == reverse("letters:detail", args=[letter.pk])
    assert client.get(reverse("api:letter-download", args=[letter.pk])).status_code == 404


def test_consent_form_uploaded_on_the_page_comes_back_byte_identical(
    client, object_store, service, coordinator, practitioner
):
    family = make_family(service, coordinator, practitioner)
    content = png_bytes()
    verify_session(client, practitioner)
    sent = upload(content, name="Jane Example signed consent.png", content_type="image/png")
    response = client.post(reverse("cycles:consent_record", args=[family.pk]), post_consent(family, signed_form=sent))
    assert response.status_code == 302
    consent = Consent.objects.get(referral=family)
    (key,) = object_store.object_keys()
    assert key == consent.signed_form.name and key.startswith("consent-forms/") and key.endswith(".png")
    assert not [d for d in family_details(family) if d.lower() in key.lower()]
    assert object_store.read(key) == content
    assert_private(object_store, key)

    verify_session(client, coordinator)
    download = client.get(reverse("cycles:consent_signed_form", args=[consent.pk]))
    assert download.status_code == 200 and download.content == content
    assert download["Content-Type"] == "image/png"
    assert AccessEvent.objects.filter(action=AccessAction.DOWNLOAD, object_id=str(consent.pk)).exists()


def test_dashboard_export_goes_to_the_bucket_and_streams_back(
    client,
    object_store,
    service,
    coordinator,
    practitioner,
    manager,
    peterborough,
    cambridgeshire,
    django_capture_on_commit_callbacks,
):
    known_service(service, coordinator, practitioner, peterborough, cambridgeshire)
    verify_session(client, manager)
    export = prepare(client, service, "received", django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.READY
    (key,) = object_store.object_keys()
    assert key == f"dashboard-exports/export-{export.pk}.csv"
    assert_private(object_store, key)
    response = client.get(reverse("dashboards:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == object_store.read(key)


def test_each_kind_has_its_own_prefix(object_store):
    from cycles.uploads import private_storage
    from dashboards.storage import export_storage
    from letters.storage import letter_storage

    for storage, prefix in ((letter_storage(), "letters/"), (export_storage(), "dashboard-exports/")):
        storage.save("probe.txt", upload(b"probe"))
        assert f"{prefix}probe.txt" in object_store.object_keys()
    name = private_storage().save("consent-forms/probe.txt", upload(b"probe"))
    assert name in object_store.object_keys()
    assert {key.split("/")[0] for key in object_store.object_keys()} == {
        "letters",
        "dashboard-exports",
        "consent-forms",
    }


def test_healthz_reports_the_object_store(client, db, object_store, settings):
    assert client.get("/healthz").json()["files"] == "ok"
    settings.OBJECT_STORAGE_OPTIONS = {**object_store.options(), "bucket_name": "no-such-bucket-here"}
    answer = client.get("/healthz")
    assert answer.status_code == 200  # pages still work: degraded, not down
    assert answer.json()["files"] == "down" and answer.json()["status"] == "degraded"
    settings.OBJECT_STORAGE_OPTIONS = {**object_store.options(), "endpoint_url": "http://127.0.0.1:1"}
    answer = client.get("/healthz")
    assert answer.json()["files"] == "down" and "127.0.0.1" not in answer.content.decode()


def test_healthz_says_local_without_a_bucket(client, db, settings):
    settings.OBJECT_STORAGE_OPTIONS = {}
    assert client.get("/healthz").json()["files"] == "local"


def test_deploy_check_refuses_a_bucket_that_does_not_answer(object_store, settings):
    call_command("check", "--deploy", "--tag", "object_storage")  # reachable: silent
    settings.OBJECT_STORAGE_OPTIONS = {**object_store.options(), "bucket_name": "no-such-bucket-here"}
    with pytest.raises(SystemCheckError, match="vig.E001"):
        call_command("check", "--deploy", "--tag", "object_storage")


def settings_with(env: dict) -> dict:
    """The STORAGES a fresh process builds from `env` (settings are read once, at start-up)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: s.STORAGES[k] for k in ('letters', 'dashboard_exports', 'consent_forms')}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OBJECT_STORAGE_") and k != "TESTING"}
    answer = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "vig_service.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def test_the_environment_chooses_bucket_or_folder():
    local = settings_with({})
    assert {v["BACKEND"] for v in local.values()} == {"core.storage.PrivateFolderStorage"}
    bucket = settings_with(
        {
            "OBJECT_STORAGE_BUCKET": "vig-files",
            "OBJECT_STORAGE_ENDPOINT_URL": "http://minio:9000",
            "OBJECT_STORAGE_ACCESS_KEY_ID": "k",
            "OBJECT_STORAGE_SECRET_ACCESS_KEY": "s",
            "OBJECT_STORAGE_REGION": "eu-west-2",
        }
    )
    assert {v["BACKEND"] for v in bucket.values()} == {"core.storage.PrivateObjectStorage"}
    assert [bucket[k]["OPTIONS"]["location"] for k in ("letters", "dashboard_exports", "consent_forms")] == [
        "letters",
        "dashboard-exports",
        "",
    ]
    options = bucket["letters"]["OPTIONS"]
    assert options["bucket_name"] == "vig-files" and options["addressing_style"] == "path"
    assert options["endpoint_url"] == "http://minio:9000" and options["region_name"] == "eu-west-2"
    aws = settings_with({"OBJECT_STORAGE_BUCKET": " vig-files "})  # AWS itself: its endpoint, its own credentials
    assert aws["letters"]["OPTIONS"]["endpoint_url"] is None and aws["letters"]["OPTIONS"]["access_key"] is None
    assert aws["letters"]["OPTIONS"]["bucket_name"] == "vig-files"
