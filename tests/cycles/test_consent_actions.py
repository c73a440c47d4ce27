"""Recording and withdrawing consent through the actions: who may, when, what is checked, what is kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.refusals import ActionRefused
from cycles import actions
from cycles.models import ConsentDecision, ConsentItem
from referrals.models import ReferralEvent
from tests.cycles.helpers_consent import (
    ALL_ITEMS,
    ELF_BYTES,
    EXE_BYTES,
    days_ago,
    give_consent,
    items,
    jpeg_bytes,
    make_family,
    people,
    png_bytes,
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


def test_consent_records_each_person_and_each_item_and_history(family, practitioner):
    consent = give_consent(family, practitioner, agreed=[ConsentItem.FILMING, ConsentItem.SUPERVISOR_VIEWING])
    decisions = ConsentDecision.objects.filter(giver__consent=consent)
    assert decisions.count() == 2 * len(ALL_ITEMS)
    assert set(decisions.filter(agreed=True).values_list("item", flat=True)) == {"filming", "supervisor_viewing"}
    event = ReferralEvent.objects.get(referral=family, kind="consent_recorded")
    assert event.summary == "Consent recorded"
    assert event.changes["Jane Example"][1] == "agreed to: Filming, Viewing by the VIG supervisor"


def test_consent_date_cannot_be_in_the_future_or_before_the_referral(family, practitioner):
    with pytest.raises(ValidationError) as future:
        give_consent(family, practitioner, given_on=days_ago(-1))
    assert "today or in the past" in str(future.value.message_dict["given_on"])
    with pytest.raises(ValidationError) as early:
        give_consent(family, practitioner, given_on=days_ago(61))
    assert "date received" in str(early.value.message_dict["given_on"])


def test_giver_must_be_on_this_referral(family, practitioner, service, coordinator, other_practitioner):
    stranger = people(make_family(service, coordinator, other_practitioner))[0]
    with pytest.raises(ValidationError) as error:
        give_consent(family, practitioner, who=[stranger])
    assert "on this referral" in str(error.value.message_dict["givers"])


def test_nobody_named_is_refused(family, practitioner):
    with pytest.raises(ValidationError) as error:
        actions.record_consent(
            referral=family, given_on=today(), givers=[], written_agreement_given=True, by=practitioner
        )
    assert "givers" in error.value.message_dict


def test_sharing_clips_needs_the_named_others(family, practitioner):
    with pytest.raises(ValidationError) as error:
        give_consent(family, practitioner, agreed=[ConsentItem.SHARING_CLIPS], sharing_with="")
    assert "Name who" in str(error.value.message_dict["sharing_with"])


def test_only_the_allocated_practitioner_records_consent(family, coordinator, manager, supervisor, other_practitioner):
    for who in (coordinator, manager, supervisor, other_practitioner):
        with pytest.raises(PermissionDenied):
            give_consent(family, who)


def test_consent_needs_an_allocated_family(family, practitioner):
    """Defence in depth: even holding the permission, a family that is not allocated takes no casework."""
    family.status = "accepted"
    with pytest.raises(ActionRefused) as refusal:
        give_consent(family, practitioner)
    assert "only an allocated family's work can be recorded" in str(refusal.value)


def test_consent_refused_once_the_family_is_withdrawn(family, practitioner, coordinator):
    from referrals import actions as referral_actions

    referral_actions.withdraw_referral(referral=family, reason="Family moved", by=coordinator)
    family.refresh_from_db()
    with pytest.raises((ActionRefused, PermissionDenied)):
        give_consent(family, practitioner)


def test_unsafe_notes_refused(family, practitioner):
    with pytest.raises(ValidationError) as error:
        give_consent(family, practitioner, notes="ok\x1b[31m")
    assert "notes" in error.value.message_dict


# --- uploads ---------------------------------------------------------------------------------------------------


def test_signed_pdf_is_stored_privately_under_a_random_name(family, practitioner, private_files):
    consent = give_consent(family, practitioner, signed_form=upload())
    name = consent.signed_form.name
    assert name.startswith("consent-forms/") and name.endswith(".pdf")
    assert "Jane" not in name and "Example" not in name
    assert (private_files / name).exists()
    assert consent.signed_form_content_type == "application/pdf"
    with pytest.raises(ValueError):
        consent.signed_form.url  # noqa: B018 - private files have no URL


@pytest.mark.parametrize(
    ("content", "extension", "content_type"),
    [(png_bytes(), "png", "image/png"), (jpeg_bytes(), "jpg", "image/jpeg")],
    ids=["png", "jpeg"],
)
def test_scanned_images_are_accepted_by_their_content(family, practitioner, content, extension, content_type):
    consent = give_consent(family, practitioner, signed_form=upload(content, name="scan.pdf"))
    assert consent.signed_form.name.endswith(f".{extension}")
    assert consent.signed_form_content_type == content_type


@pytest.mark.parametrize("content", [EXE_BYTES, ELF_BYTES, b"<html><script>alert(1)</script>"])
def test_executable_renamed_pdf_is_refused_and_nothing_saved(family, practitioner, content, private_files):
    with pytest.raises(ValidationError) as error:
        give_consent(family, practitioner, signed_form=upload(content, name="form.pdf"))
    assert "must be a PDF, JPEG or PNG" in str(error.value.message_dict["signed_form"])
    assert not family.consents.exists()
    assert not private_files.exists() or not any(private_files.rglob("*.*"))


def test_png_header_on_something_else_is_refused(family, practitioner):
    fake = b"\x89PNG\r\n\x1a\n" + b"MZ" + b"\x00" * 100
    with pytest.raises(ValidationError) as error:
        give_consent(family, practitioner, signed_form=upload(fake, name="form.png"))
    assert "does not open as one" in str(error.value.message_dict["signed_form"])


def test_oversized_upload_is_refused(family, practitioner, settings):
    settings.CONSENT_FORM_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        give_consent(family, practitioner, signed_form=upload(b"%PDF-" + b"0" * 2000))
    assert "1 MB or smaller" in str(error.value.message_dict["signed_form"]) or "smaller" in str(error.value)


# --- withdrawal ------------------------------------------------------------------------------------------------


def test_withdrawal_keeps_what_was_agreed_and_records_who_when_why(family, practitioner):
    consent = give_consent(family, practitioner)
    mother = consent.givers.get(parent__name="Jane Example")
    actions.withdraw_consent(
        consent=consent,
        givers=[mother],
        items=[ConsentItem.TRAINING],
        withdrawn_on=today(),
        reason="Does not want strangers to see it",
        by=practitioner,
    )
    decision = ConsentDecision.objects.get(giver=mother, item=ConsentItem.TRAINING)
    assert decision.agreed and decision.withdrawn_on == today() and decision.withdrawn_by == practitioner
    assert ConsentDecision.objects.filter(giver__consent=consent).count() == 2 * len(ALL_ITEMS)
    event = ReferralEvent.objects.get(referral=family, kind="consent_withdrawn")
    assert event.summary == "Consent withdrawn for some items"
    assert event.changes["Jane Example"][1] == "withdrew: Use in training"


def test_whole_withdrawal_marks_every_agreed_item(family, practitioner):
    consent = give_consent(family, practitioner, agreed=[ConsentItem.FILMING, ConsentItem.TRAINING])
    withdrawn = actions.withdraw_consent(consent=consent, withdrawn_on=today(), reason="Stopping", by=practitioner)
    assert len(withdrawn) == 4
    assert not ConsentDecision.objects.filter(giver__consent=consent, agreed=False, withdrawn_on__isnull=False)
    assert ReferralEvent.objects.get(kind="consent_withdrawn").summary == "Consent withdrawn"


def test_withdrawal_needs_a_reason_and_a_sensible_date(family, practitioner):
    consent = give_consent(family, practitioner, given_on=days_ago(10))
    for kwargs, field in [
        ({"reason": "", "withdrawn_on": today()}, "reason"),
        ({"reason": "x", "withdrawn_on": days_ago(-1)}, "withdrawn_on"),
        ({"reason": "x", "withdrawn_on": days_ago(11)}, "withdrawn_on"),
    ]:
        with pytest.raises(ValidationError) as error:
            actions.withdraw_consent(consent=consent, by=practitioner, **kwargs)
        assert field in error.value.message_dict


def test_withdrawing_twice_or_what_was_never_agreed_is_refused(family, practitioner):
    consent = give_consent(family, practitioner, agreed=[ConsentItem.FILMING])
    with pytest.raises(ValidationError):
        actions.withdraw_consent(
            consent=consent, items=[ConsentItem.TRAINING], withdrawn_on=today(), reason="x", by=practitioner
        )
    actions.withdraw_consent(consent=consent, withdrawn_on=today(), reason="x", by=practitioner)
    with pytest.raises(ValidationError):
        actions.withdraw_consent(consent=consent, withdrawn_on=today(), reason="again", by=practitioner)


def test_withdrawal_by_someone_else_is_refused(family, practitioner, supervisor, manager):
    consent = give_consent(family, practitioner)
    for who in (supervisor, manager):
        with pytest.raises(PermissionDenied):
            actions.withdraw_consent(consent=consent, withdrawn_on=today(), reason="x", by=who)


def test_withdrawal_names_only_this_consents_givers(family, practitioner):
    first = give_consent(family, practitioner)
    second = give_consent(family, practitioner)
    with pytest.raises(ValidationError):
        actions.withdraw_consent(
            consent=first, givers=list(second.givers.all()), withdrawn_on=today(), reason="x", by=practitioner
        )


def test_items_helper_marks_only_named_items():
    assert items(ConsentItem.FILMING)[ConsentItem.FILMING] and not items(ConsentItem.FILMING)[ConsentItem.TRAINING]


def test_correcting_the_referral_keeps_the_consent(family, practitioner):
    from referrals import actions as referral_actions
    from referrals.models import OTHER_CHILD_FIELDS, PARENT_FIELDS, REFERRAL_FIELDS

    give_consent(family, practitioner)
    before = ConsentDecision.objects.filter(giver__consent__referral=family).count()
    referral_actions.update_referral(
        referral=family,
        data={name: getattr(family, name) for name in REFERRAL_FIELDS},
        parents=[{name: getattr(p, name) for name in PARENT_FIELDS} for p in family.parents.all()],
        other_children=[{name: getattr(c, name) for name in OTHER_CHILD_FIELDS} for c in family.other_children.all()],
        by=practitioner,
    )
    assert ConsentDecision.objects.filter(giver__consent__referral=family).count() == before


def test_removing_a_parent_who_gave_consent_is_refused(family, practitioner):
    from django.core.exceptions import ValidationError

    from referrals import actions as referral_actions
    from referrals.models import OTHER_CHILD_FIELDS, PARENT_FIELDS, REFERRAL_FIELDS

    give_consent(family, practitioner)
    parents = [{name: getattr(p, name) for name in PARENT_FIELDS} for p in family.parents.all()]
    assert len(parents) == 2  # both gave consent; the correction drops the second
    with pytest.raises(ValidationError, match="has consent or filming records"):
        referral_actions.update_referral(
            referral=family,
            data={name: getattr(family, name) for name in REFERRAL_FIELDS},
            parents=parents[:1],
            other_children=[
                {name: getattr(c, name) for name in OTHER_CHILD_FIELDS} for c in family.other_children.all()
            ],
            by=practitioner,
        )
