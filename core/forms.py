"""Form conventions every page shares, applied once here rather than field by field.

People fixing an error need to know which box is wrong: "This field is required." beside the sixth empty box of
a long form tells them nothing once it is in the error summary. Every form in the project inherits `NHSForm` (or
mixes in `NHSFormMixin`), which words a required field's error after its label ("Enter the referrer's name",
"Select a site") and starts every drop-down with "Choose …". A test fails if a form class forgets the mixin.

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


def empty_label(field: forms.Field, name: str = "") -> str:
    phrase = _phrase(str(field.label or name.replace("_", " ")))
    return f"Choose {_article(phrase)} {phrase}"


def apply_conventions(field: forms.Field, name: str = "") -> None:
    """Word the required-field error after the label and give a drop-down a "Choose …" first option."""
    if field.error_messages.get("required") in (DJANGO_REQUIRED, gettext(DJANGO_REQUIRED)):
        field.error_messages = {**field.error_messages, "required": required_message(field, name)}
    if isinstance(field, forms.ModelChoiceField) and field.empty_label == DJANGO_EMPTY_LABEL:
        field.empty_label = empty_label(field, name)
        field.widget.choices = field.choices
    elif isinstance(field, forms.ChoiceField) and isinstance(field.widget, forms.Select):
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
