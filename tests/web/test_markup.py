"""`web.markup.escaped` gives what Django's `conditional_escape` gives, for every kind of value the rows show."""

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
