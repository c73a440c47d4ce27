"""Letter pages and API: who may open what, what is logged, and what the pages say while a letter is made."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessEvent
from letters import actions
from letters.models import Letter
from tests.letters.helpers_letters import approve_now, decline_letter, declined_referral, family_of, trainee_family

LETTER_PAGES = ["detail", "edit", "preview", "approve", "confirm_bereavement", "mark_sent", "regenerate", "download"]
LETTER_API = ["letter-detail", "letter-edit", "letter-approve", "letter-mark-sent", "letter-download"]


@pytest.fixture
def ready_letter(service, coordinator, practitioner, django_capture_on_commit_callbacks):
    referral = family_of(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind="handover", by=practitioner)
    return approve_now(letter, practitioner, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    "who", ["other_practitioner", "other_coordinator", "other_service_practitioner", "nobody", "supervisor"]
)
def test_no_letter_url_opens_for_someone_elses_family(login, ready_letter, who, request):
    client = login(request.getfixturevalue(who))
    for name in LETTER_PAGES:
        url = reverse(f"letters:{name}", kwargs={"letter_id": ready_letter.pk})
        assert client.get(url).status_code in (403, 404, 405), name
        assert client.post(url, {}).status_code in (403, 404, 405), name
    for name in LETTER_API:
        url = reverse(f"api:{name}", kwargs={"letter_id": ready_letter.pk})
        assert client.get(url).status_code in (403, 404, 405), name
        assert client.post(url, {}, content_type="application/json").status_code in (403, 404, 405), name
    for url in (
        reverse("letters:list", kwargs={"pk": ready_letter.referral_id}),
        reverse("api:letter-list", kwargs={"pk": ready_letter.referral_id}),
    ):
        assert client.get(url).status_code in (403, 404)
    ready_letter.refresh_from_db()
    assert ready_letter.sent_at is None and ready_letter.is_current


def test_download_is_an_attachment_nosniff_and_logged(login, practitioner, ready_letter):
    response = login(practitioner).get(reverse("letters:download", kwargs={"letter_id": ready_letter.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")
    assert AccessEvent.objects.filter(
        action="download", object_type="letters.letter", object_id=str(ready_letter.pk)
    ).exists()


def test_api_download_and_detail(login, practitioner, ready_letter):
    client = login(practitioner)
    body = client.get(reverse("api:letter-detail", kwargs={"letter_id": ready_letter.pk})).json()
    assert body["status"] == "ready" and body["download_url"]
    response = client.get(body["download_url"])
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    listed = client.get(reverse("api:letter-list", kwargs={"pk": ready_letter.referral_id})).json()["results"]
    assert [x["id"] for x in listed] == [ready_letter.pk]


def test_decline_journey_through_the_pages(login, service, coordinator, django_capture_on_commit_callbacks):
    referral = declined_referral(service, coordinator)
    client = login(coordinator)
    record = client.get(reverse("referrals:detail", kwargs={"pk": referral.pk}))
    assert b"Write the decline letter" in record.content
    response = client.post(reverse("letters:draft", kwargs={"pk": referral.pk, "kind": "decline"}))
    letter = Letter.objects.get(referral=referral)
    assert response.url == reverse("letters:edit", kwargs={"letter_id": letter.pk})
    edit = client.get(response.url)
    assert b"outside the area" in edit.content
    data = {
        "recipient_name": "Helen Visitor",
        "recipient_address": "Team",
        "opening": "Hello.",
        "reason": "Too far.",
        "signposting": "Family Hub.",
        "closing": "Bye.",
    }
    assert client.post(response.url, data).status_code == 302
    preview = client.get(reverse("letters:preview", kwargs={"letter_id": letter.pk}))
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert preview["Content-Disposition"].startswith("inline;")
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(reverse("letters:approve", kwargs={"letter_id": letter.pk}), {})
    assert approved.status_code == 302
    page = client.get(reverse("letters:detail", kwargs={"letter_id": letter.pk}))
    assert b"Download the PDF" in page.content and b'http-equiv="refresh"' not in page.content
    sent = client.post(
        reverse("letters:mark_sent", kwargs={"letter_id": letter.pk}),
        {"sent_on": timezone.localdate().isoformat(), "how": "Secure email"},
    )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    letter.refresh_from_db()
    assert letter.sent_how == "Secure email"


def test_queued_letter_page_refreshes_and_says_it_waits(
    login, service, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("letters.tasks.render_letter.delay", lambda letter_id: None)
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    page = login(coordinator).get(reverse("letters:detail", kwargs={"letter_id": letter.pk}))
    assert b'http-equiv="refresh"' in page.content and b"Waiting to be made" in page.content
    Letter.objects.filter(pk=letter.pk).update(status="rendering", attempts=1)
    page = login(coordinator).get(reverse("letters:detail", kwargs={"letter_id": letter.pk}))
    assert "Rendering…".encode() in page.content


def test_trainees_letter_shows_approve_only_to_their_supervisor(login, service, coordinator, trainee, supervisor):
    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=trainee)
    url = reverse("letters:detail", kwargs={"letter_id": letter.pk})
    approve = reverse("letters:approve", kwargs={"letter_id": letter.pk})
    assert approve.encode() not in login(trainee).get(url).content
    assert login(trainee).post(approve, {}).status_code == 403  # who may act: a 403, logged
    assert approve.encode() in login(supervisor).get(url).content
    assert login(supervisor).post(approve, {}).status_code == 302


def test_api_trainee_approval_refused_then_supervisor_approves(login, service, coordinator, trainee, supervisor):
    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=trainee)
    url = reverse("api:letter-approve", kwargs={"letter_id": letter.pk})
    assert login(trainee).post(url, {}, content_type="application/json").status_code == 403
    assert login(supervisor).post(url, {}, content_type="application/json").status_code == 200


def test_api_draft_edit_makes_versions(login, service, coordinator, django_capture_on_commit_callbacks):
    referral = declined_referral(service, coordinator)
    client = login(coordinator)
    created = client.post(
        reverse("api:letter-draft", kwargs={"pk": referral.pk}), {"kind": "decline"}, content_type="application/json"
    )
    assert created.status_code == 201
    letter = Letter.objects.get(pk=created.json()["id"])
    approve_now(letter, coordinator, django_capture_on_commit_callbacks)
    edited = client.post(
        reverse("api:letter-edit", kwargs={"letter_id": letter.pk}),
        {"recipient_name": "Dr A", "sections": {"reason": "Changed."}},
        content_type="application/json",
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2 and edited.json()["status"] == "draft"


def test_record_section_lists_letters_in_fixed_queries(login, service, coordinator, django_assert_max_num_queries):
    letter = decline_letter(service, coordinator)
    client = login(coordinator)
    url = reverse("referrals:detail", kwargs={"pk": letter.referral_id})
    response = client.get(url)
    assert reverse("letters:detail", kwargs={"letter_id": letter.pk}).encode() in response.content


def test_family_letters_list_constant_queries(login, service, coordinator, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    client = login(coordinator)
    url = reverse("letters:list", kwargs={"pk": letter.referral_id})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        letter = actions.edit_letter(
            letter=letter, sections={"reason": f"v{n}"}, recipient_name="A", recipient_address="", by=coordinator
        )
        letter = approve_now(letter, coordinator, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.count(b"(superseded)") == 4
    assert len(many.captured_queries) == len(few.captured_queries)


def test_settings_and_wording_only_for_the_services_admin(
    login, service, service_admin, other_service_admin, coordinator
):
    settings_url = reverse("letters:settings", kwargs={"service": service.slug})
    wording_url = reverse("letters:template", kwargs={"service": service.slug, "kind": "decline"})
    for user in (other_service_admin, coordinator):
        assert login(user).get(settings_url).status_code in (403, 404)
        assert login(user).post(wording_url, {"opening": "x"}).status_code in (403, 404)
    client = login(service_admin)
    assert client.get(settings_url).status_code == 200
    bad = client.post(wording_url, {"opening": "Hello {child_name} {settings.SECRET_KEY}", "closing": ""})
    assert bad.status_code == 400 and b"Unknown placeholder" in bad.content
    preview = client.get(wording_url)
    assert b"Baby Example" in preview.content  # the default wording filled with sample values
    good = client.post(
        wording_url,
        {"opening": "Dear {referrer_name}, <b>about</b> {child_name}.", "closing": "Bye", "signposting": "Hub"},
    )
    assert good.status_code == 302
    page = client.get(wording_url)
    assert b"&lt;b&gt;about&lt;/b&gt; Baby Example" in page.content


def test_service_wording_and_sign_off_are_copied_into_new_letters(service, service_admin, coordinator):
    actions.save_letter_template(
        service=service,
        kind="decline",
        opening="Dear {referrer_name}.",
        closing="Thanks.",
        signposting="Hub.",
        by=service_admin,
    )
    actions.save_letter_settings(
        service=service,
        letterhead="CPFT VIG",
        address_block="1 Road",
        sign_off="Kind regards,",
        confidential_marking="OFFICIAL-SENSITIVE",
        by=service_admin,
    )
    letter = decline_letter(service, coordinator)
    assert letter.content["sections"]["opening"] == "Dear {referrer_name}."
    assert letter.content["sign_off"] == "Kind regards," and letter.content["letterhead"] == "CPFT VIG"


def test_batch_page_counts_and_regenerates(
    login, service, coordinator, practitioner, settings, django_capture_on_commit_callbacks
):
    settings.LETTER_TEMPLATE = "letters/pdf/no-such-template.html"
    failed = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    settings.LETTER_TEMPLATE = "letters/pdf/letter.html"
    url = reverse("letters:batch")
    assert login(practitioner).get(url).status_code == 403
    client = login(coordinator)
    month = timezone.localdate().strftime("%Y-%m")
    page = client.get(url, {"month": month})
    assert b"Failed" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"month": month}).status_code == 302
    failed.refresh_from_db()
    assert failed.status == "ready"
