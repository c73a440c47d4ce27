"""Form conventions every page shares, applied once here rather than field by field.

People fixing an error need to know which box is wrong: "This field is required." beside the sixth empty box of
a long form tells them nothing once it is in the error summary. Every form in the project inherits `NHSForm` (or
mixes in `NHSFormMixin`), which words a required field's error after its label ("Enter the referrer's name",
"Select a site") and starts every drop-down with "Choose …". A test fails if a form class forgets the mixin.

The same goes for limits: "Ensure this value is less than or equal to 480." becomes "Duration must be 480 minutes
or less", and a note over its length is refused with "Notes must be 5,000 characters or fewer (you entered 14000)".
The browser's `maxlength` attribute is removed from every box: it cuts pasted text at the limit without a word, so
a 14,000-character note would silently lose its end. The server refuses it instead, naming the limit.

Labels never carry "(optional)" themselves: the field renderer adds it to optional fields, so a label that says it
too reads "Visit (optional) (optional)". `tests/vig_service/test_form_conventions.py` checks every form for both.

Explicit `error_messages` and `empty_label`s set by a form are kept; only Django's defaults are replaced.
"""

import re

from django import forms
from django.utils.translation import gettext

DJANGO_REQUIRED = "This field is required."
DJANGO_EMPTY_LABEL = "---------"


def _phrase(label: str) -> str:
    """A label as it reads inside a sentence: "Parent 1: Date of birth" → "parent 1's date of birth"."""
    text = re.sub(r"^(.+?):\s+", r"\1's ", str(label).strip().rstrip(":"))
    text = re.sub(r"'s (\w)", lambda m: "'s " + m.group(1).lower(), text)
    first = text.split(" ", 1)[0]
    if first and not (first.isupper() and len(first) > 1):  # keep NHS, GP, SEND
        text = text[:1].lower() + text[1:]
    return text


def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def _is_choice(field: forms.Field) -> bool:
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField | forms.BooleanField)


def required_message(field: forms.Field, name: str = "") -> str:
    """ "Enter <label>" for boxes to type in; "Select <label>" for choices; a question's label is quoted."""
    label = str(field.label or name.replace("_", " ")).strip()
    if label.endswith("?"):
        return f"Answer the question: {label}"
    phrase = _phrase(label)
    if isinstance(field, forms.BooleanField):
        return f"Tick to confirm: {phrase}"
    if _is_choice(field):
        if isinstance(field, forms.MultipleChoiceField):
            return f"Select {phrase}"
        return (
            f"Select {_article(phrase)} {phrase}" if not phrase.startswith(("the ", "their ")) else f"Select {phrase}"
        )
    return f"Enter {phrase}"


UNITS = ("seconds", "minutes", "hours", "days", "weeks", "months", "years", "characters")
_UNIT_IN_LABEL = re.compile(
    rf"^(?P<subject>.+?)\s*(?:\(in (?P<a>{'|'.join(UNITS)})\)|\((?P<b>{'|'.join(UNITS)})\)|"
    rf"in (?P<c>{'|'.join(UNITS)}))$",
    re.IGNORECASE,
)


def _subject_and_unit(field: forms.Field, name: str = "") -> tuple[str, str]:
    """ "Duration in minutes" → ("Duration", "minutes"); "Reference (optional)" → ("Reference", "")."""
    label = str(field.label or name.replace("_", " ")).strip().rstrip(":")
    label = re.sub(r"\s*\(optional\)$", "", label, flags=re.IGNORECASE)
    match = _UNIT_IN_LABEL.match(label)
    if match:
        unit = (match.group("a") or match.group("b") or match.group("c")).lower()
        return match.group("subject")[:1].upper() + match.group("subject")[1:], unit
    return label[:1].upper() + label[1:], ""


def _amount(value, unit: str) -> str:
    """480, "minutes" → "480 minutes"; 1, "minutes" → "1 minute"; 5000 → "5,000"."""
    text = f"{value:,}" if isinstance(value, int) else str(value)
    if unit and value == 1:
        unit = unit[:-1]
    return f"{text} {unit}".strip()


def _limit_sentence(field: forms.Field, name: str, limit, bound: str) -> str:
    """ "Duration must be 480 minutes or less"; a question label keeps its wording before a colon."""
    subject, unit = _subject_and_unit(field, name)
    if _is_question(subject):
        return f"{subject.rstrip('?')}: enter {_amount(limit, '')} {bound}"
    if bound == "or more":
        return f"{subject} must be at least {_amount(limit, unit)}"
    return f"{subject} must be {_amount(limit, unit)} {bound}"


