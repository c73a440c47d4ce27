"""Who approves a letter a trainee had a hand in (hazard H-18-02): every order of drafting, editing and approving,
through the action, the page and the API, and the Approve button shown only to whoever may press it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from letters import actions
from letters.models import Letter
from tests.letters.helpers_letters import approve_now, family_of, trainee_family

EDIT = {"recipient_name": "Dr A", "sections": {"summary": "Changed by hand."}}


def edit(letter, by):
    return actions.edit_letter(
        letter=letter, sections=EDIT["sections"], recipient_name="Dr A", recipient_address="", by=by
    )


def api_edit(login, letter, by):
    url = reverse("api:letter-edit", kwargs={"letter_id": letter.pk})
    response = login(by).post(url, EDIT, content_type="application/json")
    assert response.status_code == 200, response.content
    return Letter.objects.get(pk=response.json()["id"])


def approve_by_action(login, letter, who):
    try:
        actions.approve_letter(letter=letter, by=who)
    except PermissionDenied:
        return 403
    return 200


def approve_by_page(login, letter, who):
    response = login(who).post(reverse("letters:approve", kwargs={"letter_id": letter.pk}), {})
    return 200 if response.status_code == 302 else response.status_code


def approve_by_api(login, letter, who):
    url = reverse("api:letter-approve", kwargs={"letter_id": letter.pk})
    return login(who).post(url, {}, content_type="application/json").status_code


WAYS = [approve_by_action, approve_by_page, approve_by_api]


def shows_approve(login, letter, who) -> bool:
    page = login(who).get(reverse("letters:detail", kwargs={"letter_id": letter.pk}))
    return reverse("letters:approve", kwargs={"letter_id": letter.pk}).encode() in page.content


@pytest.mark.parametrize("way", WAYS)
def test_coordinator_drafts_trainee_edits_trainee_cannot_approve(login, service, coordinator, trainee, supervisor, way):
    """The way round the old check: the coordinator's `created_by` made the trainee's edit look like theirs."""
    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=coordinator)
    letter = api_edit(login, letter, trainee)
    assert not shows_approve(login, letter, trainee)
    assert way(login, letter, trainee) == 403
    # Nor the coordinator who drafted it: a trainee's hand makes it the supervisor's to approve.
    assert not shows_approve(login, letter, coordinator)
    assert way(login, letter, coordinator) == 403
    letter.refresh_from_db()
    assert letter.status == "draft" and letter.approved_by is None
    assert shows_approve(login, letter, supervisor)
    assert way(login, letter, supervisor) == 200


@pytest.mark.parametrize("way", WAYS)
def test_trainee_drafts_coordinator_edits_only_the_supervisor_approves(
    login, service, coordinator, trainee, supervisor, way
):
    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=trainee)
    letter = api_edit(login, letter, coordinator)
    for who in (coordinator, trainee):
        assert not shows_approve(login, letter, who)
        assert way(login, letter, who) == 403
    assert way(login, letter, supervisor) == 200


def test_trainees_hand_on_an_earlier_version_still_counts(
    login, service, coordinator, trainee, supervisor, django_capture_on_commit_callbacks
):
    """Approved, then changed by the coordinator: version 2 is still a letter a trainee wrote part of."""
    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=coordinator)
    letter = edit(letter, trainee)
    letter = approve_now(letter, supervisor, django_capture_on_commit_callbacks)
    second = edit(letter, coordinator)
    assert second.version == 2 and second.created_by == coordinator
    for way in WAYS:
        assert way(login, second, coordinator) == 403
        assert way(login, second, trainee) == 403
    assert approve_by_api(login, second, supervisor) == 200


@pytest.mark.parametrize("way", WAYS)
def test_trainee_never_approves_even_a_letter_no_trainee_wrote(login, service, coordinator, trainee, supervisor, way):
    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=coordinator)
    assert not shows_approve(login, letter, trainee)
    assert way(login, letter, trainee) == 403
    assert shows_approve(login, letter, coordinator)
    assert way(login, letter, coordinator) == 200


def test_another_supervisor_cannot_approve_a_trainees_edit(service, coordinator, trainee, supervisor, other_supervisor):
    from tests.factories import staff

    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = edit(actions.draft_letter(referral=referral, kind="handover", by=coordinator), trainee)
    for who in (staff("another_supervisor", service, "supervisor"), other_supervisor):
        with pytest.raises(PermissionDenied):
            actions.approve_letter(letter=letter, by=who)


@pytest.mark.parametrize("way", WAYS)
def test_qualified_practitioner_drafts_and_edits_under_the_normal_rule(login, service, coordinator, practitioner, way):
    referral = family_of(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind="handover", by=coordinator)
    letter = api_edit(login, letter, practitioner)
    assert shows_approve(login, letter, practitioner) and shows_approve(login, letter, coordinator)
    assert way(login, letter, practitioner) == 200
