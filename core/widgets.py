"""The NHS.UK date input: three boxes (day, month, year) and a field that turns them into a date.

NHS and GOV.UK services ask for dates people already know (a date of birth, a referral date) this way
rather than with a date picker: it works without JavaScript, on every device and with assistive
technology, and the error messages can say exactly which part is wrong.

Also `QuickSelect`, a drop-down drawn without a template per option, for list pages' filters.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

DATE_PARTS = ("day", "month", "year")

MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


class NHSDateInput(forms.MultiWidget):
    """Three text inputs named `<name>_day`, `<name>_month` and `<name>_year`.

    Text inputs with inputmode="numeric" rather than type="number": number inputs drop leading zeros,
    accept "e" and change the value when scrolled. A plain ISO value posted as `<name>` is accepted too,
    so API-style or test clients can send "2024-02-29" without splitting it.
    """

    def __init__(self, attrs=None):
        widgets = {
            "day": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input nhsuk-input--width-2 nhsuk-date-input__input"}
            ),
            "month": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input nhsuk-input--width-2 nhsuk-date-input__input"}
            ),
            "year": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input nhsuk-input--width-4 nhsuk-date-input__input"}
            ),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        """Name the boxes' ids after their part (`id_dob_day`), so links and labels read clearly."""
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id")
        if base_id:
            for subwidget, part in zip(context["widget"]["subwidgets"], DATE_PARTS, strict=True):
                subwidget["attrs"]["id"] = f"{base_id}_{part}"
        return context

    def decompress(self, value):
        """Split an initial/instance value into what each box shows (no leading zeros, as people type)."""
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value[:10])
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts_present = any(f"{name}_{part}" in data for part in DATE_PARTS)
        if not parts_present and name in data:
            return data.get(name)
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


def _lower_first(label: str) -> str:
    """'Date of birth' -> 'date of birth', but keep acronyms such as 'GP registration date'."""
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _join_parts(parts) -> str:
    """['day', 'month'] -> 'day and month'."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class NHSDateField(forms.Field):
    """A date asked for with NHSDateInput, cleaned to a `datetime.date`, with GOV.UK-style messages.

    Messages (override any with `error_messages=`; `%(label)s`, `%(label_lower)s` and `%(missing)s` are
    available): nothing entered -> "Enter date of birth"; a part missing -> "Date of birth must include a
    month"; not a real date -> "Date of birth must be a real date"; a 2-digit year -> "Year must include
    4 numbers". Each error carries which parts were wrong, so the template pack can highlight just those.
    """

    widget = NHSDateInput
    default_error_messages = {
        "required": "Enter %(label_lower)s",
        "incomplete": "%(label)s must include a %(missing)s",
        "invalid": "%(label)s must be a real date",
        "invalid_year": "Year must include 4 numbers",
    }

    def __init__(self, **kwargs):
        self._error_label = None
        super().__init__(**kwargs)

    def get_bound_field(self, form, field_name):
        """Remember the label the form shows, so messages can name the question even without label=."""
        bound_field = super().get_bound_field(form, field_name)
        self._error_label = str(self.label) if self.label is not None else pretty_name(field_name)
        return bound_field

    def _error(self, code: str, parts, **params) -> ValidationError:
        label = self._error_label or (str(self.label) if self.label is not None else "Date")
        params = {"label": label, "label_lower": _lower_first(label), "parts": tuple(parts), **params}
        return ValidationError(self.error_messages[code], code=code, params=params)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise self._error("invalid", DATE_PARTS) from None
        raw = dict(zip(DATE_PARTS, [str(v).strip() if v is not None else "" for v in value], strict=False))
        if not any(raw.values()):
            return None
        missing = [part for part in DATE_PARTS if not raw.get(part)]
        if missing:
            raise self._error("incomplete", missing, missing=_join_parts(missing))

        month_text = raw["month"].lower().rstrip(".")
        month = MONTH_NAMES.get(month_text, month_text)
        numbers = {"day": raw["day"], "month": str(month), "year": raw["year"]}
        not_numbers = [part for part, text in numbers.items() if not re.fullmatch(r"\d+", text)]
        if not_numbers:
            raise self._error("invalid", not_numbers)
        if len(numbers["year"]) != 4:
            raise self._error("invalid_year", ["year"])
        try:
            return datetime.date(int(numbers["year"]), int(numbers["month"]), int(numbers["day"]))
        except ValueError:
            raise self._error("invalid", DATE_PARTS) from None

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise self._error("required", DATE_PARTS)

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            data = self.to_python(data)
            initial = self.to_python(initial)
        except ValidationError:
            return True
        return initial != data


def date_parts_in_error(errors) -> set[str]:
    """Which of day/month/year to mark as wrong for a bound field's errors (all of them when unsure)."""
    parts: set[str] = set()
    for error in errors.as_data() if hasattr(errors, "as_data") else []:
        params = error.params if isinstance(getattr(error, "params", None), dict) else {}
        parts.update(params.get("parts") or DATE_PARTS)
    return parts