def _is_question(subject: str) -> bool:
    return subject.endswith("?") or "how many" in subject.lower()


def limit_messages(field: forms.Field, name: str = "") -> dict[str, str]:
    """Range, length and number-format errors that name the field, for the limits this field has."""
    messages = {}
    subject = _subject_and_unit(field, name)[0].rstrip("?")
    if getattr(field, "max_value", None) is not None:
        messages["max_value"] = _limit_sentence(field, name, field.max_value, "or less")
    if getattr(field, "min_value", None) is not None:
        messages["min_value"] = _limit_sentence(field, name, field.min_value, "or more")
    if isinstance(field, forms.CharField) and field.max_length is not None:
        count = f"{_amount(field.max_length, 'characters')}"
        messages["max_length"] = f"{subject} must be {count} or fewer (you entered %(show_value)d)"
    if isinstance(field, forms.CharField) and field.min_length is not None:
        count = f"{_amount(field.min_length, 'characters')}"
        messages["min_length"] = f"{subject} must be at least {count} (you entered %(show_value)d)"
    if isinstance(field, forms.FloatField | forms.DecimalField):  # both are IntegerField subclasses
        messages["invalid"] = f"{subject} must be a number"
    elif isinstance(field, forms.IntegerField):
        sentence = ": enter a whole number, like 6" if _is_question(subject) else " must be a whole number, like 45"
        messages["invalid"] = f"{subject}{sentence}"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        messages["invalid_choice"] = f"Choose one of the options given for {_phrase(subject)}"
    # A label's own % must not be read as a placeholder; only %(show_value)d is ours.
    return {code: m.replace("%", "%%").replace("%%(show_value)d", "%(show_value)d") for code, m in messages.items()}


def empty_label(field: forms.Field, name: str = "") -> str:
    phrase = _phrase(str(field.label or name.replace("_", " ")))
    return f"Choose {_article(phrase)} {phrase}"


def _is_django_default(field: forms.Field, code: str) -> bool:
    """True when the message for `code` is still Django's (from a field class or a validator), not the form's own."""
    own = field.error_messages.get(code)
    if own is None:
        return True
    defaults = set()
    for klass in type(field).__mro__:
        default = getattr(klass, "default_error_messages", {}).get(code)
        if default is not None:
            defaults |= {str(default), gettext(str(default))}
    return str(own) in defaults or getattr(field, "_conventions_applied", {}).get(code) == own


def apply_conventions(field: forms.Field, name: str = "") -> None:
    """Word the required, range, length and number errors after the label, drop the truncating `maxlength`
    attribute, and give a drop-down a "Choose …" first option."""
    if field.error_messages.get("required") in (DJANGO_REQUIRED, gettext(DJANGO_REQUIRED)):
        field.error_messages = {**field.error_messages, "required": required_message(field, name)}
    applied = getattr(field, "_conventions_applied", {})
    for code, message in limit_messages(field, name).items():
        if _is_django_default(field, code):
            field.error_messages = {**field.error_messages, code: message}
            applied = {**applied, code: message}
    field._conventions_applied = applied
    field.widget.attrs.pop("maxlength", None)
    if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_EMPTY_LABEL:
        field.empty_label = empty_label(field, name)
        field.widget.choices = field.choices
    elif (
        isinstance(field, forms.ChoiceField)
        and not isinstance(field, forms.ModelChoiceField)  # its choices are a query, run again on every listing
        and isinstance(field.widget, forms.Select)
    ):
        choices = list(field.choices)
        if choices and choices[0][0] in ("", None) and choices[0][1] == DJANGO_EMPTY_LABEL:
            field.choices = [("", empty_label(field, name)), *choices[1:]]


class NHSFormMixin:
    """Applies `apply_conventions` to every field, including fields a form adds after `__init__` has run."""

    def full_clean(self):
        for name, field in self.fields.items():
            apply_conventions(field, name)
        return super().full_clean()

    def __getitem__(self, name):  # rendering: the "Choose …" label must be in place before the widget renders
        apply_conventions(self.fields[name], name)
        return super().__getitem__(name)


class NHSForm(NHSFormMixin, forms.Form):
    """The base class for every page form."""
