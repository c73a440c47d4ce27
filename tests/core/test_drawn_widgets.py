"""`core.widgets.drawn` draws Django's own inputs, text areas and drop-downs in Python (issue 20): the bytes must
be Django's templates' own, for every value a form can hold, and any other widget must still go to Django."""

import datetime

import pytest
from django import forms

from core.widgets import NHSDateInput, drawn

HOSTILE = 'Tom & "Jerry" <b>\u00e9</b>'
WIDGETS = {
    "text": forms.TextInput(attrs={"class": "nhsuk-input", "maxlength": 20}),
    "number": forms.NumberInput(attrs={"min": 0, "step": "any"}),
    "email": forms.EmailInput(),
    "url": forms.URLInput(),
    "tel": forms.TextInput(attrs={"type": "tel"}),
    "search": forms.SearchInput(),
    "password": forms.PasswordInput(render_value=True),
    "password hidden": forms.PasswordInput(),
    "hidden": forms.HiddenInput(),
    "date": forms.DateInput(format="%d/%m/%Y"),
    "datetime": forms.DateTimeInput(),
    "time": forms.TimeInput(),
    "colour": forms.TextInput(attrs={"type": "color"}),
    "textarea": forms.Textarea(attrs={"rows": 4}),
    "select": forms.Select(choices=[("", "Choose"), (1, "North & <East>"), ("x'y", 'The "Hub"'), (1200, 1200)]),
    "select multiple": forms.SelectMultiple(choices=[("a", "A"), ("b", "B & C")]),
    "select grouped": forms.Select(choices=[("North", [(1, "A")]), ("South", [(2, "B")])]),
    "radios": forms.RadioSelect(choices=[("a", "A"), ("b", "B")]),
    "checkboxes": forms.CheckboxSelectMultiple(choices=[("a", "A")]),
    "checkbox": forms.CheckboxInput(),
    "file": forms.FileInput(),
    "clearable file": forms.ClearableFileInput(),
    "nhs date": NHSDateInput(),
}
VALUES = [None, "", "0", 0, 1200, HOSTILE, "line\nbreak\r\nand\ttab", "1", ["a", "b"], datetime.date(2024, 2, 29)]
ATTRS = [
    None,
    {"id": "id_x", "required": True, "disabled": False},
    {"id": "id_x", "aria-describedby": "x-hint x-error", "aria-invalid": "true", "class": "a <b>", "data-n": 3},
]


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("widget", WIDGETS.values(), ids=WIDGETS.keys())
def test_drawn_is_djangos_own_markup(widget, value, attrs):
    assert drawn(widget, "field", value, attrs) == widget.render("field", value, attrs)


def test_a_widget_with_its_own_template_goes_to_django():
    class Own(forms.TextInput):
        template_name = "django/forms/widgets/textarea.html"  # any template other than its class's

    class Starred(forms.TextInput):
        def render(self, *args, **kwargs):
            return "★"

    assert drawn(Own(), "x", "v") == Own().render("x", "v")
    assert drawn(Starred(), "x", "v") == "★"