def _attrs_html(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html` in Python: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{conditional_escape(format(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


_WIDGETS = "django/forms/widgets/"
# Django's widgets whose template is its `input.html` alone (each of these files only includes it).
_INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "color",
        "search",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
    )
)


def _shown(value) -> str:
    """`{{ value }}` in a template: localized, then escaped unless it is already markup."""
    return conditional_escape(localize(value))


def _select_html(context: dict) -> str | None:
    """`select.html` and `select_option.html` in Python; None where there are option groups (left to Django)."""
    options = []
    for group_name, group_choices, _index in context["optgroups"]:
        if group_name:
            return None
        for option in group_choices:
            options.append(
                f'\n  <option value="{conditional_escape(format(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{_shown(option['label'])}</option>\n"
            )
    return (
        f'<select name="{conditional_escape(context["name"])}"{_attrs_html(context["attrs"])}>'
        + "".join(options)
        + "\n</select>"
    )


def drawn(widget, name, value, attrs=None, renderer=None):
    """`widget.render(name, value, attrs, renderer)` drawn in Python for Django's own text-like inputs, text
    areas and drop-downs, the same bytes as their templates (`tests/core/test_drawn_widgets.py`); any other
    widget, a subclass with a template or a `render` of its own, or option groups, through Django as before. Every
    form field on every page is drawn through a widget template otherwise: a form page's largest single cost
    (issue 20)."""
    template = widget.template_name
    markup = None
    if type(widget).render not in _PLAIN_RENDERS:
        pass  # a widget that draws itself
    elif template in _INPUT_TEMPLATES:
        context = widget.get_context(name, value, attrs)["widget"]
        shown = "" if context["value"] is None else f' value="{conditional_escape(format(context["value"]))}"'
        markup = (
            f'<input type="{conditional_escape(context["type"])}" name="{conditional_escape(context["name"])}"'
            f"{shown}{_attrs_html(context['attrs'])}>"
        )
    elif template == f"{_WIDGETS}textarea.html":
        context = widget.get_context(name, value, attrs)["widget"]
        text = _shown(context["value"]) if context["value"] else ""
        markup = (
            f'<textarea name="{conditional_escape(context["name"])}"{_attrs_html(context["attrs"])}>\n{text}</textarea>'
        )
    elif template == f"{_WIDGETS}select.html" and widget.option_template_name == f"{_WIDGETS}select_option.html":
        markup = _select_html(widget.get_context(name, value, attrs)["widget"])
    if markup is None:
        return widget.render(name, value, attrs, renderer)
    return mark_safe(markup.strip())  # noqa: S308 - every value above went through conditional_escape


class QuickSelect(forms.Select):
    """A drop-down drawn in Python, the same markup as Django's `select.html` and `select_option.html`.

    Django draws each option through a template include: a list page's filter drop-downs (every site and referral
    source of a service) cost the triage queue a tenth of its CPU. Option groups (not used by these drop-downs)
    are left to Django's templates. `tests/core/test_quick_select.py` holds the two to the same bytes. (Fields drawn
    by the NHS.UK pack go through `drawn` whatever their widget; this serves a widget rendered on its own.)
    """

    def render(self, name, value, attrs=None, renderer=None):
        """The select element; Django's template rendering when there are option groups."""
        markup = _select_html(self.get_context(name, value, attrs)["widget"])
        if markup is None:
            return super().render(name, value, attrs, renderer)
        return mark_safe(markup)  # noqa: S308 - every value went through conditional_escape


# Widgets whose `render` is Django's own (or QuickSelect's, the same bytes): `drawn` may draw them.
_PLAIN_RENDERS = frozenset({forms.Widget.render, QuickSelect.render})
