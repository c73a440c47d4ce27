"""Drafts of a visit record: saved by hand, kept at an idle sign-out, shown again only to their writer."""

import time
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cycles.models import Draft
from referrals import actions as referral_actions
from tests.conftest import verify_session
from tests.cycles.helpers_visits import book, family_fixture, ready_fixture  # noqa: F401

NOTES = "Mum noticed how the baby turned to her voice; we talked about"


def record_url(visit) -> str:
    return reverse("cycles:visit_record", args=[visit.pk])


def posted(**extra) -> dict:
    return {"outcome": "attended", "duration_minutes": "45", "notes": NOTES, "activities": ["filming"], **extra}


def go_idle(client) -> None:
    session = client.session
    session["vig_last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()


def test_save_as_draft_then_the_form_restores_it(login, family, practitioner):
    visit = book(family, practitioner, days=-1)
    client = login(practitioner)
    response = client.post(record_url(visit), posted(save_draft="1"))
    assert response.status_code == 302 and response.url == record_url(visit)
    page = client.get(record_url(visit))
    assert NOTES.encode() in page.content
    assert b"Restored your unsaved draft from" in page.content
    assert Draft.objects.get(user=practitioner).data["activities"] == ["filming"]


def test_recording_for_real_discards_the_draft(login, family, practitioner):
    visit = book(family, practitioner, days=-1)
    client = login(practitioner)
    client.post(record_url(visit), posted(save_draft="1"))
    response = client.post(record_url(visit), posted())
    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_draft_survives_an_idle_sign_out(client, family, practitioner):
    """Sign in, open the form, go idle past the time-out, post: signed out, and the text is there afterwards."""
    visit = book(family, practitioner, days=-1)
    verify_session(client, practitioner)
    assert client.get(record_url(visit)).status_code == 200
    go_idle(client)
    response = client.post(record_url(visit), posted(password="not-kept", csrfmiddlewaretoken="x" * 64))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert client.get(record_url(visit)).url.startswith(reverse("accounts:login"))  # really signed out
    draft = Draft.objects.get(user=practitioner, key=f"visit-record:{visit.pk}")
    assert set(draft.data) <= {"outcome", "outcome_reason", "duration_minutes", "present", "notes", "activities"}
    assert "password" not in draft.data and "csrfmiddlewaretoken" not in draft.data
    verify_session(client, practitioner)
    page = client.get(record_url(visit))
    assert page.status_code == 200
    assert NOTES.encode() in page.content and b"Restored your unsaved draft from" in page.content


def test_forged_post_after_idle_keeps_no_draft(family, practitioner):
    """The view's CSRF check never runs for a request stopped at the time-out: the keeper checks it itself."""
    visit = book(family, practitioner, days=-1)
    client = Client(enforce_csrf_checks=True)
    verify_session(client, practitioner)
    go_idle(client)
    response = client.post(record_url(visit), posted())
    assert response.status_code == 302
    assert not Draft.objects.exists()


def test_idle_post_to_a_page_not_draftable_keeps_nothing(client, family, practitioner):
    verify_session(client, practitioner)
    go_idle(client)
    client.post(reverse("cycles:liaison_record", args=[family.pk]), {"summary": NOTES})
    assert not Draft.objects.exists()


def test_idle_post_to_another_practitioners_visit_keeps_nothing(client, family, practitioner, other_practitioner):
    visit = book(family, practitioner, days=-1)
    verify_session(client, other_practitioner)
    go_idle(client)
    client.post(record_url(visit), posted())
    assert not Draft.objects.exists()


def test_draft_never_shown_to_another_person(login, family, coordinator, practitioner, other_practitioner):
    """After the family moves to another practitioner, the new one sees an empty form, not the old draft."""
    visit = book(family, practitioner, days=-1)
    login(practitioner).post(record_url(visit), posted(save_draft="1"))
    referral_actions.reallocate_referral(
        referral=family, practitioner=other_practitioner, reason="Practitioner left", by=coordinator
    )
    client = login(other_practitioner)
    page = client.get(record_url(visit))
    assert page.status_code == 200
    assert NOTES.encode() not in page.content and b"Restored your unsaved draft" not in page.content


def test_discard_draft(login, family, practitioner):
    visit = book(family, practitioner, days=-1)
    client = login(practitioner)
    client.post(record_url(visit), posted(save_draft="1"))
    client.post(record_url(visit), {"discard_draft": "1"})
    assert not Draft.objects.exists()
    assert NOTES.encode() not in client.get(record_url(visit)).content


def test_draft_survives_a_real_idle_gap(client, family, practitioner):
    """Both clocks moved past the idle time-out: the server-side session must still name the writer, so the
    middleware (not an expired session) decides, keeps the draft and signs them out."""
    visit = book(family, practitioner, days=-1)
    verify_session(client, practitioner)
    assert client.get(record_url(visit)).status_code == 200
    later = settings.SESSION_IDLE_TIMEOUT_SECONDS + 60
    with (
        mock.patch("time.time", return_value=time.time() + later),
        mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=later)),
    ):
        response = client.post(record_url(visit), posted())
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
        assert client.get(record_url(visit)).url.startswith(reverse("accounts:login"))
    assert Draft.objects.get(user=practitioner).data["notes"] == [NOTES]
