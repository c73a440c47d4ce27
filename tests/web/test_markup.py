"""`web.markup.escaped` and `localized` give what Django's `conditional_escape` and `localize` give, for every kind of
value the rows show."""

import datetime

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

VALUES = [
    "Ann <Other> & \"Co\" 'x'",
    "",
    mark_safe("<em>kept</em>"),
    gettext_lazy("Reviewed & <done>"),
    7,
    0,
    None,
    datetime.date(2026, 9, 7),
    "محمد <b>",
    "\u200fZoë",
]


@pytest.mark.parametrize("value", VALUES)
def test_escaped_is_conditional_escape(value):
    from web.markup import escaped

    assert escaped(value) == str(conditional_escape(value))


NUMBERS = [0, 7, -3, 1234567, 10**20, True, False, 2.5, 1234.5, None, "12", datetime.date(2026, 9, 7)]


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("grouped", [False, True])
def test_localized_is_localize(value, grouped, settings):
    """Whole numbers are written at once only while Django would write them as their bare digits."""
    from django.utils.formats import localize

    from web.markup import localized

    settings.USE_THOUSAND_SEPARATOR = grouped
    assert localized(value) == localize(value)
    assert type(localized(value)) is type(localize(value)) or type(value) is int


@pytest.mark.django_db
def test_choice_label_is_get_display_for_every_choice_of_every_model():
    """`choice_label` answers as Django's `get_<field>_display()` for every value of every field with choices in the
    service's models, for a value with no label, for none, and for a field whose choices are a callable."""
    from django.apps import apps

    from web.markup import choice_label

    checked = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            values = [value for value, _ in field.flatchoices] + ["not-a-choice", "", None, 0, 12345]
            for value in values:
                instance = model()
                setattr(instance, field.attname, value)
                expected = getattr(instance, f"get_{field.name}_display")()
                got = choice_label(instance, field.name)
                assert got == expected and type(got) is type(expected), (model.__name__, field.name, value)
                checked += 1
    assert checked > 200
