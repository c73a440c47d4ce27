"""Safe text: the one check, and the model, form and API fields built on it."""

import pytest
import yaml
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from accounts.models import User
from core.text import (
    LONG_TEXT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    SafeCharSerializerField,
    SafeFormField,
    SafeNoteField,
    SafeTextSerializerField,
    check_text,
    validate_safe_text,
)
from referrals.models import Parent, Referral, TriageDecision

ACCEPTED = [
    "Zoë O'Brien-Smith",
    "Siân Llŷr",
    "Dafydd ap Gwilym ŵ ŷ",
    "Łucja Żółć",
    "محمد عبد الله",
    "José María Núñez",
    "Nguyễn Thị Minh Khai",
    "王秀英",
    "Anna 👩‍👩‍👧 😀",
    "\u200fשרה\u200e Cohen",  # right-to-left and left-to-right marks are allowed
]
REFUSED_ANYWHERE = [
    "Ann\x07Smith",  # bell
    "Ann\x1b[31mSmith",  # ANSI escape
    "Ann\x00Smith",
    "Ann\x7fSmith",  # DEL
    "Ann\x85Smith",  # C1 next line
    "Ann\x9bSmith",  # C1 control sequence introducer
    "Ann\u202eSmith",  # right-to-left override
    "Ann\u202aSmith",  # left-to-right embedding
    "Ann\u2066Smith",  # left-to-right isolate
    "Ann\u2069Smith",  # pop directional isolate
    "Ann\ud800Smith",  # lone surrogate
]
TESTER_NAME = "Ann\x07\x1b[31m\u202eSmith"


@pytest.mark.parametrize("value", ACCEPTED)
def test_ordinary_names_in_any_script_are_accepted(value):
    validate_safe_text(value)
    validate_safe_text(value, multiline=True)


@pytest.mark.parametrize("value", REFUSED_ANYWHERE)
def test_control_and_direction_codes_are_refused(value):
    for multiline in (False, True):
        with pytest.raises(ValidationError) as caught:
            validate_safe_text(value, label="Full name", multiline=multiline)
        assert caught.value.messages == ["Full name must not contain control characters or text-direction codes"]


@pytest.mark.parametrize("value", ["line one\nline two", "a\r\nb", "col\tcol"])
def test_line_breaks_and_tabs_only_in_multi_line_text(value):
    validate_safe_text(value, multiline=True)
    with pytest.raises(ValidationError):
        validate_safe_text(value, multiline=False)


def test_model_full_clean_refuses_control_codes_naming_the_field(db):
    parent = Parent(name=TESTER_NAME, date_of_birth="1990-01-01")
    with pytest.raises(ValidationError) as caught:
        parent.full_clean(exclude=["referral"])
    assert caught.value.message_dict["name"] == ["Name must not contain control characters or text-direction codes"]


def test_model_text_field_has_a_maximum_length_that_full_clean_checks(db):
    field = Referral._meta.get_field("reason_details")
    assert field.max_length == LONG_TEXT_MAX_LENGTH
    referral = Referral(reason_details="x" * 100_000)
    with pytest.raises(ValidationError) as caught:
        referral.full_clean()
    assert "must be 5,000 characters or fewer" in caught.value.message_dict["reason_details"][0]


def test_model_accepts_welsh_polish_and_arabic_names(db):
    for name in ACCEPTED:
        Parent(name=name, date_of_birth="1990-01-01").clean_fields(exclude=["referral"])


def test_staff_names_are_safe_text_too(db):
    user = User(username="ann", first_name=TESTER_NAME, last_name="Smith")
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "first_name" in caught.value.message_dict


def test_model_form_field_enforces_length_and_characters():
    field = TriageDecision._meta.get_field("reason").formfield()
    assert isinstance(field, SafeFormField) and isinstance(field.widget, forms.Textarea)
    assert field.max_length == NOTE_MAX_LENGTH
    assert "maxlength" not in field.widget.attrs  # a browser would cut a pasted note there without a word
    assert field.clean("Declined:\nout of area") == "Declined:\nout of area"
    with pytest.raises(forms.ValidationError):
        field.clean("x" * (NOTE_MAX_LENGTH + 1))
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("out of\u202e area")
    assert caught.value.messages == ["Reason must not contain control characters or text-direction codes"]


def test_form_field_message_uses_the_label():
    field = SafeNoteField(label="What was received")
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("call\x1b[2J")
    assert caught.value.messages == ["What was received must not contain control characters or text-direction codes"]


class _In(serializers.Serializer):
    full_name = SafeCharSerializerField(max_length=200)
    notes = SafeTextSerializerField(required=False)


def test_serializer_fields_refuse_and_name_the_field():
    serializer = _In(data={"full_name": TESTER_NAME, "notes": "x" * (LONG_TEXT_MAX_LENGTH + 1)})
    assert not serializer.is_valid()
    assert serializer.errors["full_name"] == ["Full name must not contain control characters or text-direction codes"]
    assert "no more than 5000 characters" in serializer.errors["notes"][0]


def test_serializer_fields_accept_ordinary_unicode_and_line_breaks():
    for name in ACCEPTED:
        serializer = _In(data={"full_name": name, "notes": "first line\nsecond line"})
        assert serializer.is_valid(), serializer.errors


def test_action_text_check_keys_the_error_by_argument():
    with pytest.raises(ValidationError) as caught:
        check_text("x" * (NOTE_MAX_LENGTH + 1), field="reason", label="Reason")
    assert caught.value.message_dict == {"reason": ["Reason must be 2000 characters or fewer"]}
    check_text("Family moved to Wrexham – Siân's team", field="reason", label="Reason")


def test_openapi_schema_shows_the_maximum_lengths(login, coordinator):
    schema = yaml.safe_load(login(coordinator).get("/api/v1/schema/").content)
    components = schema["components"]["schemas"]
    referral = components["ReferralInRequest"]["properties"]
    assert referral["reason_details"]["maxLength"] == LONG_TEXT_MAX_LENGTH
    assert referral["referrer_name"]["maxLength"] == 200
    assert components["ParentInRequest"]["properties"]["address"]["maxLength"] == 500
    assert components["WithdrawInRequest"]["properties"]["reason"]["maxLength"] == NOTE_MAX_LENGTH
    assert components["AllocateInRequest"]["properties"]["over_capacity_reason"]["maxLength"] == NOTE_MAX_LENGTH
