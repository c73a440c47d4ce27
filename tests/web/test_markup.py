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
