"""Safe text: every free-text field has a maximum length and refuses invisible codes.

Names and notes typed into this service are shown in lists, on letters and in exports. A control character
(a bell, an ANSI escape) or a text-direction override (U+202E turns "Ann Smith" into "htimS nnA" on screen) stored
in a name lets one family be mistaken for another, or hides text from a reviewer. So one check, used by the model
fields (`full_clean`, ModelForms, DRF ModelSerializers), the form fields and the API serializer fields:

- refused: C0 controls (U+0000–U+001F; in multi-line text tab, line feed and carriage return are allowed), DEL
  (U+007F), C1 controls (U+0080–U+009F), bidirectional embeddings, overrides and isolates (U+202A–U+202E,
  U+2066–U+2069) and lone surrogates (which PostgreSQL cannot store);
- allowed: all ordinary letters, marks and symbols (Zoë, Siân, ŵ, Łucja Żółć, محمد, emoji with their zero-width
  joiners), and the left-to-right and right-to-left marks U+200E, U+200F and U+061C: they affect only the
  neutral characters beside them, cannot reverse a run of text, and mixed Arabic or Hebrew and English text
  needs them.

New apps get this by using `SafeCharField` / `SafeTextField` on their models and the serializer fields below.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.text import capfirst
from rest_framework import serializers

# Sensible ceilings for long text: a narrative box a coordinator fills in, and a short reason or note.
LONG_TEXT_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
_SINGLE_LINE_CLASS = f"\x00-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_SURROGATES}"
_MULTI_LINE_CLASS = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_SURROGATES}"
_SINGLE_LINE_REFUSED = re.compile(f"[{_SINGLE_LINE_CLASS}]")
_MULTI_LINE_REFUSED = re.compile(f"[{_MULTI_LINE_CLASS}]")

MESSAGE = "%(field)s must not contain control characters or text-direction codes"
CODE = "unsafe_text"


def validate_safe_text(value, *, label: str = "Text", multiline: bool = False) -> None:
    """Raise ValidationError, naming the field, if `value` holds a refused character (see the module docstring)."""
    if not isinstance(value, str):
        return
    refused = _MULTI_LINE_REFUSED if multiline else _SINGLE_LINE_REFUSED
    if refused.search(value):
        raise ValidationError(MESSAGE, code=CODE, params={"field": label})


def _label(verbose_name) -> str:
    return capfirst(str(verbose_name)) if verbose_name else "Text"


# --- model fields --------------------------------------------------------------------------------------------------


@deconstructible
class SafeTextValidator:
    """The check as a validator, so `full_clean` and DRF's ModelSerializer run it like any other."""

    def __init__(self, label: str = "Text", multiline: bool = False):
        self.label, self.multiline = label, multiline

    def __call__(self, value) -> None:
        validate_safe_text(value, label=self.label, multiline=self.multiline)

    def __eq__(self, other) -> bool:
        return isinstance(other, SafeTextValidator) and (self.label, self.multiline) == (other.label, other.multiline)


class _SafeModelFieldMixin:
    multiline = False

    @property
    def validators(self):
        """Added here, not via `validators=`, so migrations do not carry them (they never touch the database)."""
        return [*super().validators, SafeTextValidator(_label(self.verbose_name), self.multiline)]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SafeFormField, "multiline": self.multiline, **kwargs})


class SafeCharField(_SafeModelFieldMixin, models.CharField):
    """A one-line CharField (a name, a phone number) that refuses control and text-direction characters."""


