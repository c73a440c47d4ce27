"""A ready letter whose PDF is gone from storage (lost, or a database restored without its files): the page and
the API offer "Make again" instead of a download that cannot work, a download says why rather than a bare 404,
and making it again brings the same letter back. Storage is asked about one letter's file, never a list's."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from accounts.models import AccessEvent
from letters import actions
from tests.letters.helpers_letters import approve_now, decline_letter, family_of


class CountingStorage(FileSystemStorage):
    """The file-system storage, counting how often it is asked whether a file exists."""

    looks = 0

    def exists(self, name):
        CountingStorage.looks += 1
        return super().exists(name)


@pytest.fixture
def ready_letter(service, coordinator, practitioner, django_capture_on_commit_callbacks):
    """A ready handover letter of the practitioner's family, its PDF in storage."""
    referral = family_of(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind="handover", by=practitioner)
    letter = approve_now(letter, practitioner, django_capture_on_commit_callbacks)
    assert letter.status == "ready" and not letter.file_is_missing()
    return letter


@pytest.fixture
def lost_letter(ready_letter):
    """The ready letter with its PDF really deleted from storage."""
    letter = ready_letter
    letter.file.storage.delete(letter.file.name)
    assert not letter.file.storage.exists(letter.file.name)
    return letter


def page_of(client, letter) -> str:
    return client.get(reverse("letters:detail", kwargs={"letter_id": letter.pk})).content.decode()


def test_page_offers_make_again_not_download(login, practitioner, lost_letter, django_capture_on_commit_callbacks):
    client = login(practitioner)
    page = page_of(client, lost_letter)
    regenerate = reverse("letters:regenerate", kwargs={"letter_id": lost_letter.pk})
    assert "The PDF is missing" in page and f'action="{regenerate}"' in page and "Make again" in page
    assert "Download the PDF" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(regenerate)
    assert response.status_code == 302
    lost_letter.refresh_from_db()
    assert lost_letter.status == "ready" and lost_letter.file.storage.exists(lost_letter.file.name)
    page = page_of(client, lost_letter)
    assert "Download the PDF" in page and "Make again" not in page and "The PDF is missing" not in page


def test_download_of_a_lost_file_says_why_and_logs_no_download(login, practitioner, lost_letter):
    client = login(practitioner)
    response = client.get(reverse("letters:download", kwargs={"letter_id": lost_letter.pk}))
    assert response.status_code == 302
    assert response.url == reverse("letters:detail", kwargs={"letter_id": lost_letter.pk})
    assert "missing from storage" in page_of(client, lost_letter)
    assert not AccessEvent.objects.filter(action="download", object_id=str(lost_letter.pk)).exists()


def test_someone_who_may_only_read_is_told_who_can_make_it(login, manager, lost_letter):
    page = page_of(login(manager), lost_letter)
    assert "The PDF is missing" in page and "Ask someone who writes this family's letters" in page
    assert "Make again" not in page and "Download the PDF" not in page
    response = login(manager).post(reverse("letters:regenerate", kwargs={"letter_id": lost_letter.pk}))
    assert response.status_code == 403


def test_failed_letter_offers_make_again(login, service, coordinator, settings, django_capture_on_commit_callbacks):
    settings.LETTER_TEMPLATE = "letters/pdf/no-such-template.html"
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    assert letter.status == "failed"
    page = page_of(login(coordinator), letter)
    assert "Make again" in page and "Download the PDF" not in page


def test_api_offers_regenerate_and_no_download(login, practitioner, lost_letter, django_capture_on_commit_callbacks):
    client = login(practitioner)
    detail = reverse("api:letter-detail", kwargs={"letter_id": lost_letter.pk})
    body = client.get(detail).json()
    assert body["status"] == "ready" and body["download_url"] is None
    assert body["user_can"]["download"] is False and body["user_can"]["regenerate"] is True
    download = client.get(reverse("api:letter-download", kwargs={"letter_id": lost_letter.pk}))
    assert download.status_code == 404 and "missing from storage" in download.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        remade = client.post(
            reverse("api:letter-regenerate", kwargs={"letter_id": lost_letter.pk}), {}, content_type="application/json"
        )
    assert remade.status_code == 200
    body = client.get(detail).json()
    assert body["status"] == "ready" and body["download_url"] and body["user_can"]["regenerate"] is False
    assert client.get(body["download_url"]).status_code == 200


def test_a_letter_whose_file_is_there_offers_no_make_again_and_the_api_refuses_it(login, practitioner, ready_letter):
    client = login(practitioner)
    page = page_of(client, ready_letter)
    assert "Download the PDF" in page and "Make again" not in page and "The PDF is missing" not in page
    body = client.get(reverse("api:letter-detail", kwargs={"letter_id": ready_letter.pk})).json()
    assert body["user_can"]["download"] is True and body["user_can"]["regenerate"] is False
    url = reverse("api:letter-regenerate", kwargs={"letter_id": ready_letter.pk})
    assert client.post(url, {}, content_type="application/json").status_code == 409
    ready_letter.refresh_from_db()
    assert ready_letter.status == "ready" and ready_letter.attempts == 1


def test_storage_is_asked_about_one_letter_never_a_list(
    login, settings, service, coordinator, practitioner, django_capture_on_commit_callbacks, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "letters": {"BACKEND": f"{__name__}.CountingStorage", "OPTIONS": {"location": tmp_path / "counted"}},
    }
    referral = family_of(service, coordinator, practitioner)
    for kind in ("family", "referrer", "handover"):
        letter = actions.draft_letter(referral=referral, kind=kind, by=practitioner)
        approve_now(letter, practitioner, django_capture_on_commit_callbacks)
    client = login(practitioner)
    CountingStorage.looks = 0
    assert client.get(reverse("letters:list", kwargs={"pk": referral.pk})).status_code == 200
    assert client.get(reverse("api:letter-list", kwargs={"pk": referral.pk})).status_code == 200
    assert client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).status_code == 200
    assert CountingStorage.looks == 0
    assert client.get(reverse("letters:detail", kwargs={"letter_id": letter.pk})).status_code == 200
    assert CountingStorage.looks == 1
    assert client.get(reverse("api:letter-detail", kwargs={"letter_id": letter.pk})).status_code == 200
    assert CountingStorage.looks == 2
