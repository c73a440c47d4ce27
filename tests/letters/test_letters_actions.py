"""Letter actions: drafting, versions, approval rules, the safety flags, sending, and the pipeline in-process."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.refusals import ActionRefused
from letters import actions
from letters.models import Letter
from referrals.models import ReferralEvent
from tests.letters.helpers_letters import approve_now, decline_letter, declined_referral, family_of, trainee_family
from tests.referrals.helpers import make_referral, parent


def test_decline_letter_is_prefilled_from_the_record(service, coordinator):
    letter = decline_letter(service, coordinator, referrer_name="Helen Visitor")
    assert letter.status == "draft" and letter.version == 1
    assert letter.recipient_name == "Helen Visitor"
    assert "outside the area" in letter.content["sections"]["reason"]
    assert letter.content["sections"]["signposting"]
    assert letter.content["patient"]["nhs_number"] == "999 000 0018"
    assert len(letter.content_hash) == 64
    assert ReferralEvent.objects.filter(referral=letter.referral, kind="letter_drafted").exists()


def test_decline_letter_needs_a_declined_referral(service, coordinator):
    referral = make_referral(service, coordinator)
    with pytest.raises(ActionRefused):
        actions.draft_letter(referral=referral, kind="decline", by=coordinator)


def test_only_one_current_letter_of_a_kind(service, coordinator):
    letter = decline_letter(service, coordinator)
    with pytest.raises(ActionRefused):
        actions.draft_letter(referral=letter.referral, kind="decline", by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(
            referral=letter.referral, kind="decline", version=2, recipient_name="x", created_by=coordinator
        )


def test_paired_fields_are_kept_together_by_the_database(service, coordinator):
    letter = decline_letter(service, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(approved_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.filter(pk=letter.pk).update(sent_at=timezone.now())


def test_a_practitioner_cannot_write_to_another_practitioners_family(
    service, coordinator, practitioner, other_practitioner
):
    referral = family_of(service, coordinator, practitioner)
    with pytest.raises(PermissionDenied):
        actions.draft_letter(referral=referral, kind="handover", by=other_practitioner)


def test_other_service_coordinator_cannot_draft(service, coordinator, other_coordinator):
    referral = declined_referral(service, coordinator)
    with pytest.raises(PermissionDenied):
        actions.draft_letter(referral=referral, kind="decline", by=other_coordinator)


def test_editing_a_draft_changes_it_in_place(service, coordinator):
    letter = decline_letter(service, coordinator)
    old_hash = letter.content_hash
    edited = actions.edit_letter(
        letter=letter, sections={"reason": "New reason."}, recipient_name="Dr Who", recipient_address="", by=coordinator
    )
    assert edited.pk == letter.pk and edited.version == 1 and edited.content_hash != old_hash


def test_editing_after_approval_makes_a_new_version_and_keeps_the_old(
    service, coordinator, django_capture_on_commit_callbacks
):
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    new = actions.edit_letter(
        letter=letter, sections={"reason": "Changed."}, recipient_name="Dr Who", recipient_address="", by=coordinator
    )
    letter.refresh_from_db()
    assert new.version == 2 and new.status == "draft" and new.is_current
    assert letter.superseded_by == new and not letter.is_current and letter.status == "ready"
    assert letter.content_hash != new.content_hash
    with pytest.raises(ActionRefused):
        actions.mark_letter_sent(letter=letter, sent_on=timezone.localdate(), how="post", by=coordinator)


def test_unknown_section_or_unsafe_text_refused(service, coordinator):
    letter = decline_letter(service, coordinator)
    for sections in ({"nonsense": "x"}, {"reason": "Ann\u202eSmith"}):
        with pytest.raises(ValidationError):
            actions.edit_letter(
                letter=letter, sections=sections, recipient_name="A", recipient_address="", by=coordinator
            )


def test_trainees_letter_needs_their_supervisor(
    service, coordinator, trainee, supervisor, other_supervisor, django_capture_on_commit_callbacks
):
    from tests.factories import staff

    referral = trainee_family(service, coordinator, trainee, supervisor)
    letter = actions.draft_letter(referral=referral, kind="handover", by=trainee)
    # Who approves is a rule about the person (403), not the letter's state (409): not the trainee, not a coordinator.
    for who in (trainee, coordinator):
        with pytest.raises(PermissionDenied):
            actions.approve_letter(letter=letter, by=who)
        letter.refresh_from_db()
        assert letter.status == "draft" and letter.approved_by is None
    another = staff("another_supervisor", service, "supervisor")
    with pytest.raises(PermissionDenied):
        actions.approve_letter(letter=letter, by=another)
    with pytest.raises(PermissionDenied):
        actions.approve_letter(letter=letter, by=other_supervisor)
    letter = approve_now(letter, supervisor, django_capture_on_commit_callbacks)
    assert letter.approved_by == supervisor and letter.status == "ready"


def test_accredited_practitioner_approves_their_own_letter(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    referral = family_of(service, coordinator, practitioner)
    letter = actions.draft_letter(referral=referral, kind="handover", by=practitioner)
    assert approve_now(letter, practitioner, django_capture_on_commit_callbacks).status == "ready"


def test_bereaved_family_letter_needs_a_coordinators_confirmation(
    service, coordinator, practitioner, django_capture_on_commit_callbacks
):
    referral = family_of(service, coordinator, practitioner, bereavement=True)
    letter = actions.draft_letter(referral=referral, kind="family", by=practitioner)
    with pytest.raises(ActionRefused):
        actions.approve_letter(letter=letter, by=practitioner)
    assert not Letter.objects.exclude(status="draft").exists()
    with pytest.raises(PermissionDenied):
        actions.confirm_bereaved_family_letter(letter=letter, by=practitioner)
    letter = actions.confirm_bereaved_family_letter(letter=letter, by=coordinator)
    assert letter.bereavement_confirmed_by == coordinator and letter.bereavement_confirmed_at
    assert approve_now(letter, practitioner, django_capture_on_commit_callbacks).status == "ready"


def test_confidential_address_typed_into_a_referrers_letter_is_refused(service, coordinator):
    secret = parent(address="7 Hidden Lane\nPeterborough", postcode="PE2 9ZZ")
    letter = decline_letter(service, coordinator, parents=[secret], confidential_address=True)
    assert "Hidden Lane" not in str(letter.canonical_content())
    with pytest.raises(ValidationError) as refused:
        actions.edit_letter(
            letter=letter,
            sections={"reason": "They live at 7 Hidden Lane."},
            recipient_name="A",
            recipient_address="",
            by=coordinator,
        )
    assert list(refused.value.message_dict) == ["reason"]
    letter.refresh_from_db()
    assert "Hidden Lane" not in str(letter.canonical_content())


def test_mark_sent_once_only_and_only_when_ready(service, coordinator, django_capture_on_commit_callbacks):
    letter = decline_letter(service, coordinator)
    with pytest.raises(ActionRefused):
        actions.mark_letter_sent(letter=letter, sent_on=timezone.localdate(), how="post", by=coordinator)
    letter = approve_now(letter, coordinator, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        actions.mark_letter_sent(
            letter=letter, sent_on=timezone.localdate() + timedelta(days=1), how="post", by=coordinator
        )
    letter = actions.mark_letter_sent(letter=letter, sent_on=timezone.localdate(), how="post", by=coordinator)
    assert letter.sent_how == "post" and letter.sent_by == coordinator
    with pytest.raises(ActionRefused):
        actions.mark_letter_sent(letter=letter, sent_on=timezone.localdate(), how="post", by=coordinator)


def test_rolled_back_approval_enqueues_nothing(service, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("letters.tasks.render_letter.delay", lambda letter_id: sent.append(letter_id))
    letter = decline_letter(service, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                actions.approve_letter(letter=letter, by=coordinator)
                raise RuntimeError("something later in the request failed")
        except RuntimeError:
            pass
    letter.refresh_from_db()
    assert sent == [] and letter.status == "draft"


def test_task_gets_only_the_letters_id(service, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("letters.tasks.render_letter.delay", lambda *args, **kwargs: sent.append((args, kwargs)))
    letter = decline_letter(service, coordinator)
    approve_now(letter, coordinator, django_capture_on_commit_callbacks)
    assert sent == [((letter.pk,), {})]


def test_broker_down_approval_still_succeeds_and_letter_waits_queued(
    service, coordinator, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr("letters.tasks.render_letter.delay", down)
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    assert letter.status == "queued" and letter.approved_at
    assert "waits as queued" in caplog.text


def test_always_failing_template_ends_failed_after_the_limit(
    service, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.LETTER_TEMPLATE = "letters/pdf/no-such-template.html"
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    assert letter.status == "failed"
    assert letter.attempts == settings.LETTER_RENDER_MAX_ATTEMPTS
    assert "TemplateDoesNotExist" in letter.error and not letter.file


def test_rendering_twice_makes_one_file(
    service, coordinator, django_capture_on_commit_callbacks, _letters_in_a_temporary_folder
):
    letter = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    assert actions.render_letter_file(letter_id=letter.pk) == "ready"  # a duplicate delivery: nothing to do
    Letter.objects.filter(pk=letter.pk).update(status="queued")  # as if the sweep re-sent it mid-render
    assert actions.render_letter_file(letter_id=letter.pk) == "ready"
    files = list(_letters_in_a_temporary_folder.rglob("*.pdf"))
    assert len(files) == 1 and Letter.objects.current().filter(referral=letter.referral).count() == 1


def test_sweep_resends_only_letters_stuck_past_the_limit(
    service, coordinator, settings, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("letters.tasks.render_letter.delay", lambda letter_id: sent.append(letter_id))
    stuck = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    fresh = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    Letter.objects.filter(pk=stuck.pk).update(status_changed_at=timezone.now() - timedelta(minutes=10))
    sent.clear()
    assert actions.sweep_stuck_letters() == 1
    assert sent == [stuck.pk] and fresh.pk not in sent
    assert actions.sweep_stuck_letters() == 0  # the clock was reset: not re-sent every minute


def test_month_regeneration_remakes_only_missing_and_failed(
    service, coordinator, other_coordinator, settings, django_capture_on_commit_callbacks
):
    ok = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    missing = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    missing.file.storage.delete(missing.file.name)
    settings.LETTER_TEMPLATE = "letters/pdf/no-such-template.html"
    failed = approve_now(decline_letter(service, coordinator), coordinator, django_capture_on_commit_callbacks)
    assert failed.status == "failed"
    settings.LETTER_TEMPLATE = "letters/pdf/letter.html"
    assert actions.regenerate_month_letters(month=timezone.localdate(), by=other_coordinator) == {"regenerated": 0}
    with django_capture_on_commit_callbacks(execute=True):
        result = actions.regenerate_month_letters(month=timezone.localdate(), by=coordinator)
    assert result == {"regenerated": 2}
    for letter in (ok, missing, failed):
        letter.refresh_from_db()
        assert letter.status == "ready" and letter.file.storage.exists(letter.file.name)
    assert ok.attempts == 1