class SafeTextField(_SafeModelFieldMixin, models.TextField):
    """A TextField with a maximum length (checked by `full_clean`, forms and the API; the database does not).

    Line breaks and tabs are allowed; other control and text-direction characters are refused.
    """

    multiline = True

    def __init__(self, *args, max_length: int = LONG_TEXT_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @property
    def validators(self):
        # Django's TextField keeps max_length only for its form field; check it on the model too, naming the field
        # and the limit (an action refuses a long note; nothing is ever cut to fit).
        message = (
            f"{_label(self.verbose_name)} must be {self.max_length:,} characters or fewer (you entered %(show_value)d)"
        )
        return [*super().validators, MaxLengthValidator(self.max_length, message=message)]


# --- form fields ---------------------------------------------------------------------------------------------------


class SafeFormField(forms.CharField):
    """A form CharField that refuses control and text-direction characters, naming its label in the message."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        validate_safe_text(value, label=_label(self.label), multiline=self.multiline)

    def widget_attrs(self, widget):
        """No `maxlength` in the page: browsers cut pasted text there without a word. The limit is checked on the
        server, whose error names it (`core.forms`), so nothing typed or pasted is ever lost silently."""
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class SafeNoteField(SafeFormField):
    """A reason or note box on a page form: multi-line, `NOTE_MAX_LENGTH` long unless told."""

    def __init__(self, *, max_length: int = NOTE_MAX_LENGTH, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(multiline=True, max_length=max_length, **kwargs)


# --- API serializer fields -----------------------------------------------------------------------------------------


def safe_text_pattern(*, multiline: bool, blank: bool) -> re.Pattern:
    """The refusals as one regular expression, so the OpenAPI schema states them (`pattern`) for API clients.

    Not blank means at least one character other than whitespace (the API trims whitespace first). A field that
    may be blank gets a pattern for its non-blank values only, as drf-spectacular adds the blank case beside it
    (`oneOf: [pattern, maxLength 0]`): a pattern matching "" too would make "" match both.
    """
    # Lone surrogates are left out: JSON text in UTF-8 cannot carry them, and a pattern naming them makes
    # schema-driven generators (schemathesis, hypothesis-jsonschema) ignore the whole pattern. The check refuses them.
    refused = (_MULTI_LINE_CLASS if multiline else _SINGLE_LINE_CLASS).replace(_SURROGATES, "")
    if blank:
        return re.compile(f"^[^{refused}]+\\Z")
    return re.compile(f"^[^{refused}]*[^{refused}\\s][^{refused}]*\\Z")


class SafeCharSerializerField(serializers.CharField):
    """A one-line API text field: a maximum length (shown as maxLength in the schema) and the same refusals.

    The refusals are also a `RegexValidator`, which drf-spectacular turns into the schema's `pattern`; it runs after
    the check below, so its message is seen only if the two ever disagreed.
    """

    multiline = False

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        pattern = safe_text_pattern(multiline=self.multiline, blank=self.allow_blank)
        message = "Enter some text, without control characters or text-direction codes"
        self.validators.append(RegexValidator(pattern, message=message, code=CODE))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        label = self.label or (self.field_name or "").replace("_", " ")
        try:
            validate_safe_text(value, label=_label(label), multiline=self.multiline)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages, code=CODE) from error
        return value


class SafeTextSerializerField(SafeCharSerializerField):
    """A multi-line API text field (line breaks allowed), limited to `LONG_TEXT_MAX_LENGTH` unless told."""

    multiline = True

    def __init__(self, *, max_length: int = LONG_TEXT_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class SafeNoteSerializerField(SafeTextSerializerField):
    """A reason or note sent to the API: multi-line, `NOTE_MAX_LENGTH` long unless told."""

    def __init__(self, *, max_length: int = NOTE_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


def serializer_field_for(model_field: models.Field, **kwargs) -> SafeCharSerializerField:
    """The API field for a safe model field, with the model's maximum length, so the two cannot drift apart."""
    cls = SafeTextSerializerField if model_field.multiline else SafeCharSerializerField
    return cls(max_length=model_field.max_length, **kwargs)


# --- actions -------------------------------------------------------------------------------------------------------


def check_text(value: str, *, field: str, label: str, max_length: int = NOTE_MAX_LENGTH, multiline=True) -> None:
    """For an action's own text argument (a reason, a note): the same limits the forms and API apply."""
    if len(value) > max_length:
        raise ValidationError({field: f"{label} must be {max_length} characters or fewer"})
    try:
        validate_safe_text(value, label=label, multiline=multiline)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def text_fields_errors(instance: models.Model, *, prefix: str = "") -> dict[str, list[str]]:
    """Run just the safe-text checks of a model instance, without `full_clean`'s queries; errors keyed by field."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, _SafeModelFieldMixin):
            value = getattr(instance, field.attname)
            try:
                field.run_validators(value)
            except ValidationError as error:
                errors[f"{prefix}{field.name}"] = error.messages
    return errors


def check_text_fields(*instances: models.Model, prefixes: tuple[str, ...] = ()) -> None:
    """Raise one ValidationError for every safe-text problem in `instances` (actions call this before saving)."""
    errors: dict[str, list[str]] = {}
    for index, instance in enumerate(instances):
        errors.update(text_fields_errors(instance, prefix=prefixes[index] if index < len(prefixes) else ""))
    if errors:
        raise ValidationError(errors)
